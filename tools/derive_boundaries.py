"""Derive `conversations/data/regency_boundaries.txt.gz` from cahyadsn/wilayah_boundaries
(MIT; `db/kab/*.sql`: one row per regency with its multipolygon as [lat, lng] pairs).

    python tools/derive_boundaries.py /path/to/wilayah_boundaries

Each regency of the project's region list becomes one line, `code<TAB>ring;ring;…`, a ring
being `lat,lng lat,lng …` at 4 decimals (about 11 m), simplified (Douglas-Peucker, 0.0008°,
about 90 m) and without rings that simplify to nothing. A code the source files under another
province (Papua Barat Daya's regencies under 92 there) is found by the regency's name.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "conversations" / "data"
TOLERANCE = 0.0008
ROW = re.compile(r"\('(\d\d\.\d\d)','([^']*)',[-\d.]+,[-\d.]+,'(\[.*?\])'\)", re.S)


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on a ring (its first point kept as its last)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        (ay, ax), (by, bx) = points[start], points[end]
        dy, dx = by - ay, bx - ax
        norm = (dx * dx + dy * dy) ** 0.5
        farthest, index = 0.0, start
        for i in range(start + 1, end):
            py, px = points[i]
            if norm == 0:  # a closed ring's ends: the distance to that point
                distance = ((py - ay) ** 2 + (px - ax) ** 2) ** 0.5
            else:
                distance = abs(dx * (ay - py) - (ax - px) * dy) / norm
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(start, index), (index, end)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def rings_of(path: str) -> list[list[tuple[float, float]]]:
    data = json.loads(path)
    if data and isinstance(data[0][0][0], (int, float)):  # a polygon, not a multipolygon
        data = [data]
    rings = []
    for polygon in data:
        for ring in polygon:
            points = simplify([(float(p[0]), float(p[1])) for p in ring], TOLERANCE)
            if len(points) >= 4:
                rings.append(points)
    return rings


def main(source: Path) -> None:
    wanted = {}
    with (DATA / "regions.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["level"] != "province":
                wanted[row["code"]] = row["name"]
    found: dict[str, list[list[tuple[float, float]]]] = {}
    by_name: dict[str, list[list[tuple[float, float]]]] = {}
    for sql in sorted((source / "db" / "kab").glob("*.sql")):
        for code, name, path in ROW.findall(sql.read_text(encoding="utf-8")):
            rings = rings_of(path)
            found[code] = rings
            by_name.setdefault(name.lower(), rings)
    lines = []
    missing = []
    for code, name in sorted(wanted.items()):
        rings = found.get(code) if code in found else by_name.get(name.lower())
        if code in found and name.lower() in by_name and found[code] is not by_name[name.lower()]:
            rings = by_name[name.lower()]  # the same code names another regency there
        if not rings:
            missing.append(f"{code} {name}")
            continue
        text = ";".join(" ".join(f"{lat:.4f},{lng:.4f}" for lat, lng in ring) for ring in rings)
        lines.append(f"{code}\t{text}")
    if missing:
        raise SystemExit(f"no boundary for: {', '.join(missing)}")
    out = DATA / "regency_boundaries.txt.gz"
    with gzip.open(out, "wt", encoding="ascii", compresslevel=9) as file:
        file.write("\n".join(lines) + "\n")
    print(f"{len(lines)} regencies written to {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
