"""Files only the bot's user may read: folders 0700, files 0600 (the database, its WAL and
shared-memory files, evidence, charts, backups), whatever the process umask."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) readable by the bot's user only."""
    missing = [p for p in [path, *path.parents] if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in [path, *missing]:
        created.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file readable by the bot's user only (a missing one is fine)."""
    with contextlib.suppress(FileNotFoundError):
        path.chmod(FILE_MODE)


def private_database(path: Path) -> None:
    """The database's folder and files (with SQLite's -wal and -shm) for the bot's user only."""
    private_dir(path.parent)
    path.touch(mode=FILE_MODE, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        private_file(Path(f"{path}{suffix}"))


def write_private(path: Path, data: bytes) -> None:
    """Write a file atomically (all or nothing), readable by the bot's user only."""
    private_dir(path.parent)
    temporary = path.with_suffix(path.suffix + ".part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    temporary.chmod(FILE_MODE)
    temporary.replace(path)
