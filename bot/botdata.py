"""What the Telegram adapter keeps in PTB's `bot_data`: the settings and clock it was built
with, and the services opened in `post_init`."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, CallbackContext

from service.services import Services
from service.settings import Settings

SERVICES_KEY = "services"
SETTINGS_KEY = "settings"
CLOCK_KEY = "clock"


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The services of the running application."""
    return cast(Services, context.bot_data[SERVICES_KEY])


def services_of_application(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services of a started application (outside a handler: workers, the sandbox)."""
    return cast(Services, application.bot_data[SERVICES_KEY])


def app_settings(application: Application[Any, Any, Any, Any, Any, Any]) -> Settings:
    """The settings the application was built with."""
    return cast(Settings, application.bot_data[SETTINGS_KEY])
