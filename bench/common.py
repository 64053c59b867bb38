"""What every benchmark shares: percentiles, the machine and versions, and writing the JSON."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PACKAGES = ("python-telegram-bot", "aiosqlite", "pydantic", "aiohttp", "httpx", "cryptography")


@contextlib.contextmanager
def postgres_server(folder: Path) -> Iterator[str]:
    """A PostgreSQL server with its data in `folder` (pgserver's wheel), deleted afterwards;
    its URL (the `postgres` database)."""
    from pgserver.postgres_server import get_server

    server = get_server(folder, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


async def fresh_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    from storage.postgres import create_database

    return await create_database(server_url, f"bench{time.monotonic_ns()}")


def percentiles(samples: list[float], points: tuple[int, ...] = (50, 99)) -> dict[str, float]:
    """The given percentiles of samples in seconds, as milliseconds (nearest rank)."""
    ordered = sorted(samples)
    if not ordered:
        return {f"p{p}_ms": float("nan") for p in points}
    found = {}
    for point in points:
        value = (
            statistics.median(ordered)
            if point == 50
            else ordered[min(len(ordered) - 1, int(len(ordered) * point / 100))]
        )
        found[f"p{point}_ms"] = round(value * 1000, 3)
    return found


def machine() -> dict[str, Any]:
    """The machine and software the figures were measured with."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "platform": platform.platform(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def write_report(name: str, settings: dict[str, Any], figures: dict[str, Any]) -> Path:
    """Write bench/out/<name>.json with the machine, versions, settings and figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    report = {"benchmark": name, "machine": machine(), "settings": settings, "figures": figures}
    path.write_text(json.dumps(report, indent=2))
    return path


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    """Whether something listens on this loopback port."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
