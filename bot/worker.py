"""`python -m lapor worker`: the Telegram side of a worker taking updates from the inbox
(service.updates): each update parsed and run through the bot's handlers; an update another
channel kept in the same inbox (`{"whatsapp": …}`) goes to that channel's handler."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from telegram import Update

from bot.application import AnyApplication
from bot.botdata import services_of_application
from service import updates


async def work(
    application: AnyApplication,
    stop: asyncio.Event,
    lanes: int,
    channels: Mapping[str, updates.Process] | None = None,
) -> None:
    """Handle inbox updates on `lanes` lanes until `stop` is set."""
    others = channels or {}

    async def process(data: dict[str, Any]) -> None:
        channel = next((name for name in others if name in data), None)
        if channel is not None:
            await others[channel](data)
        else:
            await application.process_update(Update.de_json(data, application.bot))

    await updates.work(services_of_application(application), process, stop, lanes)
