"""Forward-only schema migrations: numbered SQL files applied in order, each in a transaction.

SQLite runs every file from 0001. PostgreSQL starts from `postgresql/NNNN_baseline.sql`, the
schema SQLite has at that version written for PostgreSQL, and then runs the same files as
SQLite from the next version on (written in SQL both engines read), except where
`postgresql/` holds its own file of that version (the same steps with PostgreSQL's types)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

from storage.database import Database, execute, fetch_one, now_iso, transaction

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema step: its version number, name and SQL statements."""

    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(sql: str) -> tuple[str, ...]:
    """Split a script into complete statements (executescript would commit on its own)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at the end: {buffer.strip()[:60]!r}")
    return tuple(statements)


def load_migrations(engine: str = "sqlite") -> list[Migration]:
    """The migrations for `engine`, ordered by version, checked for gaps (PostgreSQL: its
    baseline, then the shared files after it)."""
    shared = _load("storage.migrations")
    if engine == "sqlite":
        return shared
    own = _load("storage.migrations.postgresql", check=False)
    baseline = [m for m in own if m.name == "baseline"]
    if len(baseline) != 1:
        raise ValueError("storage/migrations/postgresql holds exactly one baseline")
    start = baseline[0].version
    versions = {m.version: m for m in own if m.name != "baseline"}
    if any(v <= start or v not in {m.version for m in shared} for v in versions):
        raise ValueError("a PostgreSQL migration replaces a shared one after the baseline")
    return [*baseline, *(versions.get(m.version, m) for m in shared if m.version > start)]


def _load(package: str, *, check: bool = True) -> list[Migration]:
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(
                Migration(
                    int(match.group(1)), match.group(2), split_statements(entry.read_text("utf-8"))
                )
            )
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found if check else [], start=1):
        if migration.version != expected:
            raise ValueError(f"migration {expected:04d} is missing")
    return found


async def current_version(conn: Database) -> int:
    """The newest applied migration, 0 for an empty database."""
    await execute(
        conn,
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    row = await fetch_one(
        conn, "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"
    )
    return int(row["version"]) if row else 0


async def migrate(conn: Database, target: int | None = None) -> list[int]:
    """Apply every migration above the current version (up to `target`); return those applied.

    On PostgreSQL several processes may start together on a new database (an ingress and its
    workers): the first takes a lock and migrates, the others wait for it and find nothing
    left to do."""
    if conn.engine != "postgresql":
        return await _migrate(conn, target)
    async with transaction(conn):
        await fetch_one(conn, "SELECT pg_advisory_xact_lock(hashtext('lapor_migrate')) IS NULL")
        return await _migrate(conn, target)


async def _migrate(conn: Database, target: int | None) -> list[int]:
    migrations = load_migrations(conn.engine)
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    version = await current_version(conn)
    if version > latest:
        raise RuntimeError(f"database schema {version} is newer than this program knows ({latest})")
    applied: list[int] = []
    for migration in migrations:
        if version < migration.version <= target:
            async with transaction(conn):
                for statement in migration.statements:
                    await execute(conn, statement)
                await execute(
                    conn,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, now_iso(dt.datetime.now(dt.UTC))),
                )
            applied.append(migration.version)
    return applied
