"""`python -m lapor ingress`: the webhook endpoint of a multi-worker deployment on PostgreSQL.

It checks Telegram's secret token (compared in constant time, on the path derived from it, as
the single-process webhook does), stores the update in the inbox and answers 200 only once that
is committed: an update Telegram was told we have is never lost, whichever worker dies. It runs
no handler itself. `/healthz` says the process is up, `/readyz` that the database answers.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Bot, Update

from bot.http import AiohttpRequest
from bot.processor import chat_key
from bot.webhook import MAX_UPDATE_BYTES, SECRET_HEADER, webhook_path
from service import updates
from service.services import Services, telegram_address

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
MAX_UPDATE_ID = 2**63  # the inbox's BIGINT


def build_ingress(svc: Services) -> web.Application:
    """The ingress's routes over an opened database."""
    settings = svc.settings
    assert settings.webhook_secret is not None, "checked by the command"
    secret = settings.webhook_secret.get_secret_value().encode()
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app[SERVICES] = svc

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("ingress call refused: wrong or missing secret token")
            return web.Response(status=403)
        try:
            body = await request.read()
            data = json.loads(body)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            update_id = data["update_id"]
            # an id the inbox cannot store would be refused with 503 and redelivered forever
            if not isinstance(update_id, int) or not 0 <= update_id < MAX_UPDATE_ID:
                raise ValueError("update_id out of range")
            update = Update.de_json(data, None)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("ingress call refused: not an update (%s)", type(exc).__name__)
            return web.Response(status=400)
        try:
            # ordered by its chat, else by its user; answered at the chat's address
            kind, number = chat_key(update)
            address = telegram_address(number) if kind == "chat" else None
            await updates.accept(svc, update_id, body.decode("utf-8"), (kind, number), address)
        except Exception as exc:  # the database is away: Telegram delivers it again later
            log.error("ingress could not store an update: %s", type(exc).__name__)
            return web.Response(status=503)
        return web.Response(status=200)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(request: web.Request) -> web.Response:
        if not await svc.ready():
            log.warning("ingress not ready: the database does not answer")
            return web.Response(status=503, text="database unavailable")
        return web.Response(text="ready")

    app.router.add_post(webhook_path(secret.decode()), receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def register_webhook(svc: Services, token: str) -> None:
    """Tell Telegram (or the fake API) where to deliver updates, with the secret token."""
    settings = svc.settings
    assert settings.webhook_url and settings.webhook_secret
    secret = settings.webhook_secret.get_secret_value()
    bot = Bot(
        token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.file_url,
        request=AiohttpRequest(),
    )
    async with bot:
        await bot.set_webhook(
            url=settings.webhook_url.rstrip("/") + webhook_path(secret),
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
