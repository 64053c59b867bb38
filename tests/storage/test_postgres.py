"""PostgreSQL as the database: the same schema as SQLite after the migrations, the project's SQL
adapted correctly, repositories and transactions on a real server. (Every test that runs the
bot runs on both engines: see `ENGINES` in conftest.)"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from cryptography.fernet import Fernet

from storage import chats, inbox, staff, weblogins
from storage.crypto import DataCipher
from storage.database import connect, fetch_all, open_database, transaction
from storage.migrator import current_version, load_migrations, migrate
from storage.postgres import PostgresDatabase, adapt

NOW = dt.datetime(2024, 11, 20, 3, tzinfo=dt.UTC)


def test_placeholders_are_numbered_outside_quoted_text() -> None:
    sql = "SELECT group_concat(a || '=?' || b, '|') FROM t WHERE x = ? AND y IN ('?', ?)"
    assert adapt(sql) == (
        "SELECT string_agg(a || '=?' || b, '|') FROM t WHERE x = $1 AND y IN ('?', $2)"
    )
    assert adapt("SELECT JSON_GROUP_ARRAY(json_array(a, b)) FROM t") == (
        "SELECT json_agg(json_build_array(a, b)) FROM t"
    )


async def sqlite_schema(path: Path) -> tuple[set[tuple[str, str]], set[str]]:
    conn = await connect(path)
    try:
        await migrate(conn)
        tables = [
            str(r["name"])
            for r in await fetch_all(
                conn,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
        ]
        columns = {
            (table, str(c["name"]))
            for table in tables
            for c in await fetch_all(conn, f"PRAGMA table_info({table})")
        }
        indexes = {
            str(r["name"])
            for r in await fetch_all(
                conn,
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            )
        }
        return columns, indexes
    finally:
        await conn.close()


async def test_both_engines_end_with_the_same_schema(tmp_path: Path, postgres_url: str) -> None:
    expected_columns, expected_indexes = await sqlite_schema(tmp_path / "lapor.db")
    db = await open_database(tmp_path / "unused.db", postgres_url)
    try:
        assert isinstance(db, PostgresDatabase)
        applied = await migrate(db)
        assert applied[0] == load_migrations("postgresql")[0].version  # the baseline first
        assert await current_version(db) == load_migrations()[-1].version
        assert await migrate(db) == []  # and nothing the second time
        columns = {
            (str(r["table_name"]), str(r["column_name"]))
            for r in await fetch_all(
                db,
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public'",
            )
        }
        indexes = {
            str(r["indexname"])
            for r in await fetch_all(
                db,
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                " AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
            )
        }
    finally:
        await db.close()
    assert columns == expected_columns
    assert indexes == expected_indexes


async def test_processes_starting_together_on_a_new_database_migrate_it_once(
    tmp_path: Path, postgres_url: str
) -> None:
    # an ingress and its workers started by one `systemctl start` on an empty database
    databases = [await open_database(tmp_path / "unused.db", postgres_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(db) for db in databases))
        latest = load_migrations("postgresql")
        assert sorted(results, key=len) == [[], [], [], [m.version for m in latest]]
        assert await current_version(databases[0]) == latest[-1].version
    finally:
        for db in databases:
            await db.close()


async def test_repositories_and_transactions_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    db = await open_database(tmp_path / "unused.db", postgres_url)
    try:
        await migrate(db)
        cipher = DataCipher(Fernet.generate_key().decode())
        big = cipher.chat("telegram:8000000001")  # ids above 2^31 fit
        await chats.set_language(db, cipher, big, "en", NOW)
        assert await chats.get_language(db, big) == "en"
        assert await staff.upsert(db, 5, "bawaslu", "36", None, NOW)
        assert not await staff.upsert(db, 5, "bawaslu", "36.73", None, NOW)
        member = await staff.get(db, 5)
        assert member is not None and member.scope == "36.73"
        await weblogins.add_link(db, "secret", 5, NOW + dt.timedelta(minutes=10))
        assert await weblogins.use_link(db, "secret", NOW) == 5
        assert await weblogins.use_link(db, "secret", NOW) is None  # once
        try:
            async with transaction(db):
                await chats.set_language(db, cipher, cipher.chat("telegram:7"), "id", NOW)
                raise RuntimeError("half-way")
        except RuntimeError:
            pass
        assert await chats.get_language(db, cipher.chat("telegram:7")) is None  # rolled back
        assert await staff.remove(db, 5) and not await staff.remove(db, 5)
    finally:
        await db.close()


async def test_the_inbox_hands_out_each_chats_updates_in_order(
    tmp_path: Path, postgres_url: str
) -> None:
    lease = dt.timedelta(seconds=30)
    db = await open_database(tmp_path / "unused.db", postgres_url)
    try:
        await migrate(db)
        for update_id, chat in ((1, "chat:7"), (2, "chat:7"), (3, "chat:8")):
            assert await inbox.add(db, update_id, chat, f"body{update_id}", NOW)
        assert not await inbox.add(db, 1, "chat:7", "again", NOW)  # Telegram delivered it twice
        first = await inbox.claim(db, "w1", NOW, lease)
        second = await inbox.claim(db, "w2", NOW, lease)
        assert first is not None and first.update_id == 1 and first.body_enc == "body1"
        assert second is not None and second.update_id == 3  # chat 7's next waits for its first
        assert await inbox.claim(db, "w3", NOW, lease) is None
        assert not await inbox.mark_done(db, 1, "w2", NOW)  # not w2's
        assert await inbox.mark_done(db, 1, "w1", NOW)
        third = await inbox.claim(db, "w3", NOW, lease)
        assert third is not None and third.update_id == 2
        assert await inbox.mark_done(db, 2, "w3", NOW)
        # w2 died holding update 3: once its claim runs out another worker takes it, once
        later = NOW + lease + dt.timedelta(seconds=1)
        again = await inbox.claim(db, "w4", later, lease)
        assert again is not None and again.update_id == 3 and again.attempts == 2
        assert not await inbox.extend(db, 3, "w2", later, lease)  # w2 lost it
        assert await inbox.mark_done(db, 3, "w4", later)
        assert not await inbox.mark_done(db, 3, "w2", later)
        counts = await inbox.counts(db)
        assert (counts.open, counts.done, counts.retried) == (0, 3, 1)
        assert await inbox.purge_done(db, later + dt.timedelta(seconds=1)) == 3
    finally:
        await db.close()


async def test_a_login_link_opens_one_session_however_many_clicks(
    tmp_path: Path, postgres_url: str
) -> None:
    db = await open_database(tmp_path / "unused.db", postgres_url)
    try:
        await migrate(db)
        await weblogins.add_link(db, "once", 5, NOW + dt.timedelta(minutes=10))
        # ten clicks at once, each on a connection of its own (as on several workers)
        others = [
            await open_database(tmp_path / "unused.db", postgres_url, pool_size=1)
            for _ in range(10)
        ]
        try:
            spent = await asyncio.gather(*(weblogins.use_link(o, "once", NOW) for o in others))
        finally:
            for other in others:
                await other.close()
        assert sorted(spent, key=str) == [5] + [None] * 9
    finally:
        await db.close()
