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


class RotationIncompleteError(RuntimeError):
    """Values sealed under an older key keep appearing: a process still runs on it."""


KEY_WATCH_SECONDS = 30  # how often a running process checks that its keys still fit
ROTATION_PASSES = 5


def _ids(text: object) -> set[str]:
    return {part for part in str(text or "").split(",") if part}


async def check_key(conn: Database, cipher: DataCipher, now: dt.datetime) -> None:
    """Store the check value on first use; afterwards refuse a key that cannot read it, and a
    DATA_KEY that lacks a key values may still be sealed under (a rotation not yet finished).
    A process whose first key is new to the database starts a rotation: the key is recorded,
    and every process without it stops (`keys_fit`) before `rotate_keys` reseals."""
    mine = cipher.key_ids()
    row = await fetch_one(conn, "SELECT check_enc, key_ids FROM key_check WHERE id = 1")
    if row is None:
        await execute(
            conn,
            "INSERT INTO key_check (id, check_enc, created_at, key_ids) VALUES (1, ?, ?, ?)",
            (cipher.encrypt(CHECK_TEXT), now_iso(now), mine[0]),
        )
        return
    try:
        ok = cipher.decrypt(row["check_enc"]) == CHECK_TEXT
    except ValueError:
        ok = False
    if not ok:
        raise WrongKeyError(
            "DATA_KEY does not fit this database (it was encrypted with another key);"
            " to change keys, see `python -m lapor rotate-key --help`"
        )
    in_use = _ids(row["key_ids"]) or set(mine)  # earlier versions kept no record
    if not in_use <= set(mine):
        raise WrongKeyError(
            "a key rotation is under way and values may be sealed under a key DATA_KEY does"
            " not hold: set DATA_KEY=NEW,OLD until `python -m lapor rotate-key` has finished"
        )
    if mine[0] not in in_use or not row["key_ids"]:
        await execute(
            conn,
            "UPDATE key_check SET key_ids = ? WHERE id = 1",
            (",".join(sorted(in_use | {mine[0]})),),
        )


async def keys_fit(conn: Database, cipher: DataCipher) -> bool:
    """Whether this process still holds every key values may be sealed under (a rotation
    started elsewhere: a process on the old key alone must stop, or what it writes from now on
    could not be read once the old key is dropped)."""
    row = await fetch_one(conn, "SELECT key_ids FROM key_check WHERE id = 1")
    return row is None or _ids(row["key_ids"]) <= set(cipher.key_ids())


async def rotate_keys(
    conn: Database, cipher: DataCipher, now: dt.datetime, *, grace_seconds: float
) -> int:
    """Re-encrypt every value and evidence file with the current (first) key and move every
    chat hash to it; return how many values were rewritten.

    `check_key` has recorded the new key, so a process still on the old key alone stops within
    KEY_WATCH_SECONDS: the rotation waits `grace_seconds` for that, then reseals, then sweeps
    until every value opens with the new key alone (a value a straggler wrote meanwhile is
    resealed in the next pass), and only then records the new key as the only one and seals
    the check value with it: a start with the new key alone passes only when nothing needs the
    old one."""
    await asyncio.sleep(grace_seconds)
    current = cipher.current_only()
    rewritten = 0
    for _ in range(ROTATION_PASSES):
        rewritten += await _reseal(conn, cipher)
        left = await _left_behind(conn, current)
        if left == 0:
            break
    else:
        raise RotationIncompleteError(
            f"{left} values are still being written under an older key: restart every process"
            " with DATA_KEY=NEW,OLD, then run rotate-key again"
        )
    await execute(
        conn,
        "UPDATE key_check SET check_enc = ?, key_ids = ?, rotated_at = ? WHERE id = 1",
        (current.encrypt(CHECK_TEXT), current.key_ids()[0], now_iso(now)),
    )
    return rewritten


async def _reseal(conn: Database, cipher: DataCipher) -> int:
    """One pass: every value, inbox body, chat hash and evidence file under the current key."""
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
        for row in await fetch_all(
            conn, "SELECT update_id, body_enc FROM updates WHERE body_enc != ''"
        ):
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
    return rewritten


async def _left_behind(conn: Database, current: DataCipher) -> int:
    """How many values, inbox bodies and evidence files the current key alone cannot open."""
    left = 0
    for table, _, column in ENCRYPTED:
        for row in await fetch_all(
            conn, f"SELECT {column} AS value FROM {table} WHERE {column} IS NOT NULL"
        ):
            try:
                current.decrypt(row["value"])
            except ValueError:
                left += 1
    for row in await fetch_all(conn, "SELECT body_enc FROM updates WHERE body_enc != ''"):
        try:
            current.decrypt_token(row["body_enc"])
        except ValueError:
            left += 1
    for row in await fetch_all(
        conn, "SELECT stored_path FROM evidence WHERE stored_path IS NOT NULL"
    ):
        left += not await asyncio.to_thread(_opens, current, Path(row["stored_path"]))
    return left


def _opens(cipher: DataCipher, path: Path) -> bool:
    try:
        cipher.decrypt_bytes(path.read_bytes())
    except FileNotFoundError:
        return True
    except ValueError:
        return False
    return True


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
