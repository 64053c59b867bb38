"""The database every repository talks to, whichever engine holds it: SQLite (one file, one
process: the embedded default) or PostgreSQL (`storage/postgres.py`: several workers).

Repositories write SQL once, in the subset both engines read the same way: `?` placeholders,
`TRUE`/`FALSE`, `INSERT … ON CONFLICT … DO NOTHING/UPDATE`, `RETURNING`, moments as ISO text
(`now_iso`), and read rows by column name. An engine adapts the rest in one place.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import aiosqlite

from storage.files import private_database

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
# After this much statement time on the event loop the next statement lets the loop serve the
# other chats first: a job running many statements (digests for every staff member, an export
# over a million cases) then delays a reply by this much, not by the whole job.
LOOP_SHARE_SECONDS = 0.005
# How often the running bot copies SQLite's write-ahead log into the database file, in a thread.
CHECKPOINT_SECONDS = 1.0


class IntegrityError(Exception):
    """A constraint refused the statement (a unique key taken, a foreign key missing); the
    message is the engine's."""


class Row(Protocol):
    """A result row, read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


class Database(abc.ABC):
    """An open database: statements, transactions, closing."""

    engine: ClassVar[str]

    @abc.abstractmethod
    async def fetch_all(self, sql: str, parameters: Iterable[Any] = ()) -> list[Row]:
        """Every row of a query."""

    @abc.abstractmethod
    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        """Run one statement; how many rows it changed."""

    @abc.abstractmethod
    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row."""

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        """The block as one transaction: committed on success, rolled back on error. The
        block's statements, and only they, run inside it."""

    @abc.abstractmethod
    def exclusive(self, name: str) -> contextlib.AbstractAsyncContextManager[bool]:
        """Whether this process may run the job `name` now: True for one holder at a time
        across every process sharing the database (PostgreSQL: an advisory lock), always True
        on SQLite (one process)."""

    async def notify(self, channel: str) -> None:
        """Wake the processes listening on `channel` (PostgreSQL; one process needs none)."""
        return None

    @contextlib.asynccontextmanager
    async def listen(self, channel: str, on_notice: Callable[[], None]) -> AsyncIterator[None]:
        """Call `on_notice` whenever another process notifies `channel` (PostgreSQL)."""
        yield

    async def forget_deleted(self) -> None:  # noqa: B027 (nothing to do unless overridden)
        """After deleting a reporter's data: leave no copy of it in the storage's own files.
        PostgreSQL keeps dead rows until VACUUM reclaims them (README: what the operator runs);
        SQLite empties its write-ahead log (below)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection(s)."""


@dataclass
class _Turns:
    """Who may use a connection now: one transaction at a time, and while one is open, only it."""

    transaction: asyncio.Lock = field(default_factory=asyncio.Lock)
    open: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.open.set()


# The database whose transaction the current task is running (its statements go in), and that
# task: a task started inside the block (a job scheduled by a handler, say) inherits the context
# but is not part of the transaction.
_OWNER: ContextVar[tuple[Database, asyncio.Task[Any] | None] | None] = ContextVar(
    "transaction_owner", default=None
)


class SqliteDatabase(Database):
    """The bot's own SQLite connection, shared by every chat of the process.

    Its statements run on the event loop's thread: the bot's statements find one row or a few
    by key and take microseconds, while handing each to a connection thread and back costs
    ten times that in thread switches (`bench/RESULTS.md`: 17 µs against 210 µs of CPU for a
    draft's read and write). Long reads (the web console's lists and exports) use
    `connect_reader`, which runs them in a thread of their own.

    Chats are handled concurrently over the connection. A statement sent while another chat's
    transaction is open would become part of it (and be undone by its rollback), so statements
    from outside wait until it ends.
    """

    engine = "sqlite"

    def __init__(self, raw: sqlite3.Connection, path: Path | str) -> None:
        self.raw = raw  # SQLite itself, for what only SQLite has (query plans, pragmas)
        self.path = path
        self._turns = _Turns()
        self._unshared = 0.0  # statement seconds on the loop since it last served others
        self._checkpoints: asyncio.Task[None] | None = None
        self._stop_checkpoints = asyncio.Event()

    async def _wait_turn(self) -> None:
        owner = _OWNER.get()
        if owner is not None and owner[0] is self and owner[1] is asyncio.current_task():
            return
        while not self._turns.open.is_set():
            await self._turns.open.wait()

    async def fetch_all(self, sql: str, parameters: Iterable[Any] = ()) -> list[Row]:
        await self._wait_turn()
        rows = self._on_loop(lambda: self.raw.execute(sql, tuple(parameters)).fetchall())
        await self._share_loop()
        return rows

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        await self._wait_turn()
        changed = self._on_loop(lambda: self.raw.execute(sql, tuple(parameters)).rowcount)
        await self._share_loop()
        return changed

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._wait_turn()
        self._on_loop(lambda: self.raw.executemany(sql, rows))
        await self._share_loop()

    async def _share_loop(self) -> None:
        # After the statement, never before it: a statement sent before another chat's
        # transaction must run before that transaction begins.
        if self._unshared > LOOP_SHARE_SECONDS:
            self._unshared = 0.0
            await asyncio.sleep(0)

    def _on_loop(self, statement: Callable[[], T]) -> T:
        """Run a statement, its time counted against the loop's share, its refusal in the
        project's own terms (INSERT … RETURNING refuses in a fetch too)."""
        started = time.perf_counter()
        try:
            return statement()
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        finally:
            self._unshared += time.perf_counter() - started

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        # Transactions wait for each other (they must not be nested); other tasks' statements
        # wait until it ends.
        async with self._turns.transaction:  # the gate is open whenever no transaction holds it
            self._turns.open.clear()
            owner = _OWNER.set((self, asyncio.current_task()))
            try:
                self.raw.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    if self.raw.in_transaction:  # SQLite may have rolled back already
                        self.raw.execute("ROLLBACK")
                    raise
                self.raw.execute("COMMIT")
            finally:
                _OWNER.reset(owner)
                self._turns.open.set()

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        yield True  # one process owns the file

    @property
    def in_transaction(self) -> bool:
        """Whether SQLite has a transaction open on the connection."""
        return self.raw.in_transaction

    def checkpoint_in_a_thread(self) -> None:
        """From now on copy the write-ahead log into the database file every
        CHECKPOINT_SECONDS from a connection of its own in a thread, instead of in whichever
        statement fills the log: the copy ends with an fsync, which waits for the disk (up to
        200 ms under load here) and would stall every chat on the event loop."""
        if self._checkpoints is None:
            self.raw.execute("PRAGMA wal_autocheckpoint = 0")
            self._checkpoints = asyncio.create_task(self._checkpoint_every_second())

    async def _checkpoint_every_second(self) -> None:
        copier = await asyncio.to_thread(
            sqlite3.connect, str(self.path), isolation_level=None, check_same_thread=False
        )
        try:
            while not self._stop_checkpoints.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_checkpoints.wait(), CHECKPOINT_SECONDS)
                try:
                    await asyncio.to_thread(copier.execute, "PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:  # the next round tries again
                    log.warning("checkpoint failed: %s", type(exc).__name__)
        finally:
            copier.close()

    async def forget_deleted(self) -> None:
        """Copy the write-ahead log into the file and empty it: `secure_delete` has zeroed the
        deleted rows in their pages, but the log still holds the pages as they were. From a
        connection of its own in a thread: a reader of the console may make it wait."""

        def truncate() -> bool:
            copier = sqlite3.connect(str(self.path), isolation_level=None, timeout=5)
            try:
                busy, _, _ = copier.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                return bool(busy == 0)
            finally:
                copier.close()

        for _ in range(5):
            try:
                if await asyncio.to_thread(truncate):
                    return
            except sqlite3.Error as exc:
                log.warning("emptying the log failed: %s", type(exc).__name__)
            await asyncio.sleep(0.2)
        log.warning("the log could not be emptied now: the next deletion tries again")

    async def close(self) -> None:
        if self._checkpoints is not None:
            self._stop_checkpoints.set()
            await self._checkpoints
        self.raw.close()


class SqliteReader(Database):
    """A read-only connection to the same file, its statements run in a thread of its own
    (aiosqlite), for long reads that must neither hold up nor block the bot (WAL: it reads
    while the bot writes)."""

    engine = "sqlite"

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    async def fetch_all(self, sql: str, parameters: Iterable[Any] = ()) -> list[Row]:
        return list(await self.raw.execute_fetchall(sql, tuple(parameters)))

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        cursor = await self.raw.execute(sql, tuple(parameters))
        return cursor.rowcount

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, rows)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        raise TypeError("a reader only reads: write transactions belong to the bot's connection")
        yield  # pragma: no cover (makes this a generator)

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        yield True

    async def close(self) -> None:
        await self.raw.close()


async def connect(path: Path | str) -> SqliteDatabase:
    """Open (creating folders as needed) the SQLite file in WAL mode with foreign keys on."""
    if str(path) != ":memory:":
        private_database(Path(path))
    raw = sqlite3.connect(str(path), isolation_level=None)
    raw.row_factory = sqlite3.Row
    raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not just unlinked
    if str(path) != ":memory:":
        private_database(Path(path))  # the -wal and -shm files SQLite has just made too
    return SqliteDatabase(raw, path)


async def connect_reader(path: Path | str) -> SqliteReader:
    """A second, read-only connection to the same file, reading in its own thread."""
    raw = await aiosqlite.connect(str(path), isolation_level=None)
    raw.row_factory = aiosqlite.Row
    await raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await raw.execute("PRAGMA query_only = ON")
    return SqliteReader(raw)


async def open_database(path: Path, url: str | None = None, pool_size: int = 10) -> Database:
    """PostgreSQL when `url` is given (a pool of `pool_size`), else the SQLite file at `path`."""
    if url:
        from storage.postgres import connect_url  # asyncpg only when PostgreSQL is used

        return await connect_url(url, pool_size=pool_size)
    return await connect(path)


async def ping(conn: Database) -> None:
    """Raise unless the database answers (readiness checks)."""
    await conn.fetch_all("SELECT 1 AS one")


async def fetch_one(conn: Database, sql: str, parameters: Iterable[Any] = ()) -> Row | None:
    """The first row of a query, or None."""
    rows = await conn.fetch_all(sql, parameters)
    return rows[0] if rows else None


async def fetch_all(conn: Database, sql: str, parameters: Iterable[Any] = ()) -> list[Row]:
    """Every row of a query (waiting while another task's transaction is open on SQLite)."""
    return await conn.fetch_all(sql, parameters)


async def execute(conn: Database, sql: str, parameters: Iterable[Any] = ()) -> int:
    """Run one statement; how many rows it changed."""
    return await conn.execute(sql, parameters)


async def execute_many(conn: Database, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run one statement for each row, in one trip."""
    await conn.execute_many(sql, rows)


@contextlib.asynccontextmanager
async def transaction(conn: Database) -> AsyncIterator[Database]:
    """Run the block as one write transaction: committed on success, rolled back on error."""
    async with conn.transaction():
        yield conn


def now_iso(now: dt.datetime) -> str:
    """The storage form of a moment: ISO 8601 in UTC with seconds and microseconds."""
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")
