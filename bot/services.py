"""What every handler needs, built once in `post_init` and kept in `application.bot_data`."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

from telegram.ext import Application, CallbackContext

from bot.flood import DraftBudget, FloodGuard
from bot.settings import Settings
from conversations.casework import Casework, load_casework
from conversations.jurisdiction.engine import Jurisdiction, build_jurisdiction
from conversations.messages import Language, catalogue
from conversations.packet import shipped_packets
from conversations.questions import Context, Limits
from storage import staff as staff_store
from storage.chatkeys import upgrade_legacy
from storage.crypto import TELEGRAM, ChatRef, DataCipher, chat_address
from storage.database import Database, SqliteDatabase, open_database
from storage.keys import check_key, encrypt_legacy
from storage.migrator import migrate
from storage.staff import StaffMember

log = logging.getLogger(__name__)

SERVICES_KEY = "services"
SETTINGS_KEY = "settings"
CLOCK_KEY = "clock"


def system_clock() -> dt.datetime:
    """The real current moment in UTC."""
    return dt.datetime.now(dt.UTC)


def stop_this_process() -> None:
    """Ask this process to stop as Ctrl-C or systemd would (SIGTERM: a clean shutdown)."""
    os.kill(os.getpid(), signal.SIGTERM)


@dataclass
class Services:
    """Settings, the open database, the data key and the jurisdiction data."""

    settings: Settings
    db: Database
    cipher: DataCipher
    jurisdiction: Jurisdiction
    casework: Casework
    clock: Callable[[], dt.datetime] = field(default=system_clock)
    outbox_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    flood: FloodGuard = field(default_factory=lambda: FloodGuard(60))
    draft_budget: DraftBudget = field(default_factory=lambda: DraftBudget(600))
    # called when DATA_KEY no longer holds every key in use (a rotation started elsewhere)
    retire: Callable[[], None] = field(default=stop_this_process)
    # images are decoded two at a time at most: four big ones at once took 2.8 GB
    image_decoder: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    # this process's web console is listening (a /web link is minted only for a console that
    # is ours: this one, or the one WEB_BASE_URL names)
    console_listening: bool = False

    def now(self) -> dt.datetime:
        """The current moment (UTC); the one place the shell reads the clock."""
        return self.clock()

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return self.now().astimezone(self.settings.zone).date()

    def chat(self, chat_id: int) -> ChatRef:
        """A Telegram chat as the database finds it (by keyed hash, never by its id)."""
        return self.cipher.chat(chat_address(TELEGRAM, chat_id))

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The date of a stored moment in the configured time zone."""
        return moment.astimezone(self.settings.zone).date()

    async def staff_member(self, user_id: int) -> StaffMember | None:
        """The staff member with this id, marked when they are an administrator; an
        administrator who is no agency's staff member gets an agency-less record (they still
        see every case no body received)."""
        member = await staff_store.get(self.db, user_id)
        if user_id not in self.settings.admin_user_ids:
            return member
        if member is None:
            return StaffMember(user_id, "", "", self.settings.default_language, admin=True)
        return replace(member, admin=True)

    def limits(self) -> Limits:
        """The input limits from the settings."""
        return Limits(
            max_evidence_items=self.settings.max_evidence_items,
            max_evidence_bytes=self.settings.max_evidence_mb * 1024 * 1024,
            max_case_evidence_bytes=self.settings.max_case_evidence_mb * 1024 * 1024,
        )

    def context(self, language: Language, user_id: int) -> Context:
        """The pure core's view of now, the reader and the data files."""
        return Context(
            today=self.today(),
            language=language,
            user_id=user_id,
            jurisdiction=self.jurisdiction,
            limits=self.limits(),
        )


async def open_services(
    settings: Settings, clock: Callable[[], dt.datetime] = system_clock
) -> Services:
    """Load the data files (a bad one raises DataFileError), open and migrate the database."""
    catalogue()
    jurisdiction = build_jurisdiction(settings.rules_file, settings.elections_file)
    rules = jurisdiction.rules
    shipped_packets().check([body for body, info in rules.bodies.items() if info.packet])
    casework = load_casework(settings.service_targets_file)
    assert settings.data_key is not None, "the CLI provides a DATA_KEY (generated in the sandbox)"
    cipher = DataCipher(settings.data_key.get_secret_value())
    db = await open_database(
        settings.database_path, settings.database_url_text, settings.database_pool_size
    )
    try:
        applied = await migrate(db)
        await check_key(db, cipher, clock())
        moved = await encrypt_legacy(db, cipher)
        moved += await upgrade_legacy(db, cipher)
        if isinstance(db, SqliteDatabase):
            db.checkpoint_in_a_thread()
    except BaseException:
        await db.close()
        raise
    if applied:
        log.info("database migrated to version %s", applied[-1])
    if moved:
        log.info("%s rows stored in clear by an earlier version are now encrypted or hashed", moved)
    return Services(
        settings,
        db,
        cipher,
        jurisdiction,
        casework,
        clock,
        flood=FloodGuard(settings.messages_per_minute),
        draft_budget=DraftBudget(settings.new_reports_per_minute),
    )


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The services of the running application."""
    return cast(Services, context.bot_data[SERVICES_KEY])


def services_of_application(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services of a started application (outside a handler: workers, the console)."""
    return cast(Services, application.bot_data[SERVICES_KEY])


def app_settings(application: Application[Any, Any, Any, Any, Any, Any]) -> Settings:
    """The settings the application was built with."""
    return cast(Settings, application.bot_data[SETTINGS_KEY])
