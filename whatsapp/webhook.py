"""The WhatsApp webhook at `/whatsapp` on our aiohttp server: Meta's verification handshake
(`GET`, `hub.verify_token`) and every delivery (`POST`) checked against `X-Hub-Signature-256`,
the HMAC-SHA256 of the raw body with the app secret, compared in constant time: a forged or
unsigned call gets 403 and changes nothing. Messages of one chat are handled in order, one at a
time; a message delivered again (our answer to Meta was lost) is handled once. The answer is
200 only once the call's messages are handled (one process) or kept in the inbox (the ingress
of several workers): a call that fails is delivered again by Meta."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from service import reporting, updates
from service.chat import WHATSAPP
from service.services import Services
from whatsapp.cloud import CloudClient
from whatsapp.receive import Delivered, Incoming, delivered, handle

log = logging.getLogger(__name__)

PATH = "/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_CALL_BYTES = 3 * 1024 * 1024  # a webhook call carries text and media ids, never files

Handle = Callable[[Services, CloudClient, Incoming], Awaitable[None]]


def signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends with a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class ChatLocks:
    """One lock per chat while it has messages in hand (order within a chat, chats at once)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` after the chat's earlier work, then let the lock go when nobody waits."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await work()
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]


Keep = Callable[[list[Delivered]], Awaitable[None]]


def webhook_routes(svc: Services, keep: Keep) -> list[web.RouteDef]:
    """`GET /whatsapp` (the handshake) and `POST /whatsapp` (checked, then its messages handed
    to `keep`: handled at once, or kept in the inbox for the workers)."""
    settings = svc.settings
    assert settings.whatsapp_app_secret is not None and settings.whatsapp_verify_token
    secret = settings.whatsapp_app_secret.get_secret_value()
    verify_token = settings.whatsapp_verify_token.get_secret_value().encode()

    async def verify(request: web.Request) -> web.Response:
        given = request.query.get("hub.verify_token", "").encode()
        if request.query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            given, verify_token
        ):
            log.warning("whatsapp verification refused: wrong verify token")
            return web.Response(status=403)
        return web.Response(text=request.query.get("hub.challenge", ""))

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given.encode(), signature(secret, body).encode()):
            log.warning("whatsapp call refused: wrong or missing signature")
            return web.Response(status=403)
        try:
            payload = json.loads(body)
            messages = delivered(payload) if isinstance(payload, dict) else []
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            log.warning("whatsapp call refused: not a webhook payload (%s)", type(exc).__name__)
            return web.Response(status=400)
        try:
            await keep(messages)
        except Exception as exc:  # this call again later: Meta delivers it again
            log.error("whatsapp message failed: %s", type(exc).__name__)
            return web.Response(status=503)
        return web.Response(text="ok")

    return [web.get(PATH, verify), web.post(PATH, receive)]


def build_webhook(svc: Services, client: CloudClient, handler: Handle = handle) -> web.Application:
    """The webhook of a single process: each message handled at once, one chat's in order."""
    locks = ChatLocks()

    async def keep(messages: list[Delivered]) -> None:
        for message in messages:
            work = functools.partial(_once, svc, client, message.incoming(), handler)
            await locks.run(message.wa_id, work)

    app = web.Application(client_max_size=MAX_CALL_BYTES)
    app.add_routes(webhook_routes(svc, keep))
    return app


def ingress_routes(svc: Services) -> list[web.RouteDef]:
    """The webhook on the ingress of several workers: each message kept in the inbox (once,
    in order) before Meta is answered; a worker handles it (`process_kept`)."""

    async def keep(messages: list[Delivered]) -> None:
        for message in messages:
            body = json.dumps(message.to_json(), ensure_ascii=False)
            address = f"{WHATSAPP}:{message.wa_id}"
            await updates.accept_message(svc, f"{WHATSAPP}:{message.message_id}", body, address)

    return webhook_routes(svc, keep)


async def process_kept(svc: Services, client: CloudClient, data: dict[str, Any]) -> None:
    """Handle one message a worker took from the inbox (the ingress marked it as come)."""
    await handle(svc, client, Delivered.from_json(data).incoming())


async def _once(svc: Services, client: CloudClient, message: Incoming, handler: Handle) -> None:
    """Handle a message unless it was handled already."""
    key = f"{WHATSAPP}:{message.message_id}"
    if message.message_id and not await reporting.first_delivery(svc, key):
        log.info("whatsapp message delivered again: skipped")
        return
    await handler(svc, client, message)
    if message.message_id:
        await reporting.handled(svc, key)


class WhatsAppWebhook:
    """The webhook listening on WHATSAPP_LISTEN:WHATSAPP_PORT while the services run."""

    def __init__(self, svc: Services, client: CloudClient) -> None:
        self._svc = svc
        self._client = client
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (an address already taken raises OSError: WhatsApp without its webhook would
        take no reports, so the process does not start half-way)."""
        settings = self._svc.settings
        runner = web.AppRunner(build_webhook(self._svc, self._client), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.whatsapp_listen, settings.whatsapp_port).start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info(
            "whatsapp webhook on %s:%s%s", settings.whatsapp_listen, settings.whatsapp_port, PATH
        )

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
