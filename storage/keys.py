"""The data key against the database: the start-up check and re-encryption under a new key."""

from __future__ import annotations

import datetime as dt

import aiosqlite

from storage.crypto import CHECK_TEXT, DataCipher
from storage.database import execute, fetch_all, fetch_one, now_iso, transaction

# Every encrypted column: (table, key column, encrypted column).
ENCRYPTED = (
    ("drafts", "chat_id", "state"),
    ("cases", "id", "reporter_name_enc"),
    ("cases", "id", "reporter_phone_enc"),
    ("cases", "id", "packet_answers_enc"),
    ("packet_sessions", "chat_id", "state_enc"),
    ("key_check", "id", "check_enc"),
)


class WrongKeyError(RuntimeError):
    """DATA_KEY does not decrypt this database."""


async def check_key(conn: aiosqlite.Connection, cipher: DataCipher, now: dt.datetime) -> None:
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
        ok = cipher.decrypt(row[0]) == CHECK_TEXT
    except ValueError:
        ok = False
    if not ok:
        raise WrongKeyError(
            "DATA_KEY does not fit this database (it was encrypted with another key);"
            " to change keys, see `python -m bot rotate-key --help`"
        )


async def rotate_keys(conn: aiosqlite.Connection, cipher: DataCipher, now: dt.datetime) -> int:
    """Re-encrypt every encrypted value with the current (first) key, in one transaction;
    return how many values were rewritten."""
    rewritten = 0
    async with transaction(conn):
        for table, key, column in ENCRYPTED:
            rows = await fetch_all(
                conn, f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
            )
            updates = [(cipher.rotate(row[1]), row[0]) for row in rows]
            for value, row_key in updates:
                await execute(
                    conn, f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (value, row_key)
                )
            rewritten += len(updates)
        await execute(conn, "UPDATE key_check SET rotated_at = ? WHERE id = 1", (now_iso(now),))
    return rewritten
