"""Per-chat preferences (the language chosen with /bahasa)."""

from __future__ import annotations

import datetime as dt

from conversations.messages import Language
from storage.database import Database, execute, fetch_one, now_iso


def stored_language(value: object) -> Language | None:
    """A chats.language value as the language it stands for (None: the chat never chose)."""
    if value is None:
        return None
    return "en" if value == "en" else "id"


async def get_language(conn: Database, chat_id: int) -> Language | None:
    """The language this chat chose, or None when it never chose."""
    row = await fetch_one(conn, "SELECT language FROM chats WHERE chat_id = ?", (chat_id,))
    return None if row is None else stored_language(row["language"])


async def set_language(conn: Database, chat_id: int, language: Language, now: dt.datetime) -> None:
    """Remember the chat's language."""
    stamp = now_iso(now)
    await execute(
        conn,
        "INSERT INTO chats (chat_id, language, created_at, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language,"
        " updated_at = excluded.updated_at",
        (chat_id, language, stamp, stamp),
    )
