"""The updates inbox of webhook workers: added by the ingress, claimed by workers (each chat's
earliest open update only, so a chat's updates are handled in order and one at a time), marked
done inside the transaction of the update's own changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.database import Database, execute, fetch_one, now_iso

CHANNEL = "lapor_updates"  # the ingress notifies it after keeping an update; workers listen


@dataclass(frozen=True)
class Claimed:
    """An update a worker holds until `until` (it extends the claim while it works)."""

    update_id: int
    body_enc: str
    attempts: int


async def add(
    conn: Database,
    update_id: int,
    chat_key: str,
    body_enc: str,
    now: dt.datetime,
    chat_enc: bytes | None = None,
) -> bool:
    """Keep an update Telegram delivered (`chat_key`: the chat's keyed hash; `chat_enc`: its
    sealed address); False when it was already kept (a repeated delivery)."""
    changed = await execute(
        conn,
        "INSERT INTO updates (update_id, chat_key, chat_enc, body_enc, received_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (update_id, chat_key, chat_enc, body_enc, now_iso(now)),
    )
    return changed == 1


async def next_channel_id(conn: Database) -> int:
    """A new id for a webhook channel's message, after every earlier one (never one again,
    also once the drawn ones are forgotten: `forget_channel_ids`)."""
    row = await fetch_one(conn, "INSERT INTO channel_update_ids DEFAULT VALUES RETURNING id")
    assert row is not None
    return int(row["id"])


async def forget_channel_ids(conn: Database) -> None:
    """Forget the ids drawn so far (the sequence goes on where it was)."""
    await execute(conn, "DELETE FROM channel_update_ids")


async def claim(
    conn: Database, worker: str, now: dt.datetime, lease: dt.timedelta
) -> Claimed | None:
    """Claim the oldest open update that is its chat's earliest and is not held by a live
    claim. Two workers racing for one row: the second skips it (PostgreSQL's row lock, `SKIP
    LOCKED`) and, should it still reach it, re-checks `claimed_until` and gets nothing."""
    stamp = now_iso(now)
    # PostgreSQL: a row another worker is claiming right now is skipped, not waited for (the
    # queue pattern); SQLite has one process and no row locks.
    skip_locked = " FOR UPDATE SKIP LOCKED" if conn.engine == "postgresql" else ""
    row = await fetch_one(
        conn,
        "UPDATE updates SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1"
        " WHERE update_id = ("
        "  SELECT u.update_id FROM updates u"
        "  WHERE u.done_at IS NULL AND u.failed_at IS NULL"
        "   AND (u.claimed_until IS NULL OR u.claimed_until < ?)"
        "   AND NOT EXISTS (SELECT 1 FROM updates e WHERE e.chat_key = u.chat_key"
        "    AND e.done_at IS NULL AND e.failed_at IS NULL AND e.update_id < u.update_id)"
        f"  ORDER BY u.update_id LIMIT 1{skip_locked})"
        " AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)"
        " RETURNING update_id, body_enc, attempts",
        (worker, now_iso(now + lease), stamp, stamp),
    )
    if row is None:
        return None
    return Claimed(int(row["update_id"]), str(row["body_enc"]), int(row["attempts"]))


async def relax_commit(conn: Database) -> None:
    """In a worker's transaction (PostgreSQL): do not wait for the commit to reach the disk.
    Safe here: if the server crashes before it does, the update's changes and its done mark are
    lost together, the update (kept by the ingress's own, durable commit) is still open, and a
    worker handles it again: its effects still happen once."""
    if conn.engine == "postgresql":
        await execute(conn, "SET LOCAL synchronous_commit TO off")


async def extend(
    conn: Database, update_id: int, worker: str, now: dt.datetime, lease: dt.timedelta
) -> bool:
    """Keep holding an update while working on it; False when the claim was lost."""
    changed = await execute(
        conn,
        "UPDATE updates SET claimed_until = ? WHERE update_id = ? AND claimed_by = ?"
        " AND done_at IS NULL",
        (now_iso(now + lease), update_id, worker),
    )
    return changed == 1


async def mark_done(conn: Database, update_id: int, worker: str, now: dt.datetime) -> bool:
    """Mark the update handled (inside the transaction of its changes); False when this worker
    no longer holds it (the caller rolls back: another worker handles it). A handled update
    keeps only its id (to know a repeated delivery) and times: not what was written, nor whose."""
    changed = await execute(
        conn,
        "UPDATE updates SET done_at = ?, body_enc = '', chat_key = '', chat_enc = NULL"
        " WHERE update_id = ? AND claimed_by = ? AND done_at IS NULL",
        (now_iso(now), update_id, worker),
    )
    return changed == 1


async def failed(
    conn: Database, update_id: int, worker: str, error: str, retry_at: dt.datetime
) -> None:
    """Handling the update raised `error` (an exception's type, never its text): let go of it
    until `retry_at` (any worker may take it then)."""
    await execute(
        conn,
        "UPDATE updates SET last_error = ?, claimed_until = ? WHERE update_id = ?"
        " AND claimed_by = ? AND done_at IS NULL",
        (error[:80], now_iso(retry_at), update_id, worker),
    )


async def set_aside(conn: Database, update_id: int, now: dt.datetime) -> tuple[bytes | None, str]:
    """Stop trying an update that failed again and again: the chat's later updates go on.
    Returns the chat's sealed address (to ask the reporter to send it again) and the error."""
    row = await fetch_one(
        conn,
        "UPDATE updates SET failed_at = ?, claimed_until = NULL, last_error ="
        " COALESCE(last_error, 'interrupted') WHERE update_id = ? AND done_at IS NULL"
        " RETURNING chat_enc, last_error",
        (now_iso(now), update_id),
    )
    if row is None:
        return None, ""
    sealed = row["chat_enc"]
    return (bytes(sealed) if sealed is not None else None), str(row["last_error"])


@dataclass(frozen=True)
class InboxCounts:
    """How many updates wait, how many were handled more than once (after a crash), and how
    many were set aside after failing again and again."""

    open: int
    done: int
    retried: int
    set_aside: int = 0


async def counts(conn: Database) -> InboxCounts:
    """The inbox's state, for health checks and the campaigns."""
    row = await fetch_one(
        conn,
        "SELECT COALESCE(SUM(CASE WHEN done_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END),"
        " 0) AS open_count,"
        " COALESCE(SUM(CASE WHEN done_at IS NULL THEN 0 ELSE 1 END), 0) AS done_count,"
        " COALESCE(SUM(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), 0) AS retried,"
        " COALESCE(SUM(CASE WHEN failed_at IS NULL THEN 0 ELSE 1 END), 0) AS set_aside"
        " FROM updates",
    )
    assert row is not None
    return InboxCounts(
        int(row["open_count"]), int(row["done_count"]), int(row["retried"]), int(row["set_aside"])
    )


SET_ASIDE_KEEP = dt.timedelta(days=7)  # an update set aside is kept this long for a look


async def purge_done(conn: Database, before: dt.datetime) -> int:
    """Forget updates handled before the moment, and those set aside a week before it."""
    return await execute(
        conn,
        "DELETE FROM updates WHERE (done_at IS NOT NULL AND done_at < ?)"
        " OR (failed_at IS NOT NULL AND failed_at < ?)",
        (now_iso(before), now_iso(before - SET_ASIDE_KEEP)),
    )
