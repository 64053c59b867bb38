"""One connection, many chats: a transaction is never joined by another chat's statements."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from conversations.messages import Language
from storage import chats, database
from storage.crypto import DataCipher
from storage.database import (
    Database,
    SqliteDatabase,
    connect,
    fetch_one,
    open_database,
    transaction,
)
from storage.migrator import migrate

NOW = dt.datetime(2024, 11, 20, 3, tzinfo=dt.UTC)
CIPHER = DataCipher(Fernet.generate_key().decode())


async def set_language(conn: Database, chat_id: int, language: Language) -> None:
    """Remember a Telegram chat's language (one statement)."""
    await chats.set_language(conn, CIPHER, CIPHER.chat(f"telegram:{chat_id}"), language, NOW)


async def get_language(conn: Database, chat_id: int) -> Language | None:
    """A Telegram chat's language."""
    return await chats.get_language(conn, CIPHER.chat(f"telegram:{chat_id}"))


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    connection = await connect(tmp_path / "lapor.db")
    await migrate(connection)
    yield connection
    await connection.close()


async def test_a_rollback_does_not_undo_another_chats_write(conn: SqliteDatabase) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def failing_transaction() -> None:
        with pytest.raises(RuntimeError):
            async with transaction(conn):
                await set_language(conn, 1, "en")
                inside.set()
                await release.wait()
                raise RuntimeError("the filing failed half-way")

    first = asyncio.create_task(failing_transaction())
    await inside.wait()
    other = asyncio.create_task(set_language(conn, 2, "en"))
    await asyncio.sleep(0.05)
    assert not other.done()  # it waits for the open transaction instead of joining it
    release.set()
    await asyncio.gather(first, other)
    assert await get_language(conn, 2) == "en"
    assert await get_language(conn, 1) is None


async def test_statements_sent_before_a_transaction_are_not_held_up(
    conn: SqliteDatabase,
) -> None:
    release = asyncio.Event()

    async def long_transaction() -> None:
        async with transaction(conn):
            await release.wait()

    before = asyncio.create_task(set_language(conn, 3, "id"))
    holder = asyncio.create_task(long_transaction())
    await asyncio.wait_for(before, 5)
    release.set()
    await holder


async def test_a_statement_sent_before_a_transaction_runs_first_even_when_the_loop_is_owed(
    conn: SqliteDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every statement hands the loop back afterwards: never before it runs, or a transaction
    # begun meanwhile would hold it up (here: for ever, the transaction waits for it).
    monkeypatch.setattr(database, "LOOP_SHARE_SECONDS", 0.0)
    await set_language(conn, 4, "en")  # the loop is owed a turn from here on
    release = asyncio.Event()

    async def long_transaction() -> None:
        async with transaction(conn):
            await release.wait()

    before = asyncio.create_task(set_language(conn, 3, "id"))
    holder = asyncio.create_task(long_transaction())
    await asyncio.wait_for(before, 5)
    release.set()
    await holder


async def test_many_chats_and_transactions_at_once_all_finish(conn: SqliteDatabase) -> None:
    async def chat(chat_id: int) -> None:
        for round_ in range(5):
            if (chat_id + round_) % 3 == 0:
                async with transaction(conn):
                    await set_language(conn, chat_id, "en")
                    await asyncio.sleep(0)
                    await set_language(conn, chat_id, "id")
            else:
                await set_language(conn, chat_id, "en" if round_ % 2 else "id")

    await asyncio.wait_for(asyncio.gather(*(chat(n) for n in range(60))), 30)
    row = await fetch_one(conn, "SELECT COUNT(*) FROM chats")
    assert row is not None and row[0] == 60
    assert not conn.in_transaction


async def task_inside_a_transaction(db: Database) -> None:
    """A job a handler schedules while the worker's transaction around the update is open (the
    outbox kicked after filing) inherits the block's context; its writes must neither be undone
    with the block nor be sent on the block's connection."""
    started: list[asyncio.Task[None]] = []
    with pytest.raises(RuntimeError):
        async with transaction(db):
            await set_language(db, 1, "en")
            started.append(asyncio.create_task(set_language(db, 2, "en")))
            await asyncio.sleep(0.05)
            raise RuntimeError("the update's handling failed half-way")
    await asyncio.gather(*started)
    assert await get_language(db, 2) == "en"  # the task's own write stays
    assert await get_language(db, 1) is None  # the block's was rolled back


async def test_a_task_started_inside_a_transaction_is_not_part_of_it(
    conn: SqliteDatabase,
) -> None:
    await task_inside_a_transaction(conn)


async def test_a_task_started_inside_a_transaction_is_not_part_of_it_on_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    db = await open_database(tmp_path / "unused.db", postgres_url)
    try:
        await migrate(db)
        await task_inside_a_transaction(db)
    finally:
        await db.close()


async def test_a_long_run_of_statements_gives_the_loop_to_other_chats(
    conn: SqliteDatabase,
) -> None:
    # SQLite statements run on the event loop: a job making many of them (digests for every
    # staff member, an export) must let the other chats' replies through every few ms.
    served = 0
    done = asyncio.Event()

    async def another_chat() -> None:
        nonlocal served
        while not done.is_set():
            served += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(another_chat())
    await asyncio.sleep(0)
    counting = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000)"
        " SELECT COUNT(*) AS n FROM c"
    )
    served_at_start = served
    loop = asyncio.get_running_loop()
    started = loop.time()
    statements = 0
    while loop.time() - started < 0.1:  # 100 ms of statements, one after another
        assert (await conn.fetch_all(counting))[0]["n"] == 5000
        statements += 1
    served_during = served - served_at_start
    done.set()
    await other
    assert statements > 1
    assert served_during >= 5  # about every 5 ms of statements


async def test_the_running_bot_copies_the_log_into_the_file_in_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The copy ends with an fsync that waits for the disk: never inside a chat's statement.
    monkeypatch.setattr(database, "CHECKPOINT_SECONDS", 0.05)
    conn = await connect(tmp_path / "wal.db")
    try:
        await migrate(conn)
        conn.checkpoint_in_a_thread()
        assert conn.raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        await conn.execute("CREATE TABLE filler (x BLOB)")
        await asyncio.sleep(0.2)  # the schema's own pages reach the file first
        file = tmp_path / "wal.db"
        before = file.stat().st_size
        await conn.execute_many("INSERT INTO filler (x) VALUES (?)", [(os.urandom(2000),)] * 2000)
        assert file.stat().st_size == before  # 4 MB written, none of it copied by a statement
        for _ in range(100):
            if file.stat().st_size > before + 3_000_000:
                break
            await asyncio.sleep(0.05)
        assert file.stat().st_size > before + 3_000_000  # the thread copied it
    finally:
        await conn.close()
