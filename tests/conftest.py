"""Shared fixtures: the fake Bot API server over HTTP, settings on a temporary database, the bot."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from cryptography.fernet import Fernet

from bot.application import AnyApplication, build_application
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.settings import Settings

# Imported here, early and shallow: CPython 3.11.7 can fail to rewrite hypothesis's modules
# when they are first imported from deep inside a failing test.
hypothesis.settings.register_profile("ci", deadline=None, print_blob=True)
hypothesis.settings.load_profile("ci")

pytest_plugins = ("tests.console",)  # the web console's fixture

TOKEN = "123456:TEST-token-for-the-fake-server"
ADMIN_ID = 777000


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No setting leaks in from the developer's shell or a .env file."""
    for name in list(os.environ):
        if name in Settings.model_fields or name.lower() in Settings.model_fields:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield


# The engines every test that runs the bot runs on: SQLite (a file in the test's folder) and
# PostgreSQL (a fresh database on a real server). LAPOR_TEST_ENGINES=sqlite narrows it.
ENGINES = [e for e in os.environ.get("LAPOR_TEST_ENGINES", "sqlite,postgresql").split(",") if e]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test is about SQLite itself (its file, its query plans)"
    )
    config.addinivalue_line(
        "markers", "postgresql_only: the test needs PostgreSQL (several workers on one database)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses the bot's settings once per engine."""
    if "engine" in metafunc.fixturenames:
        engines = ENGINES
        if metafunc.definition.get_closest_marker("sqlite_only") is not None:
            engines = ["sqlite"]
        elif metafunc.definition.get_closest_marker("postgresql_only") is not None:
            engines = ["postgresql"]
        metafunc.parametrize("engine", engines)


@pytest.fixture
def settings_factory(
    tmp_path: Path, engine: str, request: pytest.FixtureRequest
) -> Callable[..., Settings]:
    """Settings for a test: a real SQLite file in the test's folder or a fresh PostgreSQL
    database (by `engine`), a fresh data key."""
    database_url = request.getfixturevalue("postgres_url") if engine == "postgresql" else None

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "telegram_bot_token": TOKEN,
            "data_key": Fernet.generate_key().decode(),
            "database_path": tmp_path / "data" / "lapor.db",
            "admin_user_ids": [ADMIN_ID],
            "outbox_poll_seconds": 0.2,
            "outbox_retry_seconds": 0.05,
            "messages_per_minute": 1000,  # tests type faster than people (flood has its own test)
            "reports_per_day": 1000,  # and file more reports (the daily limit has its own test)
            "web_port": 0,  # the console's own tests give it a free port
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    """Default test settings."""
    return settings_factory()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API server, listening on a free loopback port."""
    server = FakeTelegram(TOKEN)
    await server.start()
    yield server
    await server.stop()


class Clock:
    """A settable clock for the bot: it starts at a chosen moment and then runs in real time
    (so retries and back-off still come due)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    @property
    def now(self) -> dt.datetime:
        return self._base + dt.timedelta(seconds=time.monotonic() - self._set_at)

    @now.setter
    def now(self, value: dt.datetime) -> None:
        self._base = value
        self._set_at = time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.now

    def set_local(self, year: int, month: int, day: int, hour: int = 10) -> None:
        """Move to a moment given in Jakarta time."""
        self.now = dt.datetime(year, month, day, hour, tzinfo=JAKARTA).astimezone(dt.UTC)


JAKARTA = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def clock() -> Clock:
    """20 November 2024, 10:00 in Jakarta: during the Pilkada 2024 stages."""
    return Clock(dt.datetime(2024, 11, 20, 10, tzinfo=JAKARTA).astimezone(dt.UTC))


def make_app(settings: Settings, fake: FakeTelegram, clock: Clock | None = None) -> AnyApplication:
    """The real Application pointed at the fake server."""
    if clock is None:
        return build_application(
            settings, token=TOKEN, base_url=fake.base_url, file_url=fake.file_url
        )
    return build_application(
        settings, token=TOKEN, base_url=fake.base_url, file_url=fake.file_url, clock=clock
    )


@pytest.fixture
async def bot(
    settings: Settings, fake: FakeTelegram, clock: Clock
) -> AsyncIterator[AnyApplication]:
    """The bot running (long polling) against the fake server."""
    async with running(make_app(settings, fake, clock), settings) as application:
        yield application


@pytest.fixture
def people(fake: FakeTelegram) -> Callable[..., FakeUser]:
    """Make a Telegram user who can talk to the bot."""
    counter = iter(range(50001, 59999))

    def make(language_code: str | None = "id", first_name: str = "Sari", **kw: Any) -> FakeUser:
        return FakeUser(fake, next(counter), first_name, language_code, **kw)

    return make


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for the session (pgserver: its binaries come in the wheel),
    listening on a Unix socket in a temporary folder; its URL without a database name."""
    import pgserver

    # Not under pytest's own temporary folder: a second test run on the machine prunes all but
    # the newest three of those, and took the server's data away from under it.
    folder = Path(tempfile.mkdtemp(prefix="lapor-test-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    from storage.postgres import create_database, drop_database

    name = f"t{time.monotonic_ns()}"
    yield await create_database(postgres_server, name)
    await drop_database(postgres_server, name)
