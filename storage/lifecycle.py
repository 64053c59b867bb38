"""Data lifecycle: online backups, retention of closed cases, a reporter's deletion request."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from conversations.jurisdiction.routing import REFERRED
from storage.crypto import DataCipher
from storage.database import Database, SqliteDatabase, execute, fetch_all, now_iso, transaction
from storage.files import FILE_MODE, private_dir

# A reporter may delete a report no staff member has started on; once staff verify it, it stays.
OPEN_FOR_DELETION = (REFERRED, "diterima")


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
            "UPDATE evidence SET stored_path = NULL, telegram_file_id = NULL"
            f" WHERE case_id IN ({marks})",
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


async def deletable_cases(
    conn: Database, cipher: DataCipher, chat_id: int
) -> tuple[list[str], list[str]]:
    """(tickets that can be deleted, tickets already being acted on or closed) of a chat."""
    hashes = cipher.chat_hashes(chat_id)
    marks = ", ".join("?" for _ in hashes)
    rows = await fetch_all(
        conn,
        f"SELECT ticket, status FROM cases WHERE reporter_chat_hash IN ({marks}) ORDER BY id",
        hashes,
    )
    can = [str(r["ticket"]) for r in rows if r["status"] in OPEN_FOR_DELETION]
    cannot = [str(r["ticket"]) for r in rows if r["status"] not in OPEN_FOR_DELETION]
    return can, cannot


async def delete_reporter_data(
    conn: Database, cipher: DataCipher, chat_id: int
) -> tuple[list[str], list[str]]:
    """Delete the chat's cases not yet being acted on, its draft and preferences; return the
    deleted tickets and the evidence files to remove."""
    hashes = cipher.chat_hashes(chat_id)
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
            await execute(
                conn, "DELETE FROM outbox WHERE chat_id = ? AND status = 'pending'", (chat_id,)
            )
            await execute(conn, "DELETE FROM cases WHERE id = ?", (case_id,))
        files += [
            str(r["stored_path"])
            for r in await fetch_all(
                conn,
                "SELECT stored_path FROM evidence"
                " WHERE chat_id = ? AND case_id IS NULL AND stored_path IS NOT NULL",
                (chat_id,),
            )
        ]
        await execute(
            conn, "DELETE FROM evidence WHERE chat_id = ? AND case_id IS NULL", (chat_id,)
        )
        await execute(conn, "DELETE FROM drafts WHERE chat_id = ?", (chat_id,))
        await execute(conn, "DELETE FROM reporter_sessions WHERE chat_id = ?", (chat_id,))
        await execute(conn, "DELETE FROM packet_sessions WHERE chat_id = ?", (chat_id,))
        await execute(conn, "DELETE FROM rate_events WHERE chat_id = ?", (chat_id,))
    return [ticket for _, ticket in found], files
