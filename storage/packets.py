"""Filing packets: the reporter's answers for the forms, and the questions being answered."""

from __future__ import annotations

import datetime as dt

from conversations.packet import PacketAnswers, PacketSession
from storage.crypto import ChatRef, DataCipher
from storage.database import Database, execute, fetch_one, now_iso, transaction


async def answers_of(conn: Database, cipher: DataCipher, case_id: int) -> PacketAnswers:
    """What the reporter added for the forms of this case (nothing yet: empty answers)."""
    row = await fetch_one(conn, "SELECT packet_answers_enc FROM cases WHERE id = ?", (case_id,))
    text = cipher.decrypt_optional(row["packet_answers_enc"]) if row else None
    return PacketAnswers.model_validate_json(text) if text else PacketAnswers()


async def start(
    conn: Database,
    cipher: DataCipher,
    chat: ChatRef,
    case_id: int,
    session: PacketSession,
    now: dt.datetime,
) -> None:
    """Remember that this chat is answering the packet questions of a case."""
    await execute(
        conn,
        "INSERT INTO packet_sessions (chat_hash, case_id, state_enc, created_at)"
        " VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_hash) DO UPDATE SET case_id = excluded.case_id,"
        " state_enc = excluded.state_enc, created_at = excluded.created_at",
        (chat.key, case_id, cipher.encrypt(session.model_dump_json()), now_iso(now)),
    )


async def session_of(
    conn: Database, cipher: DataCipher, chat: ChatRef
) -> tuple[int, PacketSession] | None:
    """The case and the questions this chat is answering, if any."""
    row = await fetch_one(
        conn, "SELECT case_id, state_enc FROM packet_sessions WHERE chat_hash = ?", (chat.key,)
    )
    if row is None:
        return None
    return int(row["case_id"]), PacketSession.model_validate_json(cipher.decrypt(row["state_enc"]))


async def finish(
    conn: Database,
    cipher: DataCipher,
    chat: ChatRef,
    case_id: int,
    answers: PacketAnswers | None,
) -> None:
    """End the chat's questions; keep the answers with the case (None: cancelled, keep none)."""
    async with transaction(conn):
        if answers is not None:
            await execute(
                conn,
                "UPDATE cases SET packet_answers_enc = ? WHERE id = ?",
                (cipher.encrypt(answers.model_dump_json()), case_id),
            )
        await execute(conn, "DELETE FROM packet_sessions WHERE chat_hash = ?", (chat.key,))


async def cancel(conn: Database, chat: ChatRef) -> None:
    """Forget the chat's unfinished packet questions."""
    await execute(conn, "DELETE FROM packet_sessions WHERE chat_hash = ?", (chat.key,))
