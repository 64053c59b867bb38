"""The data key against the database: the start-up check and re-encryption under a new key."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from storage.chatkeys import rehash
from storage.crypto import CHECK_TEXT, TELEGRAM, DataCipher, chat_address
from storage.database import Database, execute, fetch_all, fetch_one, now_iso, transaction
from storage.files import write_private

# Every encrypted column: (table, key column, encrypted column).
ENCRYPTED = (
    ("chats", "chat_hash", "chat_enc"),
    ("drafts", "chat_hash", "state"),
    ("drafts", "chat_hash", "chat_enc"),
    ("cases", "id", "reporter_name_enc"),
    ("cases", "id", "reporter_phone_enc"),
    ("cases", "id", "packet_answers_enc"),
    ("cases", "id", "description_enc"),
    ("cases", "id", "person_name_enc"),
    ("cases", "id", "place_detail_enc"),
    ("cases", "id", "service_name_enc"),
    ("cases", "id", "location_enc"),
    ("cases", "id", "reporter_chat_enc"),
    ("case_events", "id", "note_enc"),
    ("evidence", "id", "file_name_enc"),
    ("evidence", "id", "url_enc"),
    ("outbox", "id", "payload_enc"),
    ("outbox", "id", "chat_enc"),
    ("updates", "update_id", "chat_enc"),
    ("packet_sessions", "chat_hash", "state_enc"),
    ("key_check", "id", "check_enc"),
)


class WrongKeyError(RuntimeError):
    """DATA_KEY does not decrypt this database."""


async def check_key(conn: Database, cipher: DataCipher, now: dt.datetime) -> None:
    """Store the check value on first use; afterwards refuse a key that cannot read it."""
    row = await fetch_one(conn, "SELECT check_enc FROM key_check WHERE id = 1")
    if row is None:
        await execute(
            conn,
            "INSERT INTO key_check (id, check_enc, created_at) VALUES (1, ?, ?)",
            (cipher.encrypt(CHECK_TEXT), now_iso(now)),
        )
        return
    try:
        ok = cipher.decrypt(row["check_enc"]) == CHECK_TEXT
    except ValueError:
        ok = False
    if not ok:
        raise WrongKeyError(
            "DATA_KEY does not fit this database (it was encrypted with another key);"
            " to change keys, see `python -m bot rotate-key --help`"
        )


async def rotate_keys(conn: Database, cipher: DataCipher, now: dt.datetime) -> int:
    """Re-encrypt every encrypted value and evidence file with the current (first) key, and
    hash chat ids with it, in one transaction; return how many values were rewritten."""
    rewritten = 0
    async with transaction(conn):
        for table, key, column in ENCRYPTED:
            rows = await fetch_all(
                conn,
                f"SELECT {key} AS row_key, {column} AS value FROM {table}"
                f" WHERE {column} IS NOT NULL",
            )
            for row in rows:
                await execute(
                    conn,
                    f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                    (cipher.rotate(row["value"]), row["row_key"]),
                )
            rewritten += len(rows)
        for row in await fetch_all(conn, "SELECT update_id, body_enc FROM updates"):
            await execute(
                conn,
                "UPDATE updates SET body_enc = ? WHERE update_id = ?",
                (cipher.encrypt_token(cipher.decrypt_token(row["body_enc"])), row["update_id"]),
            )
            rewritten += 1
        rewritten += await rehash(conn, cipher)
        for row in await fetch_all(
            conn, "SELECT stored_path FROM evidence WHERE stored_path IS NOT NULL"
        ):
            rewritten += await asyncio.to_thread(_rotate_file, cipher, Path(row["stored_path"]))
        await execute(conn, "UPDATE key_check SET rotated_at = ? WHERE id = 1", (now_iso(now),))
    return rewritten


def _rotate_file(cipher: DataCipher, path: Path) -> int:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    write_private(path, cipher.rotate_bytes(data))
    return 1


def _encrypt_file(cipher: DataCipher, path: Path) -> None:
    """An evidence file stored before files were encrypted: encrypt it in place."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    try:
        cipher.decrypt_bytes(data)
        return  # already encrypted
    except ValueError:
        write_private(path, cipher.encrypt_bytes(data))


async def encrypt_legacy(conn: Database, cipher: DataCipher) -> int:
    """Move values stored in clear by earlier versions into the encrypted columns (and files),
    emptying the clear ones; idempotent. Returns how many rows changed."""
    changed = 0
    async with transaction(conn):
        legacy = await fetch_all(
            conn,
            "SELECT id, description, person_name, place_detail, service_name, latitude,"
            " longitude, reporter_chat_id FROM cases WHERE description_enc IS NULL",
        )
        for row in legacy:
            location = (
                f"{row['latitude']},{row['longitude']}" if row["latitude"] is not None else None
            )
            address = chat_address(TELEGRAM, int(row["reporter_chat_id"]))
            await execute(
                conn,
                "UPDATE cases SET description_enc = ?, person_name_enc = ?, place_detail_enc = ?,"
                " service_name_enc = ?, location_enc = ?, reporter_chat_hash = ?,"
                " reporter_chat_enc = ?, description = '', person_name = NULL,"
                " place_detail = NULL, service_name = NULL, latitude = NULL, longitude = NULL,"
                " reporter_chat_id = 0 WHERE id = ?",
                (
                    cipher.encrypt(str(row["description"])),
                    cipher.encrypt_optional(row["person_name"]),
                    cipher.encrypt_optional(row["place_detail"]),
                    cipher.encrypt_optional(row["service_name"]),
                    cipher.encrypt_optional(location),
                    cipher.chat_hash(address),
                    cipher.encrypt(address),
                    row["id"],
                ),
            )
        changed += len(legacy)
        notes = await fetch_all(
            conn, "SELECT id, note FROM case_events WHERE note IS NOT NULL AND note_enc IS NULL"
        )
        for row in notes:
            await execute(
                conn,
                "UPDATE case_events SET note_enc = ?, note = NULL WHERE id = ?",
                (cipher.encrypt(str(row["note"])), row["id"]),
            )
        changed += len(notes)
        items = await fetch_all(
            conn,
            "SELECT id, file_name, url, stored_path FROM evidence"
            " WHERE (file_name IS NOT NULL AND file_name_enc IS NULL)"
            " OR (url IS NOT NULL AND url_enc IS NULL)",
        )
        for row in items:
            await execute(
                conn,
                "UPDATE evidence SET file_name_enc = ?, url_enc = ?, file_name = NULL, url = NULL"
                " WHERE id = ?",
                (
                    cipher.encrypt_optional(row["file_name"]),
                    cipher.encrypt_optional(row["url"]),
                    row["id"],
                ),
            )
            if row["stored_path"]:
                await asyncio.to_thread(_encrypt_file, cipher, Path(row["stored_path"]))
        changed += len(items)
        queued = await fetch_all(
            conn, "SELECT id, payload FROM outbox WHERE payload != '' AND payload_enc IS NULL"
        )
        for row in queued:
            encrypted = cipher.encrypt(str(row["payload"])) if row["payload"] else None
            await execute(
                conn,
                "UPDATE outbox SET payload_enc = ?, payload = '' WHERE id = ?",
                (encrypted, row["id"]),
            )
        changed += len(queued)
    return changed
