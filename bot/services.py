"""What every handler needs, built once in `post_init` and kept in `application.bot_data`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import aiosqlite
from telegram.ext import Application, CallbackContext

from bot.settings import Settings

SERVICES_KEY = "services"
SETTINGS_KEY = "settings"


@dataclass
class Services:
    """Settings and the open database connection, shared by the handlers and jobs."""

    settings: Settings
    db: aiosqlite.Connection

    def now(self) -> dt.datetime:
        """The current moment (UTC); the one place the shell reads the clock."""
        return dt.datetime.now(dt.UTC)


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The services of the running application."""
    return cast(Services, context.bot_data[SERVICES_KEY])


def app_settings(application: Application[Any, Any, Any, Any, Any, Any]) -> Settings:
    """The settings the application was built with."""
    return cast(Settings, application.bot_data[SETTINGS_KEY])
