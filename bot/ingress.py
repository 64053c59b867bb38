"""`python -m bot ingress`: the webhook endpoint of a multi-worker deployment on PostgreSQL.

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
from bot.services import Services
from bot.webhook import MAX_UPDATE_BYTES, SECRET_HEADER, webhook_path
from storage import inbox
from storage.database import ping

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)


def key_text(update: Update) -> str:
    """The chat an update belongs to, as the inbox orders by it (`chat:123`, `user:5`)."""
    key = chat_key(update)
    return ":".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


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
            update = Update.de_json(data, None)
            update_id = int(data["update_id"])
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("ingress call refused: not an update (%s)", type(exc).__name__)
            return web.Response(status=400)
        try:
            token = svc.cipher.encrypt_token(body.decode("utf-8"))
            if await inbox.add(svc.db, update_id, key_text(update), token, svc.now()):
                await svc.db.notify(inbox.CHANNEL)  # wake an idle worker at once
        except Exception as exc:  # the database is away: Telegram delivers it again later
            log.error("ingress could not store an update: %s", type(exc).__name__)
            return web.Response(status=503)
        return web.Response(status=200)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(request: web.Request) -> web.Response:
        try:
            await ping(svc.db)
        except Exception as exc:
            log.warning("ingress not ready: %s", type(exc).__name__)
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
