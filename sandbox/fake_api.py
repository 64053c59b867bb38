"""A fake Telegram Bot API server over real HTTP: the subset this bot uses, with fault switches.

The bot talks to it exactly as to Telegram (POST /bot<token>/<method>, form, JSON or multipart
bodies; GET /file/bot<token>/<path> for downloads). Tests and the sandbox drive the user side
through the Python methods of `FakeTelegram` (see `sandbox.fake_users`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.html_check import HtmlError, utf16_length, visible_text

log = logging.getLogger(__name__)

JSON = dict[str, Any]
_OBJECT_FIELDS = {
    "reply_markup",
    "allowed_updates",
    "media",
    "entities",
    "caption_entities",
    "link_preview_options",
    "commands",
    "scope",
    "reply_parameters",
}
_INT_FIELDS = {
    "chat_id",
    "message_id",
    "from_chat_id",
    "offset",
    "limit",
    "timeout",
    "cache_time",
    "reply_to_message_id",
    "user_id",
}
_UPDATE_KINDS_DEFAULT_OFF = {"chat_member", "message_reaction", "message_reaction_count"}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MAX_TEXT = 4096
MAX_CAPTION = 1024


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class Fault:
    """A switch that makes calls of one method misbehave `times` times.

    kind: "429" (Too Many Requests with retry_after), "5xx" (server error, `status`),
    "drop" (connection closed before the call is processed), "slow" (processed after `delay`
    seconds) or "lost_reply" (processed, then the connection is closed: the reply never arrives).
    """

    method: str
    kind: str
    times: int = 1
    retry_after: int = 1
    status: int = 502
    delay: float = 0.0


@dataclass
class CallRecord:
    """One request the server received: when, which method, its parameters and the outcome."""

    at: float
    method: str
    params: JSON
    outcome: str


@dataclass
class StoredFile:
    """A file known to the server, by file_id."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    declared_size: int | None = None  # a size getFile reports instead of the real one


@dataclass
class ChatState:
    """What the server keeps for one chat: its description and message counter."""

    chat: JSON
    next_message_id: int = 1


class FakeTelegram:
    """The state and HTTP face of the fake Bot API (one bot per server)."""

    def __init__(
        self, token: str | None = None, *, bot_username: str = "LaporNetralBot", seed: int = 0
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id: int | None = int(token.split(":")[0]) if token else None
        self.updates: list[JSON] = []
        self._update_ids = itertools.count(seed * 1_000_000 + 1)
        self._allowed_updates: list[str] | None = None
        self._wake = asyncio.Event()
        self._poll_generation = 0
        self.chats: dict[int, ChatState] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.bot_log: list[JSON] = []  # every message the bot sent or edited, in order
        self.activity = 0
        self._activity_changed = asyncio.Condition()
        self.calls: list[CallRecord] = []
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, JSON] = {}
        self.answered_callbacks: dict[str, JSON] = {}
        self.faults: list[Fault] = []
        self.blocked_chats: set[int] = set()
        self.commands: dict[str, list[JSON]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_refusals = 0  # calls the bot's webhook answered with an error
        self.webhook_delivered: list[int] = []  # update ids the webhook answered 200 for
        self.webhook_connections = 40  # parallel deliveries, as setWebhook's max_connections
        self._pusher: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._site_port: int | None = None
        self.listeners: list[Callable[[str, JSON], None]] = []
        self._methods: dict[str, Callable[[JSON, dict[str, tuple[str, bytes]]], Awaitable[Any]]]
        self._methods = {
            "getme": self._get_me,
            "logout": self._ok_true,
            "close": self._ok_true,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendchataction": self._ok_true,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendmediagroup": self._send_media_group,
            "copymessage": self._copy_message,
            "getfile": self._get_file,
        }

    # ----------------------------------------------------------------- lifecycle
    def make_app(self) -> web.Application:
        """The aiohttp application serving the Bot API routes."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._handle_file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (0 picks a free port)."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._site_port = sockets[0].getsockname()[1]
        self._host = host

    async def stop(self) -> None:
        """Stop listening and end pending long polls and webhook deliveries."""
        self._notify_pollers()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def polls_started(self) -> int:
        """How many getUpdates calls have begun (a bot is up once it polls)."""
        return self._poll_generation

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        assert self._site_port is not None, "server not started"
        return self._site_port

    @property
    def base_url(self) -> str:
        """Value for TELEGRAM_API_BASE_URL (the token is appended by the client)."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """Base URL of file downloads (the token is appended by the client)."""
        return f"http://{self._host}:{self.port}/file/bot"

    # ----------------------------------------------------------------- faults
    def inject(self, method: str, kind: str, **options: Any) -> Fault:
        """Make the next calls of `method` fail as `kind` (see `Fault`)."""
        fault = Fault(method=method.lower(), kind=kind, **options)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove every fault switch."""
        self.faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    # ----------------------------------------------------------------- HTTP layer
    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"].lower()
        if not self._token_ok(token):
            return _error_response(ApiError(401, "Unauthorized"))
        try:
            params, files = await _read_params(request)
        except ValueError as exc:
            return _error_response(ApiError(400, f"Bad Request: {exc}"))
        except ConnectionResetError:  # the client went away (killed) in the middle of its request
            return web.Response(status=499)
        fault = self._take_fault(method)
        if fault is not None and fault.kind != "slow":
            outcome = await self._apply_fault_before(fault, request, method, params, files)
            if outcome is not None:
                return outcome
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        handler = self._methods.get(method)
        if handler is None:
            self._record(method, params, "404")
            return _error_response(ApiError(404, "Not Found"))
        try:
            result = await handler(params, files)
        except ApiError as exc:
            self._record(method, params, str(exc.status))
            return _error_response(exc)
        self._record(method, params, "ok")
        return web.json_response({"ok": True, "result": result})

    async def _apply_fault_before(
        self,
        fault: Fault,
        request: web.Request,
        method: str,
        params: JSON,
        files: dict[str, tuple[str, bytes]],
    ) -> web.StreamResponse | None:
        if fault.kind == "429":
            self._record(method, params, "429")
            return _error_response(
                ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            )
        if fault.kind == "5xx":
            self._record(method, params, str(fault.status))
            names = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}
            return _error_response(ApiError(fault.status, names.get(fault.status, "Server Error")))
        if fault.kind == "drop":
            self._record(method, params, "dropped")
            _drop(request)
            raise asyncio.CancelledError
        if fault.kind == "lost_reply":
            handler = self._methods.get(method)
            if handler is not None:
                with contextlib.suppress(ApiError):
                    await handler(params, files)
            self._record(method, params, "processed-reply-lost")
            if fault.delay:
                await asyncio.sleep(fault.delay)
            _drop(request)
            raise asyncio.CancelledError
        raise ValueError(f"unknown fault kind {fault.kind!r}")

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if not self._token_ok(request.match_info["token"]):
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        fault = self._take_fault("download")
        if fault is not None and fault.kind in {"5xx", "429"}:
            return web.Response(status=fault.status if fault.kind == "5xx" else 429)
        if fault is not None and fault.kind == "drop":
            _drop(request)
            raise asyncio.CancelledError
        stored = self._files_by_path.get(path)
        if stored is None:
            return web.Response(status=404, text="Not Found")
        self._record("download", {"file_path": path}, "ok")
        return web.Response(body=stored.data, content_type="application/octet-stream")

    def _token_ok(self, token: str) -> bool:
        bot_id, sep, secret = token.partition(":")
        if not (sep and bot_id.isdigit() and secret):
            return False
        if self.token is not None:
            return secrets.compare_digest(token, self.token)
        if self.bot_id is None:
            self.bot_id = int(bot_id)
        return int(bot_id) == self.bot_id

    def _record(self, method: str, params: JSON, outcome: str) -> None:
        self.calls.append(CallRecord(time.monotonic(), method, params, outcome))

    # ----------------------------------------------------------------- bookkeeping
    def bot_user(self) -> JSON:
        """The bot as a Telegram User object."""
        return {
            "id": self.bot_id or 1,
            "is_bot": True,
            "first_name": "Lapor Netral",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def chat_state(self, chat_id: int) -> ChatState:
        """The chat with this id; raises `chat not found` for chats no user has opened."""
        state = self.chats.get(chat_id)
        if state is None:
            raise ApiError(400, "Bad Request: chat not found")
        return state

    def register_chat(self, chat: JSON) -> ChatState:
        """Make a chat known (a user opening a private chat, or a group)."""
        state = self.chats.get(chat["id"])
        if state is None:
            state = self.chats[chat["id"]] = ChatState(chat=dict(chat))
        return state

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message id in a chat (shared by user and bot messages)."""
        state = self.chat_state(chat_id)
        message_id = state.next_message_id
        state.next_message_id += 1
        return message_id

    def add_update(self, update: JSON) -> JSON:
        """Queue an update (its update_id is assigned here) and wake the long poll."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        self._notify_pollers()
        return update

    def _notify_pollers(self) -> None:
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()

    async def _bot_wrote(self, kind: str, message: JSON) -> None:
        self.bot_log.append({"kind": kind, **message})
        for listener in list(self.listeners):
            listener(kind, message)
        async with self._activity_changed:
            self.activity += 1
            self._activity_changed.notify_all()

    async def wait_activity(self, after: int, timeout: float = 10.0) -> int:
        """Wait until the bot has sent or edited something after activity number `after`."""
        async with self._activity_changed:
            await asyncio.wait_for(
                self._activity_changed.wait_for(lambda: self.activity > after), timeout
            )
            return self.activity

    def chat_messages(self, chat_id: int) -> list[JSON]:
        """The messages in a chat as they are now (after edits), oldest first."""
        found = [m for (c, _), m in self.messages.items() if c == chat_id]
        return sorted(found, key=lambda m: m["message_id"])

    def bot_messages(self, chat_id: int) -> list[JSON]:
        """The bot's messages in a chat as they are now, oldest first."""
        return [m for m in self.chat_messages(chat_id) if m.get("from", {}).get("is_bot")]

    def store_file(self, data: bytes, extension: str, kind: str) -> StoredFile:
        """Keep uploaded bytes under a new file_id, as Telegram does."""
        digest = hashlib.sha256(data).hexdigest()
        unique = "AQAD" + digest[:16]
        file_id = f"{kind[:2].upper()}{secrets.token_urlsafe(18)}"
        path = f"{kind}s/file_{len(self.files)}.{extension}"
        stored = StoredFile(file_id, unique, data, path)
        self.add_file(stored)
        return stored

    def add_file(self, stored: StoredFile) -> None:
        """Make a file downloadable by its file_id (getFile) and path."""
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored

    def _new_bot_message(self, chat_id: int, body: JSON) -> JSON:
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        state = self.chat_state(chat_id)
        message = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user(),
            "chat": state.chat,
            "date": int(time.time()),
            **body,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    # ----------------------------------------------------------------- methods
    async def _ok_true(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> bool:
        return True

    async def _get_me(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        return self.bot_user()

    async def _delete_webhook(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        return True

    async def _set_webhook(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> bool:
        self.webhook_url = str(params.get("url", ""))
        self.webhook_secret = str(params.get("secret_token") or "")
        self.webhook_connections = int(params.get("max_connections") or 40)
        if self.webhook_url and self._pusher is None:
            self._pusher = asyncio.create_task(self._push_updates())
        return True

    async def _push_updates(self) -> None:
        """As Telegram does with a webhook: POST updates with the secret token over up to
        `max_connections` parallel connections (40 unless setWebhook said otherwise), each
        chat's one at a time and in order, until the bot answers 200; retry after an error."""
        in_flight: dict[int, object] = {}  # update_id -> its chat, while being delivered
        tasks: set[asyncio.Task[None]] = set()

        async def deliver(session: aiohttp.ClientSession, update: JSON) -> None:
            headers = (
                {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
                if self.webhook_secret
                else {}
            )
            try:
                async with session.post(self.webhook_url, json=update, headers=headers) as reply:
                    delivered = reply.status == 200
            except aiohttp.ClientError:
                delivered = False
            if delivered:
                self.webhook_delivered.append(update["update_id"])
                with contextlib.suppress(ValueError):
                    self.updates.remove(update)
            else:
                self.webhook_refusals += 1
                await asyncio.sleep(0.1)
            in_flight.pop(update["update_id"], None)
            self._notify_pollers()  # the pusher looks again

        async with aiohttp.ClientSession() as session:
            while self.webhook_url:
                wake = self._wake  # taken first: a wake-up while scanning is not lost
                busy = set(in_flight.values())
                started = False
                for update in list(self.updates):
                    if len(in_flight) >= self.webhook_connections:
                        break
                    chat = _update_chat(update)
                    if update["update_id"] in in_flight or chat in busy:
                        busy.add(chat)  # a chat's later updates wait for its earlier one
                        continue
                    busy.add(chat)
                    in_flight[update["update_id"]] = chat
                    task = asyncio.create_task(deliver(session, update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    started = True
                if not started:
                    await wake.wait()
            for task in list(tasks):
                task.cancel()

    async def _get_webhook_info(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _get_updates(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if "allowed_updates" in params and params["allowed_updates"] is not None:
            self._allowed_updates = list(params["allowed_updates"])
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_pollers()  # an earlier long poll ends with 409, as on Telegram
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = [u for u in self.updates if self._allowed(u)][:limit]
            self.updates = [u for u in self.updates if self._allowed(u) or u in batch]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)

    def _allowed(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if not self._allowed_updates:
            return kind not in _UPDATE_KINDS_DEFAULT_OFF
        return kind in self._allowed_updates

    async def _send_message(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        chat_id = _require_int(params, "chat_id")
        text = str(params.get("text") or "")
        body = _text_body(text, params.get("parse_mode"), MAX_TEXT, "text")
        _attach_markup(body, params.get("reply_markup"))
        body["_html"] = text if params.get("parse_mode") == "HTML" else None
        message = self._new_bot_message(chat_id, body)
        await self._bot_wrote("send", message)
        return _public(message)

    def _find_bot_message(self, params: JSON) -> JSON:
        chat_id = _require_int(params, "chat_id")
        message_id = _require_int(params, "message_id")
        self.chat_state(chat_id)
        message = self.messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.get("from", {}).get("is_bot"):
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    async def _edit_message_text(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        message = self._find_bot_message(params)
        text = str(params.get("text") or "")
        body = _text_body(text, params.get("parse_mode"), MAX_TEXT, "text")
        markup = _check_markup(params.get("reply_markup"))
        if body["text"] == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = body["text"]
        message["_html"] = text if params.get("parse_mode") == "HTML" else None
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        await self._bot_wrote("edit", message)
        return _public(message)

    async def _edit_message_reply_markup(
        self, params: JSON, files: dict[str, tuple[str, bytes]]
    ) -> JSON:
        message = self._find_bot_message(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        await self._bot_wrote("edit", message)
        return _public(message)

    async def _delete_message(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> bool:
        chat_id = _require_int(params, "chat_id")
        message_id = _require_int(params, "message_id")
        if self.messages.pop((chat_id, message_id), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _answer_callback_query(
        self, params: JSON, files: dict[str, tuple[str, bytes]]
    ) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.callback_queries or query_id in self.answered_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_callbacks[query_id] = params
        return True

    async def _set_my_commands(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if (
                not (1 <= len(name) <= 32)
                or not name.replace("_", "").isalnum()
                or name != name.lower()
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not (1 <= len(str(command.get("description", ""))) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = str(params.get("language_code") or "")
        self.commands[key] = commands
        return True

    async def _get_my_commands(
        self, params: JSON, files: dict[str, tuple[str, bytes]]
    ) -> list[JSON]:
        return self.commands.get(str(params.get("language_code") or ""), [])

    async def _delete_my_commands(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> bool:
        self.commands.pop(str(params.get("language_code") or ""), None)
        return True

    def _media_from(
        self, value: Any, files: dict[str, tuple[str, bytes]], kind: str, extension: str
    ) -> StoredFile:
        if isinstance(value, str) and value.startswith("attach://"):
            value = files.get(value.removeprefix("attach://"), ("", b""))
            if not value[1]:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if isinstance(value, tuple):
            name, data = value
            ext = name.rsplit(".", 1)[-1] if "." in name else extension
            return self.store_file(data, ext, kind)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _send_file(
        self, params: JSON, files: dict[str, tuple[str, bytes]], kind: str
    ) -> JSON:
        chat_id = _require_int(params, "chat_id")
        source = files.get(kind) or params.get(kind)
        stored = self._media_from(source, files, kind, "jpg" if kind == "photo" else "bin")
        caption = str(params.get("caption") or "")
        body: JSON = {}
        if caption:
            body = _text_body(caption, params.get("parse_mode"), MAX_CAPTION, "caption")
        body.update(_file_object(kind, stored, source))
        _attach_markup(body, params.get("reply_markup"))
        message = self._new_bot_message(chat_id, body)
        await self._bot_wrote("send", message)
        return _public(message)

    async def _send_photo(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        return await self._send_file(params, files, "photo")

    async def _send_document(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        return await self._send_file(params, files, "document")

    async def _send_media_group(
        self, params: JSON, files: dict[str, tuple[str, bytes]]
    ) -> list[JSON]:
        chat_id = _require_int(params, "chat_id")
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media specified")
        sent: list[JSON] = []
        group_id = secrets.token_hex(8)
        for item in media:
            kind = str(item.get("type"))
            if kind not in {"photo", "video", "document", "audio"}:
                raise ApiError(400, "Bad Request: wrong media type")
            stored = self._media_from(item.get("media"), files, kind, "bin")
            body: JSON = {"media_group_id": group_id}
            if item.get("caption"):
                body.update(
                    _text_body(str(item["caption"]), item.get("parse_mode"), MAX_CAPTION, "caption")
                )
            body.update(_file_object(kind, stored, None))
            message = self._new_bot_message(chat_id, body)
            await self._bot_wrote("send", message)
            sent.append(_public(message))
        return sent

    async def _copy_message(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        chat_id = _require_int(params, "chat_id")
        from_chat = _require_int(params, "from_chat_id")
        original = self.messages.get((from_chat, _require_int(params, "message_id")))
        if original is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        body = {
            k: v for k, v in original.items() if k not in {"message_id", "from", "chat", "date"}
        }
        message = self._new_bot_message(chat_id, body)
        await self._bot_wrote("send", message)
        return {"message_id": message["message_id"]}

    async def _get_file(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.declared_size
            if stored.declared_size is not None
            else len(stored.data),
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------- helpers
def _drop(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def _error_response(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.status, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.status)


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, tuple[str, bytes]]]:
    params: JSON = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename or key, value.file.read())
            else:
                params[key] = value
    for key, value in list(params.items()):
        if not isinstance(value, str):
            continue
        if key in _OBJECT_FIELDS:
            try:
                params[key] = json.loads(value)
            except json.JSONDecodeError:
                raise ValueError(f"can't parse {key} JSON object") from None
        elif key in _INT_FIELDS and value.lstrip("-").isdigit():
            params[key] = int(value)
    return params, files


def _require_int(params: JSON, name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or value is None:
        raise ApiError(
            400,
            f"Bad Request: {name} is empty" if value is None else f"Bad Request: invalid {name}",
        )
    if isinstance(value, str):
        if not value.lstrip("-").isdigit():
            raise ApiError(400, "Bad Request: chat not found")
        return int(value)
    return int(value)


def _text_body(text: str, parse_mode: Any, limit: int, field_name: str) -> JSON:
    if parse_mode == "HTML":
        try:
            visible = visible_text(text)
        except HtmlError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    elif parse_mode in (None, ""):
        visible = text
    else:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
    if field_name == "text" and not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_length(visible) > limit:
        raise ApiError(
            400,
            "Bad Request: message is too long"
            if field_name == "text"
            else "Bad Request: message caption is too long",
        )
    return {field_name: visible}


def _attach_markup(body: JSON, markup: Any) -> None:
    """Messages carry only inline keyboards; a reply keyboard is kept aside for the tests."""
    checked = _check_markup(markup)
    if checked is None:
        return
    if "inline_keyboard" in checked:
        body["reply_markup"] = checked
    else:
        body["_reply_keyboard"] = checked


def _check_markup(markup: Any) -> JSON | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is not None:
        count = 0
        for row in rows:
            for button in row:
                count += 1
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not str(button.get("text", "")).strip():
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        if count > 100:
            raise ApiError(400, "Bad Request: reply markup is too long")
        if not any(rows):
            return None
    return markup


def _file_object(kind: str, stored: StoredFile, source: Any) -> JSON:
    base = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if kind == "photo":
        return {"photo": [{**base, "width": 800, "height": 600}]}
    name = source[0] if isinstance(source, tuple) else stored.file_path.rsplit("/", 1)[-1]
    return {kind: {**base, "file_name": name}}


def _public(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if not k.startswith("_")}


def _update_chat(update: JSON) -> object:
    """The chat (or user) an update belongs to: Telegram delivers a chat's updates in order."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        message = body.get("message") if kind == "callback_query" else body
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return ("chat", chat["id"])
        sender = body.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return ("user", sender["id"])
    return ("other", update["update_id"])
