"""Storage at scale: fill a database with realistic cases, then time the hot queries.

    python bench/storage_scale.py --cases 1000000     # make bench
    python bench/storage_scale.py --cases 50000       # make bench-quick

Prints a table and writes JSON (machine, versions, settings, figures) to bench/out/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentiles, postgres_server, write_report  # noqa: E402
from conversations.casefilters import Filters  # noqa: E402
from conversations.jurisdiction.engine import default_jurisdiction  # noqa: E402
from conversations.places import places  # noqa: E402
from conversations.staff import StaffMember  # noqa: E402
from conversations.statuses import STATUSES  # noqa: E402
from conversations.tickets import RANDOM_BITS, make_ticket  # noqa: E402
from service.casedesk import export_csv  # noqa: E402
from service.services import open_services  # noqa: E402
from service.settings import Settings  # noqa: E402
from storage import casequeries, cases  # noqa: E402
from storage.crypto import TELEGRAM, DataCipher, chat_address  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.migrator import migrate  # noqa: E402

CATEGORIES = [
    "political_expression", "campaign_role", "state_facilities", "service_conditioning",
    "partisan_decision", "mobilisation", "pressure_on_asn", "handling_delay", "other",
]  # fmt: skip
PERSONS = [
    "asn",
    "state_official",
    "village",
    "tni",
    "polri",
    "non_asn_staff",
    "private",
    "unknown",
]
POLICY = default_jurisdiction().visibility  # the visibility policy of the shipped rules


KEY = "pbkDb1ZPdtR5X8Zp9nKq5mSZ0zqYJzlsbHlOqfNQz2I="


CASE_COLUMNS = (
    "id", "ticket", "draft_id", "reporter_chat_id", "language", "category", "description",
    "description_enc", "person_kind", "province_code", "regency_code", "event_date",
    "public_service", "identity_mode", "decision", "status", "status_changed_at", "created_at",
    "updated_at", "reporter_chat_hash", "reporter_chat_enc",
)  # fmt: skip
BODY_COLUMNS = ("case_id", "agency", "office", "added_at")
EVENT_COLUMNS = ("case_id", "at", "actor_kind", "action")
Batch = tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]


def batches(count: int, seed: int, tickets: list[str], size: int = 20_000) -> Iterator[Batch]:
    """The generated cases, bodies and events, `size` cases at a time (tickets collected)."""
    rng = random.Random(seed)
    regencies = [r for r in places().all() if not r.is_province]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    decision = '{"bodies":[],"offices":[]}'
    # as the bot stores them: free text encrypted, the reporter's chat as a keyed hash and an
    # encrypted value (one token per chat and one description: the cost measured is reading)
    cipher = DataCipher(KEY)
    description = cipher.encrypt("Laporan contoh tentang pejabat yang berkampanye di kantor.")
    addresses = {chat: chat_address(TELEGRAM, chat) for chat in range(1000, 51000)}
    chats = {
        chat: (cipher.chat_hash(address), cipher.encrypt(address))
        for chat, address in addresses.items()
    }
    for first in range(0, count, size):
        case_rows, body_rows, event_rows = [], [], []
        for n in range(first, min(count, first + size)):
            regency = rng.choice(regencies)
            created = start + dt.timedelta(seconds=n * 30)
            stamp = created.isoformat()
            ticket = make_ticket("LN", rng.getrandbits(RANDOM_BITS))
            tickets.append(ticket)
            chat_hash, chat_enc = chats[1000 + n % 50_000]
            case_rows.append((
                n + 1, ticket, f"d{n}", 0, "id", rng.choice(CATEGORIES), "",
                description, rng.choice(PERSONS),
                regency.province_code, regency.code,
                (created - dt.timedelta(days=1)).date().isoformat(),
                "no", "anonymous", decision, rng.choice(STATUSES), stamp, stamp, stamp,
                chat_hash, chat_enc,
            ))  # fmt: skip
            for agency in rng.sample(["bawaslu", "ombudsman"], rng.randint(1, 2)):
                body_rows.append((n + 1, agency, f"{agency} {regency.name}", stamp))
            for action in ("filed", "status")[: rng.randint(1, 2)]:
                event_rows.append((n + 1, stamp, "system", action))
        yield case_rows, body_rows, event_rows


def generate(path: Path, count: int, seed: int) -> tuple[float, list[str]]:
    """Insert `count` cases with bodies and events using plain sqlite3; return seconds, tickets."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    began = time.perf_counter()
    tickets: list[str] = []
    for case_rows, body_rows, event_rows in batches(count, seed, tickets):
        for table, columns, rows in (
            ("cases", CASE_COLUMNS, case_rows),
            ("case_bodies", BODY_COLUMNS, body_rows),
            ("case_events", EVENT_COLUMNS, event_rows),
        ):
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})",
                rows,
            )
        conn.commit()
    seconds = time.perf_counter() - began
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return seconds, tickets


async def generate_postgres(url: str, count: int, seed: int) -> tuple[float, list[str]]:
    """The same cases into PostgreSQL with COPY; return seconds, tickets."""
    import asyncpg

    conn = await asyncpg.connect(url)
    began = time.perf_counter()
    tickets: list[str] = []
    try:
        for case_rows, body_rows, event_rows in batches(count, seed, tickets):
            async with conn.transaction():
                for table, columns, rows in (
                    ("cases", CASE_COLUMNS, case_rows),
                    ("case_bodies", BODY_COLUMNS, body_rows),
                    ("case_events", EVENT_COLUMNS, event_rows),
                ):
                    await conn.copy_records_to_table(table, records=rows, columns=list(columns))
        seconds = time.perf_counter() - began
        for table in ("cases", "case_events"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT MAX(id) FROM {table}))"
            )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return seconds, tickets


async def measure(
    path: Path, tickets: list[str], seed: int, url: str | None = None
) -> dict[str, object]:
    rng = random.Random(seed)
    conn = await open_database(path, url)
    cipher = DataCipher(KEY)
    results: dict[str, object] = {}
    samples = []
    for ticket in rng.sample(tickets, min(2000, len(tickets))):
        began = time.perf_counter()
        await cases.status_of(conn, ticket, cipher)
        samples.append(time.perf_counter() - began)
    results["status_lookup"] = percentiles(samples)
    members = (
        ("digest_province", StaffMember(1, "bawaslu", "36", "id")),
        ("digest_regency", StaffMember(2, "ombudsman", "36.73", "id")),
    )
    for label, member in members:
        samples = []
        for _ in range(20):
            began = time.perf_counter()
            await casequeries.visible(conn, member, POLICY, after_id=0, limit=500, cipher=cipher)
            samples.append(time.perf_counter() - began)
        results[label] = percentiles(samples)
    samples = []
    member = StaffMember(3, "bawaslu", "", "id")
    for _ in range(20):
        began = time.perf_counter()
        await casequeries.visible(
            conn,
            member,
            POLICY,
            filters=Filters(status="diterima", province="35"),
            limit=10,
            offset=20,
            cipher=cipher,
        )
        samples.append(time.perf_counter() - began)
    results["filtered_list"] = percentiles(samples)
    await conn.close()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_path=path, data_key=KEY, database_url=url
    )
    svc = await open_services(settings)
    try:
        # Cases are generated 30 s apart from 1 January 2024: 35 days is about 100,000 rows.
        began = time.perf_counter()
        data, count = await export_csv(svc, None, Filters(until=dt.date(2024, 2, 4)))
        seconds = round(time.perf_counter() - began, 3)
        results["export"] = {"rows": count, "seconds": seconds, "bytes": len(data)}
    finally:
        await svc.db.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="storage scale benchmark")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres", action="store_true", help="measure PostgreSQL (a server started by pgserver)"
    )
    parser.add_argument("--database-url", help="measure this (empty) PostgreSQL database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-"))
    path = folder / "bench.db"
    with contextlib.ExitStack() as stack:
        url = args.database_url or (
            stack.enter_context(postgres_server(folder / "pg")) if args.postgres else None
        )
        return run(path, folder, url, args.cases, args.seed)


def run(path: Path, folder: Path, url: str | None, cases: int, seed: int) -> int:
    """Generate, measure, print and write the figures."""

    async def prepare() -> None:
        conn = await open_database(path, url)
        await migrate(conn)
        await conn.close()

    asyncio.run(prepare())
    if url:
        seconds, tickets = asyncio.run(generate_postgres(url, cases, seed))
    else:
        seconds, tickets = generate(path, cases, seed)
    figures = asyncio.run(measure(path, tickets, seed, url))
    size = (
        asyncio.run(database_bytes(url))
        if url
        else sum(p.stat().st_size for p in folder.glob("bench.db*"))
    )
    engine = "postgresql" if url else "sqlite"
    args = argparse.Namespace(cases=cases, seed=seed)
    figures = {
        "generate_seconds": round(seconds, 1),
        "bytes_per_case": round(size / args.cases),
        **figures,
    }
    settings = {"cases": args.cases, "seed": args.seed, "engine": engine}
    suffix = "_postgresql" if url else ""
    written = write_report(f"storage_scale_{args.cases}{suffix}", settings, figures)
    print(f"| measure ({args.cases:,} cases, {engine}) | value |\n|---|---|")
    print(f"| generate | {seconds:.1f} s |")
    print(f"| file size per case | {size / args.cases:.0f} bytes |")
    for name in ("status_lookup", "digest_province", "digest_regency", "filtered_list"):
        value = figures[name]
        assert isinstance(value, dict)
        print(f"| {name.replace('_', ' ')} p50 / p99 | {value['p50_ms']} / {value['p99_ms']} ms |")
    export = figures["export"]
    assert isinstance(export, dict)
    print(f"| CSV export of {export['rows']:,} cases | {export['seconds']} s |")
    print(f"\nJSON: {written.relative_to(ROOT)}")
    return 0


async def database_bytes(url: str) -> int:
    """The PostgreSQL database's size on disk."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()


if __name__ == "__main__":
    raise SystemExit(main())
