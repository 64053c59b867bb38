"""Opening the SQLite file with the settings every connection needs, and transactions."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import weakref
from collections.abc import AsyncIterator, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from storage.files import private_database

BUSY_TIMEOUT_MS = 5000


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open (creating folders as needed) the database in WAL mode with foreign keys on."""
    if str(path) != ":memory:":
        private_database(Path(path))
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        private_database(Path(path))  # the -wal and -shm files SQLite has just made too
    return conn


async def connect_reader(path: Path | str) -> aiosqlite.Connection:
    """A second, read-only connection to the same file (WAL: it reads while the bot writes), for
    long reads that must not hold up the bot's own connection."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA query_only = ON")
    return conn


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> aiosqlite.Row | None:
    """The first row of a query, or None: one trip to the database thread (a cursor takes three)."""
    rows = await fetch_all(conn, sql, parameters)
    return rows[0] if rows else None


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> list[aiosqlite.Row]:
    """Every row of a query, in one trip to the database thread."""
    await _wait_turn(conn)
    return list(await conn.execute_fetchall(sql, parameters))


@dataclass
class _Turns:
    """Who may use a connection now: one transaction at a time, and while one is open, only it."""

    transaction: asyncio.Lock = field(default_factory=asyncio.Lock)
    open: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.open.set()


# Chats are handled concurrently over one connection. A statement sent while another chat's
# transaction is open would become part of it (and be undone by its rollback), so statements
# from outside wait until it ends. aiosqlite runs statements in the order they are sent, so
# one sent before BEGIN runs before it: only statements sent during the transaction wait.
_TURNS: weakref.WeakKeyDictionary[aiosqlite.Connection, _Turns] = weakref.WeakKeyDictionary()
_OWNER: ContextVar[aiosqlite.Connection | None] = ContextVar("transaction_owner", default=None)


async def _wait_turn(conn: aiosqlite.Connection) -> None:
    if _OWNER.get() is conn:
        return
    turns = _TURNS.get(conn)
    while turns is not None and not turns.open.is_set():
        await turns.open.wait()


async def execute(
    conn: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> aiosqlite.Cursor:
    """Run one statement (waiting while another task's transaction is open on the connection)."""
    await _wait_turn(conn)
    return await conn.execute(sql, parameters)


async def execute_many(
    conn: aiosqlite.Connection, sql: str, rows: Iterable[Iterable[Any]]
) -> aiosqlite.Cursor:
    """Run one statement for each row, in one trip to the database thread."""
    await _wait_turn(conn)
    return await conn.executemany(sql, rows)


@contextlib.asynccontextmanager
async def transaction(conn: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """Run the block as one write transaction: committed on success, rolled back on error.

    Transactions on the same connection wait for each other (they must not be nested), and
    other tasks' statements wait until it ends.
    """
    turns = _TURNS.setdefault(conn, _Turns())
    async with turns.transaction:  # the gate is open whenever no transaction holds this
        turns.open.clear()
        owner = _OWNER.set(conn)
        try:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
        finally:
            _OWNER.reset(owner)
            turns.open.set()


def now_iso(now: dt.datetime) -> str:
    """The storage form of a moment: ISO 8601 in UTC with seconds and microseconds."""
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")
