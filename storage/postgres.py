"""PostgreSQL as the database of one or several bot workers (`DATABASE_URL`): an asyncpg pool,
the project's SQL adapted once per statement text, transactions on one pooled connection held
by the task that opened them.

asyncpg was chosen over psycopg 3: it speaks PostgreSQL's binary protocol itself, prepares and
caches each statement once per connection and answers a query in one round trip, and its pool
is built in; the project needs nothing psycopg adds (sync use, COPY helpers, SQL composition).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg

from storage.database import Database, IntegrityError, Row

if TYPE_CHECKING:
    Connection: TypeAlias = asyncpg.pool.PoolConnectionProxy[asyncpg.Record]

# SQLite's aggregate and JSON functions by their PostgreSQL names (`hex` is a function the
# baseline migration defines; empty aggregates are NULL in PostgreSQL: the SQL wraps them in
# COALESCE for both engines).
_RENAMED = {
    "group_concat(": "string_agg(",
    "json_group_array(": "json_agg(",
    "json_array(": "json_build_array(",
}
_FUNCTION = re.compile(r"\b(group_concat|json_group_array|json_array)\(", re.IGNORECASE)
_COUNT = re.compile(r"(\d+)$")


def adapt(sql: str) -> str:
    """The project's SQL as PostgreSQL reads it: `?` placeholders numbered `$1, $2, …` (not
    inside quoted text), SQLite's aggregate and JSON functions by their PostgreSQL names."""
    out: list[str] = []
    number = 0
    quoted = False
    for char in sql:
        if char == "'":
            quoted = not quoted
        if char == "?" and not quoted:
            number += 1
            out.append(f"${number}")
        else:
            out.append(char)
    return _FUNCTION.sub(lambda m: _RENAMED[m.group(0).lower()], "".join(out))


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database."""

    engine = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.pool = pool
        self._url = url
        self._adapted: dict[str, str] = {}
        # the connection of the transaction the current task is running, if any, and that task
        # (a task started inside the block inherits the context but not the transaction)
        self._held: ContextVar[tuple[Connection, asyncio.Task[Any] | None] | None] = ContextVar(
            f"postgres_transaction_{id(self)}", default=None
        )

    def _mine(self) -> Connection | None:
        held = self._held.get()
        return held[0] if held is not None and held[1] is asyncio.current_task() else None

    def _sql(self, sql: str) -> str:
        adapted = self._adapted.get(sql)
        if adapted is None:
            adapted = self._adapted[sql] = adapt(sql)
        return adapted

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        held = self._mine()
        if held is not None:
            yield held
            return
        async with self.pool.acquire() as connection:
            yield connection

    async def fetch_all(self, sql: str, parameters: Iterable[Any] = ()) -> list[Row]:
        async with self._connection() as connection:
            try:
                return list(await connection.fetch(self._sql(sql), *parameters))
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityError(str(exc)) from exc

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        async with self._connection() as connection:
            try:
                status = await connection.execute(self._sql(sql), *parameters)
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityError(str(exc)) from exc
        found = _COUNT.search(status or "")  # "INSERT 0 1", "UPDATE 3", "DELETE 0", "CREATE…"
        return int(found.group(1)) if found else 0

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self._connection() as connection:
            try:
                await connection.executemany(self._sql(sql), list(rows))
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityError(str(exc)) from exc

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        held = self._mine()
        if held is not None:
            # Inside a worker's transaction around a whole update: a savepoint, so that this
            # block still succeeds or fails whole, and commits with the update.
            async with held.transaction():
                yield
            return
        async with self.pool.acquire() as connection, connection.transaction():
            token = self._held.set((connection, asyncio.current_task()))
            try:
                yield
            finally:
                self._held.reset(token)

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        async with self.pool.acquire() as connection:
            mine = bool(
                await connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", name)
            )
            try:
                yield mine
            finally:
                if mine:
                    await connection.execute("SELECT pg_advisory_unlock(hashtext($1))", name)

    async def notify(self, channel: str) -> None:
        async with self._connection() as connection:
            await connection.execute("SELECT pg_notify($1, '')", channel)

    @contextlib.asynccontextmanager
    async def listen(self, channel: str, on_notice: Callable[[], None]) -> AsyncIterator[None]:
        # a connection of its own: a pooled one would stop listening when given back
        connection = await asyncpg.connect(self._url)

        def heard(*_: object) -> None:
            on_notice()

        await connection.add_listener(channel, heard)
        try:
            yield
        finally:
            await connection.close()

    async def close(self) -> None:
        await self.pool.close()


async def connect_url(url: str, *, pool_size: int = 10) -> PostgresDatabase:
    """A pool of up to `pool_size` connections to the database at `url`."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size)
    return PostgresDatabase(pool, url)


async def create_database(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server at `server_url` (its `postgres` database);
    the new database's URL. For tests, benchmarks and campaigns that each want a fresh one."""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server_url.replace("/postgres?", f"/{name}?")


async def drop_database(server_url: str, name: str) -> None:
    """Drop database `name` on the server, closing its connections."""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
