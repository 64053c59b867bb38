"""Which regency a shared location lies in, from openly licensed boundaries (cahyadsn's
wilayah_boundaries, MIT: `data/REGIONS.md`), honest at borders and at sea.

Each regency is one or more rings of (lat, lng) points; a point is inside a regency when a ray
from it crosses that regency's rings an odd number of times (islands and holes alike). A point
within `BORDER_METRES` of another regency's boundary, or in no regency at all (the sea, a gap
between the simplified shapes) with regencies within `OFFSHORE_METRES`, is answered with the
regencies it may be in, to ask the reporter which. A grid of one-degree cells finds the few
regencies a point can be in before any ray is cast.
"""

from __future__ import annotations

import gzip
import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

BORDER_METRES = 300.0
OFFSHORE_METRES = 15_000.0
METRES_PER_DEGREE = 111_320.0
CELL = 1.0  # degrees


CHUNK = 16  # points of a ring's stretch with a bounding box of its own


@dataclass(frozen=True, slots=True)
class Ring:
    """A closed ring of a regency's boundary (its first point again as its last), with its
    bounding box and the boxes of its stretches of CHUNK points (most are skipped unread)."""

    south: float
    west: float
    north: float
    east: float
    lats: array[float]
    lngs: array[float]
    chunks: tuple[tuple[float, float, float, float, int, int], ...]  # s, w, n, e, first, last


@dataclass(frozen=True, slots=True)
class Located:
    """Where a point is: the regency it is inside (if one), and every regency it may be in (the
    one it is inside first): more than one, or none inside, means the reporter is asked."""

    inside: str | None
    candidates: tuple[str, ...]

    @property
    def sure(self) -> str | None:
        """The regency, when nothing else is near enough to doubt it."""
        return self.inside if self.candidates == (self.inside,) else None


class Boundaries:
    """Every regency's rings, indexed by grid cell."""

    def __init__(self, rings: dict[str, list[Ring]]) -> None:
        self._rings = rings
        self._cells: dict[tuple[int, int], list[str]] = {}
        for code, parts in rings.items():
            cells = {cell for ring in parts for cell in _cells_of(ring)}
            for cell in cells:
                self._cells.setdefault(cell, []).append(code)

    def codes(self) -> set[str]:
        """The regencies with a boundary."""
        return set(self._rings)

    def locate(self, lat: float, lng: float) -> Located:
        """The regency a point lies in, and the others it may be in (border, sea)."""
        margin = OFFSHORE_METRES / METRES_PER_DEGREE
        nearby: set[str] = set()
        for dlat in (-margin, 0.0, margin):
            for dlng in (-margin, 0.0, margin):
                nearby.update(self._cells.get(_cell(lat + dlat, lng + dlng), ()))
        inside = next((c for c in sorted(nearby) if self._inside(c, lat, lng)), None)
        scale = math.cos(math.radians(lat))
        limit = BORDER_METRES if inside else OFFSHORE_METRES
        distances = {
            code: self._distance(code, lat, lng, scale, limit) for code in nearby if code != inside
        }
        near = sorted((d, c) for c, d in distances.items() if d <= limit)
        # inside one: it and the nearest other across the border; offshore: the three nearest
        candidates = [inside, *(c for _, c in near[:1])] if inside else [c for _, c in near[:3]]
        return Located(inside, tuple(candidates))

    def _inside(self, code: str, lat: float, lng: float) -> bool:
        crossings = 0
        for ring in self._rings[code]:
            if not (ring.south <= lat <= ring.north and ring.west <= lng <= ring.east):
                continue
            lats, lngs = ring.lats, ring.lngs
            for south, _, north, east, first, last in ring.chunks:
                if lat < south or lat > north or lng > east:  # the ray eastward misses it
                    continue
                for i in range(first + 1, last + 1):
                    if (lats[i] > lat) != (lats[i - 1] > lat):
                        at = lngs[i] + (lat - lats[i]) * (lngs[i - 1] - lngs[i]) / (
                            lats[i - 1] - lats[i]
                        )
                        if lng < at:
                            crossings += 1
        return crossings % 2 == 1

    def _distance(self, code: str, lat: float, lng: float, scale: float, limit: float) -> float:
        """Metres from the point to the regency's nearest boundary segment (infinity past
        `limit` metres: only what is that near is measured)."""
        best = math.inf
        reach = limit / METRES_PER_DEGREE
        wide = reach / scale
        for ring in self._rings[code]:
            if not (
                ring.south - reach <= lat <= ring.north + reach
                and ring.west - wide <= lng <= ring.east + wide
            ):
                continue
            for south, west, north, east, first, last in ring.chunks:
                if south - reach <= lat <= north + reach and west - wide <= lng <= east + wide:
                    best = min(best, _to_stretch(ring, first, last, lat, lng, scale))
        return best * METRES_PER_DEGREE


def _to_stretch(ring: Ring, first: int, last: int, lat: float, lng: float, scale: float) -> float:
    """Degrees (of latitude) from a point to the nearest segment of a ring's stretch."""
    lats, lngs = ring.lats, ring.lngs
    best = math.inf
    for i in range(first + 1, last + 1):
        ay, ax = lats[i - 1], lngs[i - 1] * scale
        by, bx = lats[i], lngs[i] * scale
        py, px = lat, lng * scale
        dy, dx = by - ay, bx - ax
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((py - ay) * dy + (px - ax) * dx) / length))
        ey, ex = ay + t * dy - py, ax + t * dx - px
        best = min(best, ey * ey + ex * ex)
    return math.sqrt(best)


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return (math.floor(lat / CELL), math.floor(lng / CELL))


def _cells_of(ring: Ring) -> Iterator[tuple[int, int]]:
    south, west = _cell(ring.south, ring.west)
    north, east = _cell(ring.north, ring.east)
    for row in range(south, north + 1):
        for column in range(west, east + 1):
            yield (row, column)


def parse(text: str) -> Boundaries:
    """The boundaries file: `code<TAB>ring;ring;…`, a ring `lat,lng lat,lng …`."""
    rings: dict[str, list[Ring]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        code, _, shapes = line.partition("\t")
        for shape in shapes.split(";"):
            pairs = [point.split(",") for point in shape.split()]
            lats = array("d", (float(p[0]) for p in pairs))
            lngs = array("d", (float(p[1]) for p in pairs))
            if len(lats) >= 3:
                chunks = tuple(
                    (
                        min(lats[start : start + CHUNK + 1]), min(lngs[start : start + CHUNK + 1]),
                        max(lats[start : start + CHUNK + 1]), max(lngs[start : start + CHUNK + 1]),
                        start, min(start + CHUNK, len(lats) - 1),
                    )
                    for start in range(0, len(lats) - 1, CHUNK)
                )  # fmt: skip
                ring = Ring(min(lats), min(lngs), max(lats), max(lngs), lats, lngs, chunks)
                rings.setdefault(code, []).append(ring)
    return Boundaries(rings)


@cache
def shipped_boundaries() -> Boundaries:
    """The boundaries that ship with the bot (read once, on first use)."""
    source = resources.files("conversations").joinpath("data/regency_boundaries.txt.gz")
    return parse(gzip.decompress(source.read_bytes()).decode("ascii"))
