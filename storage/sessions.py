"""Open actions that wait for the next message: a staff member's awaited note (status change or
internal note) and a reporter adding information to a filed case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import aiosqlite

from storage.database import execute, fetch_one, now_iso


@dataclass(frozen=True)
class StaffSession:
    """What a staff member's next typed message is for."""

    case_id: int
    action: str  # "status", "status_internal" or "note"
    value: str | None  # the new status, for a status change


async def start_staff(
    conn: aiosqlite.Connection,
    user_id: int,
    case_id: int,
    action: str,
    value: str | None,
    now: dt.datetime,
) -> None:
    """Await a note from this staff member (replacing any action they had open)."""
    await execute(
        conn,
        "INSERT INTO staff_sessions (user_id, case_id, action, value, created_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET case_id = excluded.case_id, action = excluded.action,"
        " value = excluded.value, created_at = excluded.created_at",
        (user_id, case_id, action, value, now_iso(now)),
    )


async def staff_session(conn: aiosqlite.Connection, user_id: int) -> StaffSession | None:
    """The action this staff member has open, if any."""
    row = await fetch_one(
        conn, "SELECT case_id, action, value FROM staff_sessions WHERE user_id = ?", (user_id,)
    )
    if row is None:
        return None
    return StaffSession(int(row["case_id"]), str(row["action"]), row["value"])


async def end_staff(conn: aiosqlite.Connection, user_id: int) -> None:
    """Close this staff member's open action."""
    await execute(conn, "DELETE FROM staff_sessions WHERE user_id = ?", (user_id,))


async def start_addition(
    conn: aiosqlite.Connection, chat_id: int, case_id: int, now: dt.datetime
) -> None:
    """The reporter's next messages are added to this case."""
    await execute(
        conn,
        "INSERT INTO reporter_sessions (chat_id, case_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET"
        " case_id = excluded.case_id, created_at = excluded.created_at",
        (chat_id, case_id, now_iso(now)),
    )


async def addition_case(conn: aiosqlite.Connection, chat_id: int) -> int | None:
    """The case this chat is adding to, if any."""
    row = await fetch_one(
        conn, "SELECT case_id FROM reporter_sessions WHERE chat_id = ?", (chat_id,)
    )
    return int(row["case_id"]) if row else None


async def end_addition(conn: aiosqlite.Connection, chat_id: int) -> None:
    """Stop adding to a case."""
    await execute(conn, "DELETE FROM reporter_sessions WHERE chat_id = ?", (chat_id,))
