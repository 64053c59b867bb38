"""Running the bot with its web console and WhatsApp until asked to stop: the Telegram, console
and WhatsApp adapters started side by side over the same services."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from bot import runtime as telegram
from bot.application import AnyApplication
from bot.botdata import services_of_application
from conversations.boundaries import shipped_boundaries
from service.chat import WHATSAPP
from service.services import Services
from service.settings import Settings
from service.updates import Process
from web.server import WebConsole
from whatsapp.cloud import CloudClient
from whatsapp.sender import WhatsAppSender
from whatsapp.webhook import WhatsAppWebhook, process_kept


@contextlib.asynccontextmanager
async def running(
    application: AnyApplication, settings: Settings | None = None, *, inbox: bool = False
) -> AsyncIterator[AnyApplication]:
    """Start the bot (bot.runtime.running) and, when WEB_PORT is set, the web console over its
    services; stop both cleanly when the block ends (the console first)."""
    # the regency boundaries (0.3 s to read) are read beside start-up, not at the first location
    threading.Thread(target=shipped_boundaries, name="boundaries", daemon=True).start()
    async with telegram.running(application, settings, inbox=inbox):
        svc = services_of_application(application)
        async with whatsapp_channel(svc, webhook=not inbox):
            console = WebConsole(svc) if svc.settings.web_port else None
            if console is not None and not await console.start():
                console = None
            try:
                yield application
            finally:
                if console is not None:
                    await telegram.logged(console.stop(), "stopping the web console")


@contextlib.asynccontextmanager
async def whatsapp_channel(svc: Services, *, webhook: bool = True) -> AsyncIterator[None]:
    """WhatsApp beside the bot when WHATSAPP_TOKEN is set: the outbox's sender and, when
    WHATSAPP_PORT is not 0, the webhook (not on a worker: the ingress serves it)."""
    settings = svc.settings
    if settings.whatsapp_token is None or settings.whatsapp_phone_number_id is None:
        yield
        return
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        client = CloudClient(
            session,
            settings.whatsapp_api_base_url,
            settings.whatsapp_api_version,
            settings.whatsapp_phone_number_id,
            settings.whatsapp_token.get_secret_value(),
        )
        svc.senders[WHATSAPP] = WhatsAppSender(client, svc)
        server = WhatsAppWebhook(svc, client) if webhook and settings.whatsapp_port else None
        if server is not None:
            await server.start()
        try:
            yield
        finally:
            svc.senders.pop(WHATSAPP, None)
            if server is not None:
                await telegram.logged(server.stop(), "stopping the whatsapp webhook")


def inbox_channels(svc: Services) -> dict[str, Process]:
    """How a worker handles what other channels kept in the inbox (WhatsApp, when it is on)."""
    sender = svc.senders.get(WHATSAPP)
    if not isinstance(sender, WhatsAppSender):
        return {}
    client = sender.client

    async def whatsapp(data: dict[str, Any]) -> None:
        await process_kept(svc, client, data)

    return {WHATSAPP: whatsapp}


async def serve_until(application: AnyApplication, stop: asyncio.Event, settings: Settings) -> None:
    """Run the bot and its console until `stop` is set."""
    async with running(application, settings):
        settle_startup_memory()
        await stop.wait()


def settle_startup_memory() -> None:
    """Take what start-up built out of the garbage collector's sight (`gc.freeze`).

    Rules, places, offices, messages and PTB's own objects live as long as the process; left
    in view, every full collection walks them again. Those pauses were the slowest replies in
    the benchmark: p99 at half the peak rate fell from 80-170 ms to 40-55 ms with this.
    """
    gc.collect()
    gc.freeze()
