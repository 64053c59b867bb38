"""The queries the code really runs on the hot paths use indexes: no full scan of cases.

Every statement is captured as SQLite runs it (a trace callback), then explained: a change
that turns a status lookup into a scan fails here, not in production at a million cases.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography.fernet import Fernet

from conversations.casefilters import Filters
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.staff import StaffMember
from storage import casequeries, cases
from storage.crypto import DataCipher
from storage.database import SqliteDatabase, connect
from storage.migrator import migrate

POLICY = default_jurisdiction().visibility  # the visibility policy of the shipped rules


async def plan(conn: SqliteDatabase, sql: str) -> str:
    rows = conn.raw.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return "\n".join(str(row[3]) for row in rows)


def no_full_scan_of_cases(text: str, sql: str) -> None:
    for line in text.splitlines():
        scanned = line.startswith(("SCAN c", "SCAN cases")) and "USING" not in line
        assert not scanned, f"{sql}\n{text}"


async def test_hot_paths_use_indexes(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "plans.db")
    try:
        await migrate(conn)
        ran: list[str] = []
        conn.raw.set_trace_callback(ran.append)
        cipher = DataCipher(Fernet.generate_key().decode())
        chat = cipher.chat("telegram:42")
        await cases.status_of(conn, "LN-7K3M-Q9TX-W2HC", cipher, chat)
        await cases.tickets_of_chat(conn, chat)
        await cases.filed_since(conn, chat, dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        for member in (
            StaffMember(1, "ombudsman", "36", "id"),
            StaffMember(2, "bawaslu", "36.73", "id"),
            StaffMember(3, "", "", "id", admin=True),
        ):
            await casequeries.visible(conn, member, POLICY, after_id=0, limit=500, cipher=cipher)
            await casequeries.visible(
                conn, member, POLICY, filters=Filters(status="diterima", category="other"),
                cipher=cipher,
            )  # fmt: skip
            await casequeries.by_ticket(conn, "LN-7K3M-Q9TX-W2HC", member, POLICY, cipher)
            # the web console's list: each order, and the capped count
            for order in ("newest", "oldest", "waiting"):
                await casequeries.visible(conn, member, POLICY, order=order, cipher=cipher)
            await casequeries.count_visible(conn, member, POLICY, Filters(), cap=10_000)
        conn.raw.set_trace_callback(None)
        selects = [sql for sql in ran if sql.lstrip().upper().startswith("SELECT")]
        assert len(selects) >= 24
        for sql in selects:
            no_full_scan_of_cases(await plan(conn, sql), sql)
    finally:
        await conn.close()
