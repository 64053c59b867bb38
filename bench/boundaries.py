"""How long finding the regency of a shared location takes: the boundaries' loading, and
lookups of places where people are (regency centres) and of random points of Indonesia's box
(mostly sea). Measured, never asserted.

    python bench/boundaries.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import percentiles, write_report  # noqa: E402
from conversations.boundaries import shipped_boundaries  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    shipped_boundaries()
    load = time.perf_counter() - started
    boundaries = shipped_boundaries()
    rng = random.Random(7)
    # a point of each regency's largest ring, moved a little inland: where people are
    towns = []
    for rings in boundaries._rings.values():
        ring = max(rings, key=lambda r: len(r.lats))
        towns.append(((ring.north + ring.south) / 2, (ring.east + ring.west) / 2))
    anywhere = [(rng.uniform(-11.0, 6.0), rng.uniform(95.0, 141.0)) for _ in range(2000)]
    figures: dict[str, object] = {"load_seconds": round(load, 3)}
    for name, points in (("regency_centres", towns * 4), ("random_points", anywhere)):
        samples = []
        for lat, lng in points:
            began = time.perf_counter()
            boundaries.locate(lat, lng)
            samples.append(time.perf_counter() - began)
        figures[name] = {**percentiles(samples, (50, 99)), "max_ms": round(max(samples) * 1000, 3)}
    path = write_report("boundaries", {"points": len(towns) * 4 + len(anywhere)}, figures)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"JSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
