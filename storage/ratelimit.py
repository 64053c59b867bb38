"""Per-chat rate limits kept in the database, so a restart does not reset them."""

from __future__ import annotations

import datetime as dt

from storage.crypto import ChatRef
from storage.database import Database, execute, fetch_one, now_iso, transaction


async def allow(
    conn: Database,
    chat: ChatRef,
    action: str,
    *,
    limit: int,
    window: dt.timedelta,
    now: dt.datetime,
) -> bool:
    """Count one `action` for the chat unless `limit` were already counted within `window`."""
    since = now_iso(now - window)
    async with transaction(conn):
        await execute(
            conn,
            "DELETE FROM rate_events WHERE chat_hash = ? AND action = ? AND at < ?",
            (chat.key, action, since),
        )
        row = await fetch_one(
            conn,
            "SELECT COUNT(*) AS n FROM rate_events WHERE chat_hash = ? AND action = ?",
            (chat.key, action),
        )
        if row is not None and int(row["n"]) >= limit:
            return False
        await execute(
            conn,
            "INSERT INTO rate_events (chat_hash, action, at) VALUES (?, ?, ?)",
            (chat.key, action, now_iso(now)),
        )
    return True
