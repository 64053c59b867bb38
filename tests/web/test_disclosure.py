"""The public statistics' disclosure-control rule: no "<5" cell can be worked out from the
published figures, whatever a reader subtracts from what, and the figures count completed
weeks only."""

from __future__ import annotations

import datetime as dt
import random

from conversations.disclosure import StatCell, publish, rounded, week_start


def ranges_of(cells: list[StatCell], high: int) -> list[tuple[int, int]]:
    """What each published cell may truly be, read as any reader of the page would."""
    out = []
    for cell in cells:
        if cell.mark == "small":
            out.append((1, 4))
        elif cell.mark == "hidden":
            out.append((5, high))
        elif cell.count == 0:
            out.append((0, 0))
        else:
            assert cell.count is not None and cell.count % 5 == 0
            out.append((5 if cell.count == 5 else cell.count - 2, cell.count + 2))
    return out


def feasible_values(tables: dict[str, list[StatCell]], total: StatCell, n: int) -> dict:
    """By brute force: for every "<5" cell, the true values every published figure allows
    together (tables add up to the same total, which the published total bounds)."""
    if total.mark == "small":
        totals = range(1, 5)
    elif total.mark == "hidden":
        totals = range(5, n + 30)
    else:
        assert total.count is not None
        totals = range(5 if total.count == 5 else total.count - 2, total.count + 3)
    possible: dict[tuple[str, int], set[int]] = {}
    for name, cells in tables.items():
        ranges = ranges_of(cells, n + 30)
        for index, cell in enumerate(cells):
            if cell.mark != "small":
                continue
            others = [r for i, r in enumerate(ranges) if i != index]
            lo, hi = sum(r[0] for r in others), sum(r[1] for r in others)
            values = set()
            for value in range(1, 5):
                for t in totals:
                    # the other tables must also reach this total
                    if not lo <= t - value <= hi:
                        continue
                    if all(
                        sum(r[0] for r in ranges_of(c, n + 30))
                        <= t
                        <= sum(r[1] for r in ranges_of(c, n + 30))
                        for other, c in tables.items()
                        if other != name
                    ):
                        values.add(value)
                        break
            possible[(name, index)] = values
    return possible


def split(n: int, parts: int, rng: random.Random) -> list[int]:
    """n cases spread over `parts` cells, many of them small."""
    cells = [0] * parts
    for _ in range(n):
        cells[
            min(int(rng.expovariate(0.7)), parts - 1)
            if rng.random() < 0.6
            else rng.randrange(parts)
        ] += 1
    return cells


def test_the_issues_example_no_longer_gives_the_hidden_cells_away() -> None:
    # 12 cases: Banten 10 and two provinces of 1; the total is no longer exact
    tables, total = publish(
        {"province": [("36", "Banten", 10), ("51", "Bali", 1), ("11", "Aceh", 1)]}, 12
    )
    assert total.count == 10 and [c.count for c in tables["province"]] == [10, None, None]
    assert all(len(v) >= 2 for v in feasible_values(tables, total, 12).values())


def test_no_small_cell_can_be_worked_out_by_any_differencing() -> None:
    rng = random.Random(20241120)
    checked = 0
    for _ in range(400):
        n = rng.randrange(1, 60)
        truth = {
            "province": split(n, rng.randrange(1, 7), rng),
            "category": split(n, rng.randrange(1, 6), rng),
            "week": split(n, rng.randrange(1, 5), rng),
            "status": split(n, rng.randrange(1, 4), rng),
        }
        tables, total = publish(
            {
                name: [(str(i), str(i), c) for i, c in enumerate(cells)]
                for name, cells in truth.items()
            },
            n,
        )
        for name, cells in tables.items():
            for cell in cells:
                true = truth[name][int(cell.key)]
                if cell.mark == "small":
                    assert 1 <= true <= 4
                elif cell.mark == "":
                    assert cell.count == (rounded(true) if true else 0)
        for where, values in feasible_values(tables, total, n).items():
            assert len(values) >= 2, (truth, where, values)
            checked += 1
    assert checked > 200  # the datasets had small cells to protect


def test_rounding_and_primary_suppression() -> None:
    assert [rounded(c) for c in (5, 7, 8, 12, 13, 40)] == [5, 5, 10, 10, 15, 40]
    tables, total = publish({"t": [("a", "A", 40), ("b", "B", 0), ("c", "C", 7)]}, 47)
    assert [(c.count, c.mark) for c in tables["t"]] == [(40, ""), (0, ""), (5, "")]
    assert total.count == 45


def test_only_completed_weeks_are_counted() -> None:
    wednesday = dt.datetime(2024, 11, 20, 15, tzinfo=dt.UTC)
    assert week_start(wednesday) == dt.datetime(2024, 11, 18, tzinfo=dt.UTC)
    assert week_start(dt.datetime(2024, 11, 18, tzinfo=dt.UTC)) == dt.datetime(
        2024, 11, 18, tzinfo=dt.UTC
    )
    sunday_night = dt.datetime(2024, 11, 24, 23, 59, tzinfo=dt.UTC)
    assert week_start(sunday_night) == week_start(wednesday)  # the same figures all week
