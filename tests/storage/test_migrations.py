"""Migrations: every version can be built and migrated up to the newest, with the same schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.database import SqliteDatabase, connect, transaction
from storage.migrator import current_version, load_migrations, migrate, split_statements


async def schema(conn: SqliteDatabase) -> list[tuple[str, str]]:
    rows = conn.raw.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


async def test_fresh_database_reaches_latest(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "nested" / "fresh.db")
    try:
        applied = await migrate(conn)
        latest = load_migrations()[-1].version
        assert applied == list(range(1, latest + 1))
        assert await current_version(conn) == latest
        assert await migrate(conn) == []  # idempotent
        assert conn.raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    finally:
        await conn.close()


@pytest.mark.parametrize("start", [m.version for m in load_migrations()])
async def test_every_version_migrates_up(tmp_path: Path, start: int) -> None:
    reference = await connect(tmp_path / "reference.db")
    old = await connect(tmp_path / f"at-{start}.db")
    try:
        await migrate(reference)
        assert await migrate(old, target=start) == list(range(1, start + 1))
        assert await current_version(old) == start
        await migrate(old)
        assert await schema(old) == await schema(reference)
    finally:
        await reference.close()
        await old.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "tx.db")
    try:
        await migrate(conn)
        with pytest.raises(sqlite3.OperationalError):
            async with transaction(conn):
                await conn.execute("CREATE TABLE half_done (x INTEGER)")
                await conn.execute("THIS IS NOT SQL")
        found = conn.raw.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'")
        assert found.fetchone() is None
    finally:
        await conn.close()


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    conn = await connect(tmp_path / "fk.db")
    try:
        await migrate(conn)
        with pytest.raises(sqlite3.IntegrityError):
            conn.raw.execute(
                "INSERT INTO case_events (case_id, at, actor_kind, action)"
                " VALUES (999, 'x', 'system', 'y')"
            )
    finally:
        await conn.close()


def test_statements_are_split_whole() -> None:
    sql = "-- note\nCREATE TABLE a (x TEXT DEFAULT ';');\n\nINSERT INTO a VALUES ('b;c');\n"
    assert split_statements(sql) == (
        "CREATE TABLE a (x TEXT DEFAULT ';');",
        "INSERT INTO a VALUES ('b;c');",
    )
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE b (x")


async def test_migrate_applies_each_migration_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import migrator

    steps = [
        migrator.Migration(1, "first", ("CREATE TABLE first_table (x INTEGER)",)),
        migrator.Migration(2, "broken", ("CREATE TABLE half_done (x INTEGER)", "NOT SQL")),
    ]
    monkeypatch.setattr(migrator, "load_migrations", lambda engine="sqlite": steps)
    conn = await connect(tmp_path / "whole.db")
    try:
        with pytest.raises(sqlite3.OperationalError):
            await migrator.migrate(conn)
        assert await current_version(conn) == 1
        found = conn.raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in found.fetchall()}
        assert "first_table" in tables and "half_done" not in tables
    finally:
        await conn.close()
