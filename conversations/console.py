"""What the web console shows, as data: the province tile map, the bars of new cases per day,
the cases near or past their service target, the list's sort orders and query (the public
statistics are conversations.disclosure). Pure: counts and rows in, plain values out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from conversations.casefilters import Filters
from conversations.caserow import CaseRow
from conversations.casework import Casework, Clock
from conversations.datafiles import DataFileError, parse_model
from conversations.places import Places
from conversations.staffviews import clock_of

SORTS = ("newest", "oldest", "waiting")  # the case list's orders; the first is the default


class TilePlace(BaseModel):
    """Where a province's square sits on the tile map."""

    model_config = ConfigDict(extra="forbid")
    row: int = Field(ge=0, le=20)
    col: int = Field(ge=0, le=30)
    short: str = Field(min_length=1, max_length=8)


class TileLayout(BaseModel):
    """The tile map file: one place per province code."""

    model_config = ConfigDict(extra="forbid")
    provinces: dict[str, TilePlace]


def parse_tiles(text: str, places: Places, source: str = "tilemap.toml") -> TileLayout:
    """The tile map, checked: every province has one square, no two share one."""
    layout = parse_model(TileLayout, text, source)
    codes = {region.code for region in places.provinces()}
    missing = sorted(codes - set(layout.provinces))
    unknown = sorted(set(layout.provinces) - codes)
    if missing or unknown:
        raise DataFileError(f"{source}: provinces missing {missing}, unknown {unknown}")
    cells = [(p.row, p.col) for p in layout.provinces.values()]
    if len(set(cells)) != len(cells):
        raise DataFileError(f"{source}: two provinces share a square")
    return layout


@cache
def shipped_tiles(places: Places) -> TileLayout:
    """The shipped tile map, loaded once."""
    text = resources.files("conversations").joinpath("data/tilemap.toml").read_text("utf-8")
    return parse_tiles(text, places)


@dataclass(frozen=True)
class Tile:
    """One province on the map with its count and a shade 0 (none) to 4 (the most)."""

    code: str
    name: str
    short: str
    row: int
    col: int
    count: int
    shade: int


def province_tiles(counts: Mapping[str, int], places: Places) -> list[Tile]:
    """Every province's square, shaded by its share of the largest count."""
    layout = shipped_tiles(places)
    top = max(counts.values(), default=0)
    tiles = []
    for region in places.provinces():
        spot = layout.provinces[region.code]
        count = counts.get(region.code, 0)
        shade = 0 if count == 0 else 1 + min(3, (4 * count - 1) // top)
        tiles.append(Tile(region.code, region.name, spot.short, spot.row, spot.col, count, shade))
    return tiles


@dataclass(frozen=True)
class Bar:
    """One day of the chart: its date, count and bar height out of 100."""

    day: dt.date
    count: int
    height: int


def day_bars(counts: Mapping[dt.date, int], today: dt.date, days: int = 14) -> list[Bar]:
    """The last `days` days up to today, oldest first, each with its share of the busiest."""
    span = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    top = max((counts.get(day, 0) for day in span), default=0)
    return [
        Bar(day, counts.get(day, 0), round(100 * counts.get(day, 0) / top) if top else 0)
        for day in span
    ]


def near_or_past_target(
    cases: Sequence[CaseRow], casework: Casework, today: dt.date, zone: dt.tzinfo, limit: int = 20
) -> list[tuple[CaseRow, Clock]]:
    """Open cases whose service target is near or past: past first, then the earliest due."""
    clocked = [(case, clock_of(case, casework, today, zone)) for case in cases]
    late = [(c, k) for c, k in clocked if k.state in {"past", "near"} and k.due is not None]
    late.sort(key=lambda pair: (pair[1].state != "past", pair[1].due or today))
    return late[:limit]


def filter_text(query: Mapping[str, str]) -> str:
    """A list's query string as the filter text the chat's /kasus reads (`status=… prov=…`);
    `=` inside a value is dropped so one field cannot set another."""
    keys = ("status", "badan", "prov", "kab", "kat", "dari", "sampai", "hal")
    parts = []
    for key in keys:
        value = " ".join(query.get(key, "").replace("=", " ").split())
        if value:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def filter_query(filters: Filters) -> dict[str, str]:
    """Filters as the list's query parameters (codes and ISO dates)."""
    values = {
        "status": filters.status,
        "badan": filters.agency,
        "prov": filters.province,
        "kab": filters.regency,
        "kat": filters.category,
        "dari": filters.since.isoformat() if filters.since else None,
        "sampai": filters.until.isoformat() if filters.until else None,
    }
    return {key: value for key, value in values.items() if value}


def iso_week(day: dt.date) -> str:
    """`2024-W47`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
