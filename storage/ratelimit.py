"""Per-chat rate limits kept in the database, so a restart does not reset them."""

from __future__ import annotations

import datetime as dt

from storage.database import Database, execute, fetch_one, now_iso, transaction


async def allow(
    conn: Database,
    chat_id: int,
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
            "DELETE FROM rate_events WHERE chat_id = ? AND action = ? AND at < ?",
            (chat_id, action, since),
        )
        row = await fetch_one(
            conn,
            "SELECT COUNT(*) AS n FROM rate_events WHERE chat_id = ? AND action = ?",
            (chat_id, action),
        )
        if row is not None and int(row["n"]) >= limit:
            return False
        await execute(
            conn,
            "INSERT INTO rate_events (chat_id, action, at) VALUES (?, ?, ?)",
            (chat_id, action, now_iso(now)),
        )
    return True
