"""Opening the SQLite file with the settings every connection needs, and transactions."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import weakref
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import aiosqlite

BUSY_TIMEOUT_MS = 5000


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open (creating folders as needed) the database in WAL mode with foreign keys on."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> aiosqlite.Row | None:
    """The first row of a query, or None: one trip to the database thread (a cursor takes three)."""
    rows = await conn.execute_fetchall(sql, parameters)
    return next(iter(rows), None)


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> list[aiosqlite.Row]:
    """Every row of a query, in one trip to the database thread."""
    return list(await conn.execute_fetchall(sql, parameters))


# Chats are handled concurrently over one connection: one transaction at a time on it.
_TRANSACTION_LOCKS: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


@contextlib.asynccontextmanager
async def transaction(conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """Run the block as one write transaction: committed on success, rolled back on error.

    Transactions on the same connection wait for each other (they must not be nested).
    """
    lock = _TRANSACTION_LOCKS.setdefault(conn, asyncio.Lock())
    async with lock:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")


def now_iso(now: dt.datetime) -> str:
    """The storage form of a moment: ISO 8601 in UTC with seconds and microseconds."""
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")
