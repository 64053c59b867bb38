"""What a chat has open between messages: a staff member's awaited note (status change or
internal note) and the filters of their last case list; a reporter adding information to a
filed case."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from conversations.casefilters import NO_FILTERS, Filters
from storage.crypto import ChatRef
from storage.database import Database, execute, fetch_one, now_iso


@dataclass(frozen=True)
class StaffSession:
    """What a staff member's next typed message is for."""

    case_id: int
    action: str  # "status", "status_internal" or "note"
    value: str | None  # the new status, for a status change


async def start_staff(
    conn: Database,
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


async def open_kinds(conn: Database, user_id: int | None, chat: ChatRef) -> set[str]:
    """Which sessions a private chat has open ("staff" note awaited, "packet" questions,
    "addition" to a case), in one round trip: every message a chat sends is checked."""
    row = await fetch_one(
        conn,
        "SELECT EXISTS (SELECT 1 FROM staff_sessions WHERE user_id = ?) AS staff,"
        " EXISTS (SELECT 1 FROM packet_sessions WHERE chat_hash = ?) AS packet,"
        " EXISTS (SELECT 1 FROM reporter_sessions WHERE chat_hash = ?) AS addition",
        (user_id, chat.key, chat.key),
    )
    assert row is not None
    return {kind for kind in ("staff", "packet", "addition") if row[kind]}


async def staff_session(conn: Database, user_id: int) -> StaffSession | None:
    """The action this staff member has open, if any."""
    row = await fetch_one(
        conn, "SELECT case_id, action, value FROM staff_sessions WHERE user_id = ?", (user_id,)
    )
    if row is None:
        return None
    return StaffSession(int(row["case_id"]), str(row["action"]), row["value"])


async def end_staff(conn: Database, user_id: int) -> None:
    """Close this staff member's open action."""
    await execute(conn, "DELETE FROM staff_sessions WHERE user_id = ?", (user_id,))


async def start_addition(conn: Database, chat: ChatRef, case_id: int, now: dt.datetime) -> None:
    """The reporter's next messages are added to this case."""
    await execute(
        conn,
        "INSERT INTO reporter_sessions (chat_hash, case_id, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_hash) DO UPDATE SET"
        " case_id = excluded.case_id, created_at = excluded.created_at",
        (chat.key, case_id, now_iso(now)),
    )


async def addition_case(conn: Database, chat: ChatRef) -> int | None:
    """The case this chat is adding to, if any."""
    row = await fetch_one(
        conn, "SELECT case_id FROM reporter_sessions WHERE chat_hash = ?", (chat.key,)
    )
    return int(row["case_id"]) if row else None


async def end_addition(conn: Database, chat: ChatRef) -> None:
    """Stop adding to a case."""
    await execute(conn, "DELETE FROM reporter_sessions WHERE chat_hash = ?", (chat.key,))


async def keep_list_filters(
    conn: Database, user_id: int, filters: Filters, now: dt.datetime
) -> None:
    """Remember the filters of this staff member's case list (for its paging buttons)."""
    values = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in dataclasses.asdict(filters).items()
        if value is not None
    }
    await execute(
        conn,
        "INSERT INTO staff_list_filters (user_id, filters, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET"
        " filters = excluded.filters, updated_at = excluded.updated_at",
        (user_id, json.dumps(values), now_iso(now)),
    )


async def list_filters(conn: Database, user_id: int) -> Filters:
    """The filters of this staff member's last case list (none when there was no list)."""
    row = await fetch_one(
        conn, "SELECT filters FROM staff_list_filters WHERE user_id = ?", (user_id,)
    )
    if row is None:
        return NO_FILTERS
    values = json.loads(row["filters"])
    for name in ("since", "until"):
        if name in values:
            values[name] = dt.date.fromisoformat(values[name])
    return Filters(**values)
