"""Staff members: agency, scope and language; who may see which case."""

from __future__ import annotations

import datetime as dt

from conversations.staff import StaffMember
from conversations.visibility import Policy
from storage.database import Database, Row, execute, fetch_all, fetch_one, now_iso
from storage.visibility import to_sql


def _member(row: Row) -> StaffMember:
    return StaffMember(
        user_id=int(row["user_id"]),
        agency=str(row["agency"]),
        scope=str(row["scope_code"]),
        language=str(row["language"]),
        blocked=row["blocked_at"] is not None,
    )


async def get(conn: Database, user_id: int) -> StaffMember | None:
    """The staff member with this Telegram id, if any."""
    row = await fetch_one(
        conn,
        "SELECT user_id, agency, scope_code, language, blocked_at FROM staff WHERE user_id = ?",
        (user_id,),
    )
    return _member(row) if row else None


async def all_staff(conn: Database) -> list[StaffMember]:
    """Every staff member, by agency then id."""
    return [
        _member(r)
        for r in await fetch_all(
            conn,
            "SELECT user_id, agency, scope_code, language, blocked_at FROM staff"
            " ORDER BY agency, user_id",
        )
    ]


async def upsert(
    conn: Database,
    user_id: int,
    agency: str,
    scope: str,
    added_by: int | None,
    now: dt.datetime,
    language: str = "id",
) -> bool:
    """Add a staff member or change their agency and scope; True when newly added (the caller
    checks the agency against the rules file's staff bodies)."""
    existing = await get(conn, user_id)
    stamp = now_iso(now)
    await execute(
        conn,
        "INSERT INTO staff"
        " (user_id, agency, scope_code, language, added_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " agency = excluded.agency, scope_code = excluded.scope_code,"
        " updated_at = excluded.updated_at, blocked_at = NULL",
        (user_id, agency, scope, language, added_by, stamp, stamp),
    )
    return existing is None


async def remove(conn: Database, user_id: int) -> bool:
    """Remove a staff member; False when there was none."""
    removed = await execute(conn, "DELETE FROM staff WHERE user_id = ?", (user_id,))
    await execute(conn, "DELETE FROM digest_cursors WHERE user_id = ?", (user_id,))
    await execute(conn, "DELETE FROM staff_sessions WHERE user_id = ?", (user_id,))
    await execute(conn, "DELETE FROM staff_list_filters WHERE user_id = ?", (user_id,))
    await execute(conn, "DELETE FROM web_sessions WHERE user_id = ?", (user_id,))
    await execute(conn, "DELETE FROM web_login_links WHERE user_id = ?", (user_id,))
    return removed > 0


async def mark_blocked(conn: Database, user_id: int, now: dt.datetime) -> None:
    """Telegram refused delivery (403): the staff member blocked the bot."""
    await execute(
        conn, "UPDATE staff SET blocked_at = ? WHERE user_id = ?", (now_iso(now), user_id)
    )


async def agencies_covering(
    conn: Database, province_code: str, regency_code: str | None
) -> set[str]:
    """Agencies with at least one staff member (not blocked) whose scope covers the place."""
    rows = await fetch_all(
        conn,
        "SELECT DISTINCT agency FROM staff WHERE blocked_at IS NULL AND scope_code IN ('', ?, ?)",
        (province_code, regency_code or province_code),
    )
    return {str(row["agency"]) for row in rows}


def scope_clause(member: StaffMember, policy: Policy, alias: str = "c") -> tuple[str, list[object]]:
    """SQL condition (and its parameters) for the cases this member may see: the visibility
    policy's expression written as SQL (conversations/visibility.py)."""
    return to_sql(policy.sees(member.viewer), alias)


def identity_clause(
    member: StaffMember, policy: Policy, alias: str = "c"
) -> tuple[str, list[object]]:
    """SQL condition for "this member may see who reported the case", from the same policy."""
    return to_sql(policy.sees_identity(member.viewer), alias)
