"""The staff and status queries use indexes: no full scan of cases on the hot paths."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from storage.casequeries import _COLUMNS, Filters, _filter_sql
from storage.database import connect
from storage.migrator import migrate
from storage.staff import StaffMember, scope_clause

OFFICIAL = ["asn", "village", "tni", "polri", "state_official", "unknown"]


async def plan(conn: aiosqlite.Connection, sql: str, params: list[object]) -> str:
    async with conn.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cur:
        return "\n".join(str(row[3]) for row in await cur.fetchall())


def no_full_scan_of_cases(text: str) -> None:
    for line in text.splitlines():
        assert not (line.startswith("SCAN c") or line.startswith("SCAN cases")), text


async def test_hot_paths_use_indexes(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "plans.db")
    try:
        await migrate(conn)
        no_full_scan_of_cases(
            await plan(
                conn, "SELECT id, status, status_changed_at FROM cases WHERE ticket = ?", ["LN-X"]
            )
        )
        no_full_scan_of_cases(
            await plan(
                conn,
                "SELECT ticket, status FROM cases WHERE reporter_chat_id = ? ORDER BY id DESC LIMIT 20",
                [1],
            )
        )
        for member in (
            StaffMember(1, "ombudsman", "36", "id"),
            StaffMember(2, "bawaslu", "36.73", "id"),
        ):
            scope_sql, params = scope_clause(member, OFFICIAL)
            digest = f"SELECT {_COLUMNS} FROM cases c WHERE c.id > ? AND {scope_sql} AND 1 ORDER BY c.id DESC LIMIT ? OFFSET ?"
            no_full_scan_of_cases(await plan(conn, digest, [0, *params, 500, 0]))
            filter_sql, filter_params = _filter_sql(Filters(status="diterima", category="other"))
            listing = f"SELECT {_COLUMNS} FROM cases c WHERE c.id > ? AND {scope_sql} AND {filter_sql} ORDER BY c.id DESC LIMIT ? OFFSET ?"
            no_full_scan_of_cases(await plan(conn, listing, [0, *params, *filter_params, 10, 0]))
    finally:
        await conn.close()
