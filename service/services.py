"""What every face needs, built once at start-up: settings, the open database, the data key,
the rules, the clocks and guards, and the hook that wakes the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from conversations.casework import Casework, load_casework
from conversations.context import Channel, Context, Limits
from conversations.jurisdiction.engine import Jurisdiction, build_jurisdiction
from conversations.messages import Language, catalogue
from conversations.packet import shipped_packets
from conversations.staff import StaffMember
from service.chat import Sender
from service.flood import DraftBudget, FloodGuard
from service.settings import Settings
from storage import staff as staff_store
from storage.chatkeys import upgrade_legacy
from storage.crypto import TELEGRAM, ChatRef, DataCipher, chat_address
from storage.database import Database, SqliteDatabase, connect_reader, open_database, ping
from storage.keys import check_key, encrypt_legacy
from storage.migrator import migrate

log = logging.getLogger(__name__)


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
    # wakes the outbox worker right after something was queued (set by the face that runs it;
    # without one the next round delivers)
    wake_outbox: Callable[[], None] = field(default=lambda: None)
    # the outbox's sender of each channel ("telegram", "whatsapp"), registered by its face
    senders: dict[str, Sender] = field(default_factory=dict)
    # the web console's read-only connection for long scans (lists, counts, exports)
    reader: Database | None = None

    def scans(self) -> Database:
        """Where long reads go: the console's reader when open, else the database."""
        return self.reader or self.db

    async def open_reader(self) -> None:
        """Open the reader: on SQLite a second, read-only connection reading in its own thread
        (the bot's statements keep the event loop); PostgreSQL's pool reads in parallel
        already."""
        if self.reader is None and self.settings.database_url is None:
            self.reader = await connect_reader(self.settings.database_path)

    async def close_reader(self) -> None:
        """Close the reader, if open."""
        reader, self.reader = self.reader, None
        if reader is not None:
            await reader.close()

    async def ready(self) -> bool:
        """Whether the database answers (readiness checks)."""
        try:
            await ping(self.db)
        except Exception:
            return False
        return True

    def now(self) -> dt.datetime:
        """The current moment (UTC); the one place the shell reads the clock."""
        return self.clock()

    def today(self) -> dt.date:
        """Today's date in the configured time zone."""
        return self.now().astimezone(self.settings.zone).date()

    def chat(self, chat_id: int) -> ChatRef:
        """A Telegram chat as the database finds it (by keyed hash, never by its id): staff
        are reached on Telegram."""
        return self.chat_at(telegram_address(chat_id))

    def chat_at(self, address: str) -> ChatRef:
        """The chat at a channel-qualified address, as the database finds it."""
        return self.cipher.chat(address)

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

    def context(self, language: Language, user_id: int, channel: Channel = "telegram") -> Context:
        """The pure core's view of now, the reader, the data files and the reporter's channel."""
        return Context(
            today=self.today(),
            language=language,
            user_id=user_id,
            jurisdiction=self.jurisdiction,
            limits=self.limits(),
            channel=channel,
        )


def telegram_address(chat_id: int) -> str:
    """A Telegram chat's address as it is sealed and hashed."""
    return chat_address(TELEGRAM, chat_id)


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
