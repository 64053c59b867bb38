"""Webhook mode: an aiohttp server that takes Telegram's calls and hands updates to the bot.

Only Telegram may talk to it: a secret token is required (the bot refuses to start without
one), compared in constant time; the path is unguessable (derived from the secret), so a
stranger cannot even find it. aiohttp is already the bot's HTTP stack: no Tornado is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from aiohttp import web
from telegram import Update

from bot.application import AnyApplication
from service.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000  # an update is a few KB; files come through getFile


def webhook_path(secret: str) -> str:
    """The path Telegram posts to: unguessable without the secret, stable across restarts."""
    digest = hashlib.sha256(f"lapor-netral webhook path\n{secret}".encode()).hexdigest()
    return f"/telegram/{digest[:40]}"


class WebhookServer:
    """Receives updates for `application` at `webhook_path(secret)`."""

    def __init__(self, application: AnyApplication, settings: Settings) -> None:
        assert settings.webhook_url and settings.webhook_secret, "checked by the settings"
        self.application = application
        self.settings = settings
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self.path = webhook_path(settings.webhook_secret.get_secret_value())
        self._runner: web.AppRunner | None = None
        self.refused = 0

    async def start(self) -> None:
        """Listen, then tell Telegram where to send updates."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.webhook_listen, self.settings.webhook_port)
        await site.start()
        assert self.settings.webhook_url is not None
        await self.application.bot.set_webhook(
            url=self.settings.webhook_url.rstrip("/") + self.path,
            secret_token=self._secret.decode(),
            allowed_updates=Update.ALL_TYPES,
        )
        log.info(
            "webhook listening on %s:%s", self.settings.webhook_listen, self.settings.webhook_port
        )

    async def stop(self) -> None:
        """Stop listening (Telegram keeps the updates until the bot is back)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            log.warning("webhook call refused: wrong or missing secret token")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("webhook call refused: not an update (%s)", type(exc).__name__)
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        await self.application.update_queue.put(update)
        return web.Response(status=200)
