"""`python -m lapor worker`: the Telegram side of a worker taking updates from the inbox
(service.updates): each update parsed and run through the bot's handlers."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.application import AnyApplication
from bot.botdata import services_of_application
from service import updates


async def work(application: AnyApplication, stop: asyncio.Event, lanes: int) -> None:
    """Handle inbox updates through the application on `lanes` lanes until `stop` is set."""

    async def process(data: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    await updates.work(services_of_application(application), process, stop, lanes)
