"""The one factory that builds the PTB Application, with its start-up and shutdown hooks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.botdata import CLOCK_KEY, SERVICES_KEY, SETTINGS_KEY, app_settings
from bot.handlers import register_handlers
from bot.http import AiohttpRequest
from bot.jobs import schedule_jobs
from bot.outbox import wake_on_queue
from bot.processor import ChatOrderedProcessor
from service.services import Services, open_services, system_clock
from service.settings import Settings

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

# (command, description key); the Indonesian names are the primary ones.
COMMANDS = {
    "id": [
        ("lapor", "Buat laporan baru"),
        ("status", "Cek status laporan"),
        ("batal", "Batalkan laporan yang sedang diisi"),
        ("bahasa", "Ganti bahasa"),
        ("bantuan", "Bantuan"),
        ("privasi", "Privasi dan data Anda"),
    ],
    "en": [
        ("report", "Make a new report"),
        ("status", "Check a report's status"),
        ("cancel", "Cancel the report in progress"),
        ("language", "Change language"),
        ("help", "Help"),
        ("privacy", "Privacy and your data"),
    ],
}


def build_application(
    settings: Settings,
    *,
    token: str,
    base_url: str,
    file_url: str,
    clock: Callable[[], dt.datetime] = system_clock,
) -> AnyApplication:
    """Build the bot: rate limiter, HTML defaults, handlers, hooks; nothing is opened yet.

    `clock` gives the current moment (tests and simulations pass their own).
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
    )
    if settings.sends_per_second:  # 0: nothing between the bot and the API (benchmarks)
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=settings.sends_per_second, max_retries=3)
        )
    application = (
        builder.defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.zone,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(ChatOrderedProcessor(workers=settings.concurrent_chats))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SETTINGS_KEY] = settings
    application.bot_data[CLOCK_KEY] = clock
    register_handlers(application)
    return application


async def post_init(application: AnyApplication) -> None:
    """Open and migrate the database, load the data files, publish the command menu."""
    settings = app_settings(application)
    services = await open_services(settings, application.bot_data[CLOCK_KEY])
    application.bot_data[SERVICES_KEY] = services
    schedule_jobs(application, services)
    wake_on_queue(application)
    for language, commands in COMMANDS.items():
        await application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in commands],
            language_code=None if language == settings.default_language else language,
        )


async def post_shutdown(application: AnyApplication) -> None:
    """Close the database."""
    services = application.bot_data.pop(SERVICES_KEY, None)
    if isinstance(services, Services):
        await services.db.close()
