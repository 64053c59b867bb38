"""Evidence rows: collected while drafting, attached to the case when it is filed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.crypto import DataCipher
from storage.database import Database, execute, fetch_all, fetch_one, now_iso


@dataclass(frozen=True)
class StoredEvidence:
    """One piece of evidence as kept on disk and in the database."""

    kind: str
    telegram_file_id: str | None
    file_unique_id: str | None
    file_name: str | None
    mime_type: str | None
    size_bytes: int
    sha256_received: str | None
    sha256_stored: str | None
    stored_path: str | None
    url: str | None
    metadata_removed: bool
    received_at: dt.datetime | None = None  # when the bot received it (set when read back)


async def add(
    conn: Database,
    draft_id: str,
    item: StoredEvidence,
    now: dt.datetime,
    cipher: DataCipher,
) -> bool:
    """Record evidence for a draft (its name and link encrypted); False when this file was
    already recorded for it."""
    changed = await execute(conn,
        "INSERT INTO evidence (draft_id, kind, telegram_file_id, file_unique_id,"
        " file_name_enc, mime_type, size_bytes, sha256_received, sha256_stored, stored_path,"
        " url_enc, metadata_removed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (
            draft_id, item.kind, item.telegram_file_id, item.file_unique_id,
            cipher.encrypt_optional(item.file_name), item.mime_type, item.size_bytes,
            item.sha256_received, item.sha256_stored, item.stored_path,
            cipher.encrypt_optional(item.url), int(item.metadata_removed), now_iso(now),
        ),
    )  # fmt: skip
    return changed == 1


async def add_to_case(
    conn: Database,
    case_id: int,
    item: StoredEvidence,
    now: dt.datetime,
    cipher: DataCipher,
) -> None:
    """Record evidence a reporter added to a filed case (call inside a transaction)."""
    draft_id = f"case-{case_id}"
    await add(conn, draft_id, item, now, cipher)
    await execute(
        conn,
        "UPDATE evidence SET case_id = ? WHERE draft_id = ? AND case_id IS NULL",
        (case_id, draft_id),
    )


async def of_case(conn: Database, case_id: int, cipher: DataCipher) -> list[StoredEvidence]:
    """The evidence of a filed case, in the order it was sent (the files stay encrypted)."""
    rows = await fetch_all(
        conn,
        "SELECT kind, telegram_file_id, file_unique_id, file_name_enc, mime_type, size_bytes,"
        " sha256_received, sha256_stored, stored_path, url_enc, metadata_removed, created_at"
        " FROM evidence WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [
        StoredEvidence(
            kind=str(r["kind"]),
            telegram_file_id=r["telegram_file_id"],
            file_unique_id=r["file_unique_id"],
            file_name=cipher.decrypt_optional(r["file_name_enc"]),
            mime_type=r["mime_type"],
            size_bytes=int(r["size_bytes"] or 0),
            sha256_received=r["sha256_received"],
            sha256_stored=r["sha256_stored"],
            stored_path=r["stored_path"],
            url=cipher.decrypt_optional(r["url_enc"]),
            metadata_removed=bool(r["metadata_removed"]),
            received_at=_moment(r["created_at"]),
        )
        for r in rows
    ]


def _moment(stamp: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


async def drop_for_draft(conn: Database, draft_id: str) -> list[str]:
    """Delete the unfiled evidence of a draft; return the stored files to remove."""
    paths = [
        str(r["stored_path"])
        for r in await fetch_all(
            conn,
            "SELECT stored_path FROM evidence"
            " WHERE draft_id = ? AND case_id IS NULL AND stored_path IS NOT NULL",
            (draft_id,),
        )
    ]
    await execute(conn, "DELETE FROM evidence WHERE draft_id = ? AND case_id IS NULL", (draft_id,))
    return paths


async def drop_file(conn: Database, draft_id: str, unique_prefix: str) -> list[str]:
    """Delete one unfiled evidence file of a draft (the reporter dropped it); return its path."""
    rows = await fetch_all(
        conn,
        "SELECT id, stored_path FROM evidence WHERE draft_id = ? AND case_id IS NULL"
        " AND substr(file_unique_id, 1, 40) = ?",
        (draft_id, unique_prefix),
    )
    for row in rows:
        await execute(conn, "DELETE FROM evidence WHERE id = ?", (row["id"],))
    return [str(row["stored_path"]) for row in rows if row["stored_path"]]


async def additions_of(conn: Database, case_id: int) -> tuple[int, int]:
    """How many times the reporter added to a filed case, and the bytes of its stored evidence."""
    row = await fetch_one(
        conn,
        "SELECT (SELECT COUNT(*) FROM case_events WHERE case_id = ?"
        "        AND action IN ('reporter_info', 'reporter_evidence')) AS additions,"
        " (SELECT COALESCE(SUM(size_bytes), 0) FROM evidence WHERE case_id = ?) AS bytes",
        (case_id, case_id),
    )
    return (int(row["additions"]), int(row["bytes"])) if row else (0, 0)
