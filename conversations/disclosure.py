"""The disclosure-control rule of the public statistics: what may be published of the counts
so that no reporter can be singled out. Pure: counts in, published figures out.

The rule (README, "Public statistics"; after the Eurostat *Handbook on Statistical Disclosure
Control*, Hundepool et al. 2010, §5.4 rounding and §4.2 cell suppression):

1. **Completed weeks only.** The figures count the cases filed before the start of the current
   week (Monday 00:00 UTC), so they change once a week: two looks at the page a few minutes
   apart never differ, and a new report cannot be placed by comparing them.
2. **Small cells hidden.** A count from 1 to 4 is shown as "<5" (primary suppression).
3. **Everything else rounded** to the nearest multiple of 5, totals included (0 stays 0).
4. **No hidden cell worked out.** Every table adds up to the same total. If the published
   figures (each as the range it may stand for) leave a "<5" cell only one possible value, the
   smallest shown cell of that table is hidden too ("×", secondary suppression), and again
   until none can be (last, the total; then the table is withheld): `pinned` tests exactly
   what subtraction within and across the tables can tell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

SMALL_BELOW = 5  # counts 1..4 are never shown
BASE = 5  # every other figure is rounded to a multiple of this

Mark = Literal["", "small", "hidden"]  # shown; "<5"; "×" (hidden to protect a "<5")


@dataclass(frozen=True)
class StatCell:
    """One line of a public table: its label and the figure shown (None when suppressed)."""

    key: str
    label: str
    count: int | None
    mark: Mark = ""


def week_start(now: dt.datetime) -> dt.datetime:
    """The start (Monday 00:00 UTC) of the week `now` is in: the figures count cases filed
    before it."""
    day = now.astimezone(dt.UTC).date()
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC)


def rounded(count: int) -> int:
    """A count of at least SMALL_BELOW rounded to the nearest multiple of BASE (halves up)."""
    return max(BASE, (count + BASE // 2) // BASE * BASE)


def _range(cell: StatCell, total_high: int) -> tuple[int, int]:
    """The true counts a published cell may stand for."""
    if cell.mark == "small":
        return 1, SMALL_BELOW - 1
    if cell.mark == "hidden":
        return SMALL_BELOW, total_high
    assert cell.count is not None
    return _shown_range(cell.count)


def _shown_range(shown: int) -> tuple[int, int]:
    if shown == 0:
        return 0, 0
    low = SMALL_BELOW if shown == BASE else shown - BASE // 2
    return low, shown + BASE // 2


def total_range(tables: Sequence[Sequence[StatCell]], total: StatCell) -> tuple[int, int]:
    """The totals every published figure allows at once (each table adds up to it)."""
    unbounded = 10**9
    low, high = _range(total, unbounded) if total.mark != "hidden" else (SMALL_BELOW, unbounded)
    for cells in tables:
        ranges = [_range(cell, unbounded) for cell in cells]
        low = max(low, sum(r[0] for r in ranges))
        high = min(high, sum(r[1] for r in ranges))
    return low, high


def pinned(tables: Sequence[Sequence[StatCell]], total: StatCell) -> tuple[int, int] | None:
    """(table, cell) of a "<5" cell the published figures leave only one value, else None."""
    low, high = total_range(tables, total)
    for number, cells in enumerate(tables):
        ranges = [_range(cell, high) for cell in cells]
        for index, cell in enumerate(cells):
            if cell.mark != "small":
                continue
            others_low = sum(r[0] for i, r in enumerate(ranges) if i != index)
            others_high = sum(r[1] for i, r in enumerate(ranges) if i != index)
            can_low = max(1, low - others_high)
            can_high = min(SMALL_BELOW - 1, high - others_low)
            if can_high <= can_low:
                return number, index
    return None


def publish(
    tables: Mapping[str, Sequence[tuple[str, str, int]]], total: int
) -> tuple[dict[str, list[StatCell]], StatCell]:
    """(key, label, count) rows of each table, and the total, as the rule lets them be shown."""
    names = list(tables)
    shown = [[_primary(key, label, count) for key, label, count in tables[n]] for n in names]
    total_cell = _primary("total", "", total)
    while (found := pinned(shown, total_cell)) is not None:
        number, _ = found
        cells = shown[number]
        candidates = [i for i, c in enumerate(cells) if c.mark == "" and c.count]
        if candidates:  # secondary suppression: the smallest figure shown goes
            smallest = min(candidates, key=lambda i: cells[i].count or 0)
            cell = cells[smallest]
            cells[smallest] = StatCell(cell.key, cell.label, None, "hidden")
        elif total_cell.mark == "":
            total_cell = StatCell("total", "", None, "hidden")
        else:  # nothing left to hide but the table itself: it is withheld whole
            shown[number] = []
    return dict(zip(names, shown, strict=True)), total_cell


def _primary(key: str, label: str, count: int) -> StatCell:
    if 0 < count < SMALL_BELOW:
        return StatCell(key, label, None, "small")
    return StatCell(key, label, rounded(count) if count else 0)
