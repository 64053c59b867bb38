"""Storage at scale: fill a database with realistic cases, then time the hot queries.

    python bench/storage_scale.py --cases 1000000     # make bench
    python bench/storage_scale.py --cases 50000       # make bench-quick

Prints a table and writes JSON (machine, versions, settings, figures) to bench/out/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentiles, write_report  # noqa: E402
from bot.casedesk import export_csv  # noqa: E402
from bot.services import open_services  # noqa: E402
from bot.settings import Settings  # noqa: E402
from conversations.casefilters import Filters  # noqa: E402
from conversations.places import places  # noqa: E402
from conversations.status import STATUSES  # noqa: E402
from conversations.tickets import RANDOM_BITS, make_ticket  # noqa: E402
from storage import casequeries, cases  # noqa: E402
from storage.crypto import DataCipher  # noqa: E402
from storage.database import connect  # noqa: E402
from storage.migrator import migrate  # noqa: E402
from storage.staff import StaffMember  # noqa: E402

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
OFFICIAL = ["asn", "state_official", "village", "tni", "polri", "unknown"]


KEY = "pbkDb1ZPdtR5X8Zp9nKq5mSZ0zqYJzlsbHlOqfNQz2I="


def generate(path: Path, count: int, seed: int) -> tuple[float, list[str]]:
    """Insert `count` cases with bodies and events using plain sqlite3; return seconds, tickets."""
    rng = random.Random(seed)
    regencies = [r for r in places().all() if not r.is_province]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    began = time.perf_counter()
    tickets: list[str] = []
    decision = '{"bodies":[],"offices":[]}'
    # as the bot stores them: free text encrypted, the reporter's chat as a keyed hash and an
    # encrypted value (one token per chat and one description: the cost measured is reading)
    cipher = DataCipher(KEY)
    description = cipher.encrypt("Laporan contoh tentang pejabat yang berkampanye di kantor.")
    chats = {
        chat: (cipher.chat_hash(chat), cipher.encrypt(str(chat))) for chat in range(1000, 51000)
    }
    batch = 20_000
    for first in range(0, count, batch):
        case_rows, body_rows, event_rows = [], [], []
        for n in range(first, min(count, first + batch)):
            regency = rng.choice(regencies)
            created = start + dt.timedelta(seconds=n * 30)
            stamp = created.isoformat()
            ticket = make_ticket("LN", rng.getrandbits(RANDOM_BITS))
            tickets.append(ticket)
            chat_hash, chat_enc = chats[1000 + n % 50_000]
            case_rows.append((
                n + 1, ticket, f"d{n}", "id", rng.choice(CATEGORIES),
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
        conn.executemany(
            "INSERT INTO cases (id, ticket, draft_id, reporter_chat_id, language, category,"
            " description, description_enc,"
            " person_kind, province_code, regency_code, event_date, public_service, identity_mode,"
            " decision, status, status_changed_at, created_at, updated_at, reporter_chat_hash,"
            " reporter_chat_enc)"
            " VALUES (?, ?, ?, 0, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            case_rows,
        )
        conn.executemany(
            "INSERT INTO case_bodies (case_id, agency, office, added_at) VALUES (?, ?, ?, ?)",
            body_rows,
        )
        conn.executemany(
            "INSERT INTO case_events (case_id, at, actor_kind, action) VALUES (?, ?, ?, ?)",
            event_rows,
        )
        conn.commit()
    seconds = time.perf_counter() - began
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return seconds, tickets


async def measure(path: Path, tickets: list[str], seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    conn = await connect(path)
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
            await casequeries.visible(conn, member, OFFICIAL, after_id=0, limit=500, cipher=cipher)
            samples.append(time.perf_counter() - began)
        results[label] = percentiles(samples)
    samples = []
    member = StaffMember(3, "bawaslu", "", "id")
    for _ in range(20):
        began = time.perf_counter()
        await casequeries.visible(
            conn,
            member,
            OFFICIAL,
            filters=Filters(status="diterima", province="35"),
            limit=10,
            offset=20,
            cipher=cipher,
        )
        samples.append(time.perf_counter() - began)
    results["filtered_list"] = percentiles(samples)
    await conn.close()
    settings = Settings(_env_file=None, database_path=path, data_key=KEY)  # type: ignore[call-arg]
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
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-"))
    path = folder / "bench.db"

    async def prepare() -> None:
        conn = await connect(path)
        await migrate(conn)
        await conn.close()

    asyncio.run(prepare())
    seconds, tickets = generate(path, args.cases, args.seed)
    figures = asyncio.run(measure(path, tickets, args.seed))
    size = sum(p.stat().st_size for p in folder.glob("bench.db*"))
    figures = {
        "generate_seconds": round(seconds, 1),
        "bytes_per_case": round(size / args.cases),
        **figures,
    }
    settings = {"cases": args.cases, "seed": args.seed}
    written = write_report(f"storage_scale_{args.cases}", settings, figures)
    print(f"| measure ({args.cases:,} cases) | value |\n|---|---|")
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


if __name__ == "__main__":
    raise SystemExit(main())
