"""Drafts: the unfinished report of each chat, encrypted, written after every step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversations.draft import Draft
from conversations.messages import Language
from storage.chats import stored_language
from storage.crypto import ChatRef, DataCipher, address_of
from storage.database import Database, execute, fetch_all, fetch_one, now_iso


async def load(conn: Database, cipher: DataCipher, chat: ChatRef) -> Draft | None:
    """The chat's draft, or None."""
    row = await fetch_one(conn, "SELECT state FROM drafts WHERE chat_hash = ?", (chat.key,))
    return None if row is None else _opened(cipher, row["state"])


def _opened(cipher: DataCipher, state: bytes) -> Draft:
    return Draft.model_validate_json(cipher.decrypt(state))


async def load_with_language(
    conn: Database, cipher: DataCipher, chat: ChatRef
) -> tuple[Language | None, Draft | None]:
    """The chat's chosen language (None: never chose) and its draft, in one round trip: every
    update of a reporter needs both."""
    row = await fetch_one(
        conn,
        "SELECT (SELECT language FROM chats WHERE chat_hash = ?) AS language,"
        " (SELECT state FROM drafts WHERE chat_hash = ?) AS state",
        (chat.key, chat.key),
    )
    assert row is not None
    state = row["state"]
    return stored_language(row["language"]), None if state is None else _opened(cipher, state)


async def save(
    conn: Database, cipher: DataCipher, chat: ChatRef, draft: Draft, now: dt.datetime
) -> None:
    """Insert or replace the chat's draft (a new draft id restarts its clock); the sealed
    address is written with the first step only (it is for the reminder of an idle draft)."""
    stamp = now_iso(now)
    await execute(
        conn,
        "INSERT INTO drafts (chat_hash, chat_enc, draft_id, step, state, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_hash) DO UPDATE SET"
        "  created_at = CASE WHEN drafts.draft_id = excluded.draft_id"
        "   THEN drafts.created_at ELSE excluded.created_at END,"
        "  draft_id = excluded.draft_id, step = excluded.step, state = excluded.state,"
        "  updated_at = excluded.updated_at, reminded_at = NULL",
        (
            chat.key,
            cipher.encrypt(chat.address),
            draft.draft_id,
            draft.question,
            cipher.encrypt(draft.model_dump_json()),
            stamp,
            stamp,
        ),
    )


async def delete(conn: Database, chat: ChatRef) -> None:
    """Forget the chat's draft."""
    await execute(conn, "DELETE FROM drafts WHERE chat_hash = ?", (chat.key,))


@dataclass(frozen=True)
class IdleDraft:
    """A draft nobody touched for a while."""

    chat: ChatRef
    draft_id: str
    step: str


async def idle(
    conn: Database, cipher: DataCipher, untouched_since: dt.datetime, *, reminded: bool
) -> list[IdleDraft]:
    """Drafts not updated since the moment (not yet reminded, or reminded before it)."""
    select = "SELECT chat_enc, draft_id, step FROM drafts WHERE "
    if reminded:
        sql = select + "reminded_at IS NOT NULL AND reminded_at < ?"
    else:
        sql = select + "reminded_at IS NULL AND updated_at < ?"
    return [
        IdleDraft(
            cipher.chat(address_of(cipher.decrypt(r["chat_enc"]))),
            str(r["draft_id"]),
            str(r["step"]),
        )
        for r in await fetch_all(conn, sql, (now_iso(untouched_since),))
    ]


async def mark_reminded(conn: Database, chat: ChatRef, draft_id: str, now: dt.datetime) -> None:
    """Note that the reporter was reminded of this draft."""
    await execute(
        conn,
        "UPDATE drafts SET reminded_at = ? WHERE chat_hash = ? AND draft_id = ?",
        (now_iso(now), chat.key, draft_id),
    )


async def count(conn: Database) -> int:
    """How many reports are in progress."""
    row = await fetch_one(conn, "SELECT COUNT(*) AS n FROM drafts")
    return int(row["n"]) if row else 0
