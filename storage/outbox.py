"""The delivery outbox: messages written with the change that caused them, sent by one worker.

A row finds its chat by keyed hash and sends to the sealed address beside it; once delivered
(or given up) the row keeps neither the message nor the address, and it is deleted a few days
later: a delivered row never names a chat."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from storage.crypto import ChatRef, DataCipher, address_of
from storage.database import Database, execute, fetch_all, fetch_one, now_iso, transaction


@dataclass(frozen=True)
class OutboxRow:
    """One message waiting to be delivered."""

    id: int
    chat: ChatRef
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    cursor_user_id: int | None
    cursor_case_id: int | None


async def enqueue(
    conn: Database,
    chat: ChatRef,
    kind: str,
    payload: dict[str, Any],
    now: dt.datetime,
    *,
    cipher: DataCipher,
    cursor: tuple[int, int] | None = None,
) -> int:
    """Queue a message (call inside the transaction of the change that causes it); what it says
    is stored encrypted."""
    cursor_user, cursor_case = cursor if cursor else (None, None)
    row = await fetch_one(
        conn,
        "INSERT INTO outbox (chat_hash, chat_enc, kind, payload, payload_enc, status,"
        " next_attempt_at, created_at, cursor_user_id, cursor_case_id)"
        " VALUES (?, ?, ?, '', ?, 'pending', ?, ?, ?, ?) RETURNING id",
        (
            chat.key,
            cipher.encrypt(chat.address),
            kind,
            cipher.encrypt(json.dumps(payload, ensure_ascii=False)),
            now_iso(now),
            now_iso(now),
            cursor_user,
            cursor_case,
        ),
    )
    assert row is not None
    return int(row["id"])


async def next_due(conn: Database, now: dt.datetime, cipher: DataCipher) -> OutboxRow | None:
    """The oldest message due now. A row still 'sending' was cut off by a crash: it is due too."""
    row = await fetch_one(
        conn,
        "SELECT id, chat_enc, kind, payload_enc, status, attempts, cursor_user_id, cursor_case_id"
        " FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?"
        " ORDER BY id LIMIT 1",
        (now_iso(now),),
    )
    if row is None:
        return None
    return OutboxRow(
        id=int(row["id"]),
        chat=cipher.chat(address_of(cipher.decrypt(row["chat_enc"]))),
        kind=str(row["kind"]),
        payload=json.loads(cipher.decrypt(row["payload_enc"])),
        status=str(row["status"]),
        attempts=int(row["attempts"]),
        cursor_user_id=row["cursor_user_id"],
        cursor_case_id=row["cursor_case_id"],
    )


async def mark_sending(conn: Database, row: OutboxRow) -> None:
    """Note the attempt before the API call; a row found 'sending' later is a possible re-send."""
    await execute(
        conn,
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
        " resends = resends + (CASE WHEN status = 'sending' THEN 1 ELSE 0 END) WHERE id = ?",
        (row.id,),
    )


async def mark_sent(conn: Database, row: OutboxRow, now: dt.datetime) -> None:
    """Delivered: mark it, and move the staff member's digest cursor if the row carries one."""
    stamp = now_iso(now)
    async with transaction(conn):
        await execute(
            conn,
            "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL, chat_hash = NULL,"
            " chat_enc = NULL, payload_enc = NULL WHERE id = ?",
            (stamp, row.id),
        )
        if row.cursor_user_id is not None and row.cursor_case_id is not None:
            # The cursor moves past the digest's cases only when none of its parts (queued
            # together, so with the same moment) was refused: those cases come again next time.
            refused = await fetch_one(
                conn,
                "SELECT COUNT(*) AS n FROM outbox o WHERE o.id != ? AND o.chat_hash = ?"
                " AND o.kind = ? AND o.status IN ('failed', 'blocked')"
                " AND o.created_at = (SELECT created_at FROM outbox WHERE id = ?)",
                (row.id, row.chat.key, row.kind, row.id),
            )
            if refused is not None and int(refused["n"]) > 0:
                return
            await execute(
                conn,
                "INSERT INTO digest_cursors (user_id, last_case_id, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET"
                " last_case_id = CASE WHEN digest_cursors.last_case_id > excluded.last_case_id"
                "  THEN digest_cursors.last_case_id ELSE excluded.last_case_id END,"
                " updated_at = excluded.updated_at",
                (row.cursor_user_id, row.cursor_case_id, stamp),
            )


async def retry_later(conn: Database, row: OutboxRow, at: dt.datetime, error: str) -> None:
    """Try again at `at` (network trouble, 5xx, 429)."""
    await execute(
        conn,
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?",
        (now_iso(at), error[:200], row.id),
    )


async def give_up(conn: Database, row: OutboxRow, status: str, error: str) -> None:
    """Stop trying: 'blocked' (403, the user blocked the bot) or 'failed' (a permanent 400). The
    message and the address go; the hash stays until the row is purged (a digest's cursor looks
    for refused parts of the same digest by it)."""
    await execute(
        conn,
        "UPDATE outbox SET status = ?, last_error = ?, chat_enc = NULL, payload_enc = NULL"
        " WHERE id = ?",
        (status, error[:200], row.id),
    )


async def pending_for(conn: Database, chat: ChatRef, kind: str) -> bool:
    """Whether a message of this kind is still waiting for this chat."""
    return (
        await fetch_one(
            conn,
            "SELECT 1 FROM outbox WHERE chat_hash = ? AND kind = ?"
            " AND status IN ('pending', 'sending') LIMIT 1",
            (chat.key, kind),
        )
    ) is not None


async def purge_finished(conn: Database, before: dt.datetime) -> int:
    """Forget rows delivered or given up before the moment (they hold no message by then)."""
    return await execute(
        conn,
        "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'blocked') AND created_at < ?",
        (now_iso(before),),
    )


async def counts(conn: Database) -> dict[str, int]:
    """Rows by status, and the number of re-sends after a crash."""
    result = {
        str(r["status"]): int(r["n"])
        for r in await fetch_all(conn, "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
    }
    row = await fetch_one(conn, "SELECT COALESCE(SUM(resends), 0) AS n FROM outbox")
    result["resends"] = int(row["n"]) if row else 0
    return result
