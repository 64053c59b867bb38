"""Rotating DATA_KEY while the bot runs loses nothing: a process still on the old key alone
stops, what it wrote is resealed, and the new key alone is accepted only when nothing needs the
old one any more."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.jobs import key_watch
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.services import open_services
from service.settings import Settings
from storage.crypto import DataCipher
from storage.database import open_database
from storage.keys import ENCRYPTED, WrongKeyError, check_key, rotate_keys
from tests.conftest import Clock, make_app
from tests.helpers import answer, rows, svc_of


class Job:
    """What PTB hands a job callback: the application's data."""

    def __init__(self, bot_data: dict[str, object]) -> None:
        self.bot_data = bot_data


async def test_a_rotation_while_the_old_key_runs_loses_nothing(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = settings_factory(data_key=old_key)
    reporter = FakeUser(fake, 61_001, "Sari", "id")
    retired = asyncio.Event()
    async with running(make_app(old, fake, clock), old) as app:
        svc = svc_of(app)
        svc.retire = retired.set
        await answer(reporter, "/lapor", "c")
        await answer(reporter, "!c:yes", "k")
        # the operator starts the rotation; the bot on the old key alone is still answering
        both = DataCipher(f"{new_key},{old_key}")
        db = await open_database(old.database_path, old.database_url_text)
        await check_key(db, both, clock.now)
        rotation = asyncio.create_task(rotate_keys(db, both, clock.now, grace_seconds=1.0))
        await answer(reporter, "!k:other", "d")  # written under the old key meanwhile
        await key_watch(Job(app.bot_data))  # type: ignore[arg-type]
        assert retired.is_set()  # the old-key process is told to stop
    try:
        await asyncio.wait_for(rotation, 60)
    finally:
        await db.close()
    only_new = DataCipher(new_key)
    for table, key, column in ENCRYPTED:
        for _, value in await rows(
            old, f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL"
        ):
            only_new.decrypt(value)  # everything opens with the new key alone
    with pytest.raises(WrongKeyError):
        await open_services(old)  # the old key alone no longer fits
    new = old.model_copy(update={"data_key": SecretStr(new_key)})
    async with running(make_app(new, fake, clock), new):
        # the reporter goes on where they were: their draft opens with the new key
        await answer(reporter, "Camat berkampanye di kantor kecamatan kemarin sore.", "p")


async def test_the_new_key_alone_waits_for_the_rotation_to_finish(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = settings_factory(data_key=old_key)
    svc = await open_services(old)
    try:
        await check_key(svc.db, DataCipher(f"{new_key},{old_key}"), clock.now)  # started
    finally:
        await svc.db.close()
    with pytest.raises(WrongKeyError):  # not the new key alone: old values are not resealed
        await open_services(old.model_copy(update={"data_key": SecretStr(new_key)}))
    with pytest.raises(WrongKeyError, match="rotation is under way"):
        await open_services(old)  # nor the old key alone: new values may be sealed already
    both = old.model_copy(update={"data_key": SecretStr(f"{new_key},{old_key}")})
    svc = await open_services(both)  # both keys: the bot runs while rotate-key works
    await svc.db.close()
