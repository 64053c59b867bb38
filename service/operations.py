"""The operator's work on the database, for the command line: migrations, the data key's check
and rotation, a consistent backup, and the staff list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from service.services import Services
from service.settings import Settings
from storage import keys, lifecycle
from storage import staff as staff_store
from storage.crypto import DataCipher
from storage.database import Database, open_database
from storage.migrator import migrate

KEY_WATCH_SECONDS = keys.KEY_WATCH_SECONDS  # how often a running process checks the key
WrongKeyError = keys.WrongKeyError
RotationIncompleteError = keys.RotationIncompleteError


async def _database(settings: Settings) -> Database:
    return await open_database(
        settings.database_path, settings.database_url_text, settings.database_pool_size
    )


async def migrate_database(settings: Settings) -> list[int]:
    """Apply the migrations not applied yet; the versions applied."""
    db = await _database(settings)
    try:
        return await migrate(db)
    finally:
        await db.close()


async def check_data_key(settings: Settings) -> int:
    """Before anything reads encrypted data: DATA_KEY fits this database (WrongKeyError
    otherwise); how many keys it holds."""
    assert settings.data_key is not None
    cipher = DataCipher(settings.data_key.get_secret_value())
    db = await _database(settings)
    try:
        await migrate(db)
        await keys.check_key(db, cipher, dt.datetime.now(dt.UTC))
    finally:
        await db.close()
    return cipher.key_count


async def backup(svc: Services, path: Path) -> None:
    """A consistent copy of the database at `path` (the bot may run meanwhile)."""
    await lifecycle.backup(svc.db, path)


async def rotate_key(svc: Services, grace_seconds: float) -> int:
    """Re-encrypt everything with the first key of DATA_KEY (RotationIncompleteError when a
    process on the old key alone is still writing); how many values were rewritten."""
    return await keys.rotate_keys(svc.db, svc.cipher, svc.now(), grace_seconds=grace_seconds)


async def remove_staff(svc: Services, user_id: int) -> bool:
    """Remove a staff member; False when there was none."""
    return await staff_store.remove(svc.db, user_id)
