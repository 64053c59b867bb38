"""Messages of a webhook channel already handled, by their channel's id (a repeated delivery
is skipped)."""

from __future__ import annotations

import datetime as dt

from storage.database import Database, execute, fetch_one, now_iso


async def was_handled(conn: Database, message_key: str) -> bool:
    """Whether this message was handled already."""
    row = await fetch_one(
        conn, "SELECT 1 AS one FROM seen_messages WHERE message_key = ?", (message_key,)
    )
    return row is not None


async def mark_handled(conn: Database, message_key: str, now: dt.datetime) -> bool:
    """Remember that this message was handled (or kept to be); False when it already was."""
    changed = await execute(
        conn,
        "INSERT INTO seen_messages (message_key, handled_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (message_key, now_iso(now)),
    )
    return changed == 1


async def forget_before(conn: Database, before: dt.datetime) -> int:
    """Forget the messages handled before `before`; how many."""
    return await execute(conn, "DELETE FROM seen_messages WHERE handled_at < ?", (now_iso(before),))
