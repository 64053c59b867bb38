"""Per-chat preferences (the language chosen with /bahasa)."""

from __future__ import annotations

import datetime as dt

from conversations.messages import Language, as_language
from storage.crypto import ChatRef, DataCipher
from storage.database import Database, execute, fetch_one, now_iso


def stored_language(value: object) -> Language | None:
    """A chats.language value as the language it stands for (None: the chat never chose)."""
    if value is None:
        return None
    return as_language(value)


async def get_language(conn: Database, chat: ChatRef) -> Language | None:
    """The language this chat chose, or None when it never chose."""
    row = await fetch_one(conn, "SELECT language FROM chats WHERE chat_hash = ?", (chat.key,))
    return None if row is None else stored_language(row["language"])


async def set_language(
    conn: Database, cipher: DataCipher, chat: ChatRef, language: Language, now: dt.datetime
) -> None:
    """Remember the chat's language (with its sealed address, which lets rotate-key re-hash it)."""
    stamp = now_iso(now)
    await execute(
        conn,
        "INSERT INTO chats (chat_hash, chat_enc, language, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_hash) DO UPDATE SET language = excluded.language,"
        " updated_at = excluded.updated_at",
        (chat.key, cipher.encrypt(chat.address), language, stamp, stamp),
    )


async def heard(
    conn: Database, cipher: DataCipher, chat: ChatRef, language: Language, now: dt.datetime
) -> None:
    """The chat wrote to us now (its language is kept when it has one)."""
    stamp = now_iso(now)
    await execute(
        conn,
        "INSERT INTO chats (chat_hash, chat_enc, language, created_at, updated_at, heard_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_hash) DO UPDATE SET heard_at = excluded.heard_at",
        (chat.key, cipher.encrypt(chat.address), language, stamp, stamp, stamp),
    )


async def heard_at(conn: Database, chat: ChatRef) -> dt.datetime | None:
    """When the chat last wrote to us, if it did since this was recorded."""
    row = await fetch_one(conn, "SELECT heard_at FROM chats WHERE chat_hash = ?", (chat.key,))
    value = row["heard_at"] if row is not None else None
    return dt.datetime.fromisoformat(str(value)) if value else None
