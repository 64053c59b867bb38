"""Data lifecycle: online backups, retention of closed cases, a reporter's deletion request."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from conversations.statuses import RECEIVED, REFERRED
from storage.crypto import ChatRef
from storage.database import Database, SqliteDatabase, execute, fetch_all, now_iso, transaction
from storage.files import FILE_MODE, private_dir

# A reporter may delete a report no staff member has started on; once staff verify it, it stays.
OPEN_FOR_DELETION = (REFERRED, RECEIVED)


# Identity and files go after the retention period once a case is closed, or when it was
# referred elsewhere and no staff member here ever took it over.
async def backup(conn: Database, target: Path) -> None:
    """A consistent copy of the database while it is in use (SQLite's online backup; a
    PostgreSQL database is backed up with pg_dump, see the README)."""
    if not isinstance(conn, SqliteDatabase):
        raise RuntimeError("backup copies a SQLite file; back PostgreSQL up with pg_dump")
    private_dir(target.parent)
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.unlink(missing_ok=True)
    temporary.touch(mode=FILE_MODE)
    # From a connection of its own in a thread: a big file takes a while to copy, and the
    # bot's connection runs on the event loop (WAL: the copy reads one consistent snapshot).
    await asyncio.to_thread(_copy, Path(conn.path), temporary)
    temporary.replace(target)


def _copy(source: Path, destination: Path) -> None:
    """SQLite's online backup of `source` into `destination`."""
    reading = sqlite3.connect(source)
    writing = sqlite3.connect(destination)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


@dataclass(frozen=True)
class Purge:
    """What a retention run found (and, unless dry, did)."""

    cases: int
    evidence_files: list[str]


async def purge_closed(
    conn: Database,
    older_than: dt.datetime,
    now: dt.datetime,
    final: Collection[str],
    *,
    dry_run: bool,
) -> Purge:
    """Remove the reporter's identity and the evidence files of cases closed (a `final` status)
    or referred and never taken over, before the moment.

    The case itself (what happened, where, the decision, its history and the files' hashes)
    stays for statistics and accountability.
    """
    purgeable = [*final, REFERRED]
    marks = ", ".join("?" for _ in purgeable)
    ids = [
        int(r["id"])
        for r in await fetch_all(
            conn,
            f"SELECT id FROM cases WHERE status IN ({marks}) AND status_changed_at < ?"
            " AND anonymised_at IS NULL",
            (*purgeable, now_iso(older_than)),
        )
    ]
    files: list[str] = []
    for case_id in ids:
        files += [
            str(r["stored_path"])
            for r in await fetch_all(
                conn,
                "SELECT stored_path FROM evidence WHERE case_id = ? AND stored_path IS NOT NULL",
                (case_id,),
            )
        ]
    if dry_run or not ids:
        return Purge(len(ids), files)
    marks = ", ".join("?" for _ in ids)
    async with transaction(conn):
        await execute(
            conn,
            f"UPDATE cases SET reporter_name_enc = NULL, reporter_phone_enc = NULL,"
            f" packet_answers_enc = NULL, reporter_chat_hash = NULL, reporter_chat_enc = NULL,"
            f" anonymised_at = ? WHERE id IN ({marks})",
            [now_iso(now), *ids],
        )
        await execute(
            conn,
            "UPDATE evidence SET stored_path = NULL, telegram_file_id = NULL,"
            f" file_name_enc = NULL WHERE case_id IN ({marks})",
            ids,
        )
        for case_id in ids:
            await execute(
                conn,
                "INSERT INTO case_events (case_id, at, actor_kind, action, public)"
                " VALUES (?, ?, 'system', 'anonymised', 0)",
                (case_id, now_iso(now)),
            )
    return Purge(len(ids), files)


RATE_EVENTS_KEEP = dt.timedelta(days=2)  # the longest rate window is a day


async def forget_leftovers(conn: Database, untouched_since: dt.datetime, now: dt.datetime) -> int:
    """Delete what still finds a chat after the retention run: rate counters past every window,
    sessions on anonymised cases, and the language rows of chats quiet since the moment that have
    nothing else here (no draft, no session, no case that still knows them): having talked to
    the bot is itself sensitive. Staff keep their language in the staff table."""
    removed = await execute(
        conn, "DELETE FROM rate_events WHERE at < ?", (now_iso(now - RATE_EVENTS_KEEP),)
    )
    for table in ("reporter_sessions", "packet_sessions"):
        removed += await execute(
            conn,
            f"DELETE FROM {table} WHERE case_id IN"
            " (SELECT id FROM cases WHERE anonymised_at IS NOT NULL)",
        )
    return removed + await execute(
        conn,
        "DELETE FROM chats WHERE updated_at < ?"
        " AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.chat_hash = chats.chat_hash)"
        " AND NOT EXISTS (SELECT 1 FROM reporter_sessions r WHERE r.chat_hash = chats.chat_hash)"
        " AND NOT EXISTS (SELECT 1 FROM packet_sessions p WHERE p.chat_hash = chats.chat_hash)"
        " AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.reporter_chat_hash = chats.chat_hash)",
        (now_iso(untouched_since),),
    )


async def deletable_cases(conn: Database, chat: ChatRef) -> tuple[list[str], list[str]]:
    """(tickets that can be deleted, tickets already being acted on or closed) of a chat."""
    hashes = chat.keys
    marks = ", ".join("?" for _ in hashes)
    rows = await fetch_all(
        conn,
        f"SELECT ticket, status FROM cases WHERE reporter_chat_hash IN ({marks}) ORDER BY id",
        hashes,
    )
    can = [str(r["ticket"]) for r in rows if r["status"] in OPEN_FOR_DELETION]
    cannot = [str(r["ticket"]) for r in rows if r["status"] not in OPEN_FOR_DELETION]
    return can, cannot


async def delete_reporter_data(conn: Database, chat: ChatRef) -> tuple[list[str], list[str]]:
    """Delete the chat's cases not yet being acted on, its draft, sessions, rate counters,
    messages waiting for it, its handled updates and its preferences (every row that finds the
    chat); return the deleted tickets and the evidence files to remove. Cases already being acted
    on stay (with the sealed address, for their status notifications)."""
    hashes = chat.keys
    marks = ", ".join("?" for _ in hashes)
    async with transaction(conn):
        found = [
            (int(r["id"]), str(r["ticket"]))
            for r in await fetch_all(
                conn,
                f"SELECT id, ticket FROM cases WHERE reporter_chat_hash IN ({marks})"
                " AND status IN (?, ?)",
                (*hashes, *OPEN_FOR_DELETION),
            )
        ]
        files: list[str] = []
        for case_id, _ in found:
            files += [
                str(r["stored_path"])
                for r in await fetch_all(
                    conn,
                    "SELECT stored_path FROM evidence"
                    " WHERE case_id = ? AND stored_path IS NOT NULL",
                    (case_id,),
                )
            ]
            await execute(conn, "DELETE FROM cases WHERE id = ?", (case_id,))
        drafted = f"SELECT draft_id FROM drafts WHERE chat_hash IN ({marks})"
        files += [
            str(r["stored_path"])
            for r in await fetch_all(
                conn,
                "SELECT stored_path FROM evidence"
                f" WHERE draft_id IN ({drafted}) AND case_id IS NULL AND stored_path IS NOT NULL",
                hashes,
            )
        ]
        await execute(
            conn, f"DELETE FROM evidence WHERE draft_id IN ({drafted}) AND case_id IS NULL", hashes
        )
        for table, column in (
            ("drafts", "chat_hash"),
            ("reporter_sessions", "chat_hash"),
            ("packet_sessions", "chat_hash"),
            ("rate_events", "chat_hash"),
            ("chats", "chat_hash"),
        ):
            await execute(conn, f"DELETE FROM {table} WHERE {column} IN ({marks})", hashes)
        await execute(
            conn,
            f"DELETE FROM outbox WHERE chat_hash IN ({marks}) AND status IN ('pending', 'failed',"
            " 'blocked')",
            hashes,
        )
        await execute(
            conn,
            f"DELETE FROM updates WHERE chat_key IN ({marks}) AND failed_at IS NOT NULL",
            hashes,
        )
    return [ticket for _, ticket in found], files
