"""A fake WhatsApp Business Cloud API on loopback: what the sandbox and the tests talk to.

It answers as Meta's Graph API does the calls the bot makes (`/{version}/{phone number
id}/messages`, `/media`, `/{media id}` and the media download), refuses what Meta refuses — a
wrong token, an interactive message past its limits (more than 3 reply buttons, more than 10
list rows, titles past 20 or 24 characters, a body past 1,024), a text past 4,096, a free-form
message more than 24 hours after the person's last one (error 131047), a template that is not
approved — and plays the people: their messages, button and list replies, photos, documents and
locations go to the bot's webhook signed with the app secret, as Meta signs them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
VERSION = "v23.0"
WINDOW = dt.timedelta(hours=24)
LIMITS = {"text": 4096, "body": 1024, "buttons": 3, "button_title": 20, "rows": 10,
          "row_title": 24, "row_description": 72, "list_button": 20, "header": 60}  # fmt: skip


class RefusalError(Exception):
    """A call Meta would refuse: its HTTP status, error code and message."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _check(condition: bool, message: str, code: int = 131009) -> None:
    if not condition:
        raise RefusalError(400, code, f"(#{code}) Parameter value is not valid: {message}")


def check_message(message: JSON) -> None:
    """Refuse a message as the Cloud API refuses it (the limits of its reference)."""
    kind = message.get("type")
    _check(message.get("messaging_product") == "whatsapp", "messaging_product", 100)
    _check(str(message.get("to", "")).isdigit(), "to", 100)
    if kind == "text":
        body = str((message.get("text") or {}).get("body") or "")
        _check(0 < len(body) <= LIMITS["text"], "text.body length")
    elif kind == "interactive":
        _check_interactive(message.get("interactive") or {})
    elif kind == "document":
        document = message.get("document") or {}
        _check(bool(document.get("id") or document.get("link")), "document.id")
        _check(len(str(document.get("caption", ""))) <= 1024, "document.caption length")
    elif kind != "template":
        _check(False, f"type {kind!r}", 100)


def _check_interactive(interactive: JSON) -> None:
    body = str((interactive.get("body") or {}).get("text") or "")
    _check(0 < len(body) <= LIMITS["body"], "interactive.body.text length")
    for part in ("header", "footer"):
        shown = str((interactive.get(part) or {}).get("text", "x"))
        _check(0 < len(shown) <= LIMITS["header"], f"interactive.{part}.text length")
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        _check(1 <= len(buttons) <= LIMITS["buttons"], "buttons count")
        ids = [b["reply"]["id"] for b in buttons]
        _check(len(set(ids)) == len(ids), "buttons ids unique")
        for button in buttons:
            title = str(button["reply"].get("title") or "")
            _check(0 < len(title) <= LIMITS["button_title"], f"button title {title!r}")
            _check(0 < len(str(button["reply"]["id"])) <= 256, "button id length")
    elif interactive.get("type") == "list":
        label = str(action.get("button") or "")
        _check(0 < len(label) <= LIMITS["list_button"], "list button length")
        rows = [
            row for section in action.get("sections") or [] for row in section.get("rows") or []
        ]
        _check(1 <= len(rows) <= LIMITS["rows"], "rows count")
        ids = [str(row.get("id")) for row in rows]
        _check(len(set(ids)) == len(ids), "row ids unique")
        for row in rows:
            title = str(row.get("title") or "")
            _check(0 < len(title) <= LIMITS["row_title"], f"row title {title!r}")
            _check(
                len(str(row.get("description", ""))) <= LIMITS["row_description"], "row description"
            )
            _check(0 < len(str(row["id"])) <= 200, "row id length")
    else:
        _check(False, "interactive.type", 100)


@dataclass
class Media:
    """A file the fake holds: uploaded by the bot or sent by a person."""

    data: bytes
    mime_type: str
    declared_size: int | None = None  # a lying size, as a hostile client might declare


@dataclass
class FakeWhatsApp:
    """The fake Cloud API: start it, point the bot at `base_url`, then play people."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    phone_id: str = "1000000001"
    app_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    verify_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    template: str = "lapor_netral_status"
    template_languages: tuple[str, ...] = ("id", "en")
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    webhook_url: str = ""
    sent: dict[str, list[JSON]] = field(default_factory=dict)
    refused: list[tuple[str, int]] = field(default_factory=list)  # (to, error code)
    media: dict[str, Media] = field(default_factory=dict)
    last_heard: dict[str, dt.datetime] = field(default_factory=dict)
    activity: int = 0
    delivered: int = 0  # the messages people sent to the bot's webhook
    # as Meta does: a call not answered 200 (the bot down, a 5xx) is delivered again, for up to
    # `redeliver_for` seconds (Meta: days); off, a failed call is the caller's to see
    redeliver: bool = False
    redeliver_for: float = 120.0
    # called with (to, message) for every message the bot sent (the sandbox terminal prints it)
    listeners: list[Callable[[str, JSON], None]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        """What WHATSAPP_API_BASE_URL is set to."""
        assert self._runner is not None and self._runner.addresses
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_post(f"/{{version}}/{self.phone_id}/messages", self._messages)
        app.router.add_post(f"/{{version}}/{self.phone_id}/media", self._upload)
        app.router.add_get("/download/{media_id}", self._download)
        app.router.add_get("/{version}/{media_id}", self._media_info)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Stop listening."""
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}.{next(self._ids):08d}{secrets.token_hex(4)}"

    def _authorised(self, request: web.Request) -> bool:
        expected = f"Bearer {self.token}".encode()
        return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected)

    @staticmethod
    def _error(refusal: RefusalError) -> web.Response:
        error = {"message": refusal.message, "type": "OAuthException", "code": refusal.code,
                 "fbtrace_id": secrets.token_hex(8)}  # fmt: skip
        return web.json_response({"error": error}, status=refusal.status)

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(RefusalError(401, 190, "Invalid OAuth access token."))
        message = await request.json()
        to = str(message.get("to", ""))
        try:
            check_message(message)
            if message.get("type") == "template":
                self._check_template(message.get("template") or {})
            else:
                heard = self.last_heard.get(to)
                if heard is None or self.clock() - heard >= WINDOW:
                    raise RefusalError(400, 131047, "Re-engagement message")
        except RefusalError as refusal:
            self.refused.append((to, refusal.code))
            return self._error(refusal)
        message_id = self._new_id("wamid")
        self.sent.setdefault(to, []).append({**message, "id": message_id})
        self._touch()
        for listener in self.listeners:
            listener(to, message)
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
             "messages": [{"id": message_id}]}
        )  # fmt: skip

    def _check_template(self, template: JSON) -> None:
        _check(template.get("name") == self.template, "template name (not approved)", 132001)
        language = str((template.get("language") or {}).get("code", ""))
        _check(language in self.template_languages, "template language", 132001)
        components = template.get("components") or []
        parameters = [p for c in components for p in c.get("parameters") or []]
        _check(len(parameters) == 2, "template parameters (2)", 132000)

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(RefusalError(401, 190, "Invalid OAuth access token."))
        form = await request.post()
        file = form.get("file")
        if not isinstance(file, web.FileField):
            return self._error(RefusalError(400, 100, "file is required"))
        media_id = self._new_id("media")
        self.media[media_id] = Media(file.file.read(), str(form.get("type") or ""))
        return web.json_response({"id": media_id})

    async def _media_info(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._error(RefusalError(401, 190, "Invalid OAuth access token."))
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return self._error(RefusalError(400, 100, "Unsupported get request."))
        size = media.declared_size if media.declared_size is not None else len(media.data)
        return web.json_response(
            {"messaging_product": "whatsapp", "id": request.match_info["media_id"],
             "url": f"{self.base_url}/download/{request.match_info['media_id']}",
             "mime_type": media.mime_type, "file_size": size,
             "sha256": hashlib.sha256(media.data).hexdigest()}
        )  # fmt: skip

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return web.Response(status=401)
        media = self.media.get(request.match_info["media_id"])
        if media is None:
            return web.Response(status=404)
        return web.Response(
            body=media.data, content_type=media.mime_type or "application/octet-stream"
        )

    def _touch(self) -> None:
        self.activity += 1
        self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------ people
    async def deliver(self, wa_id: str, name: str, message: JSON, *, signed: bool = True) -> int:
        """Post one message to the bot's webhook as Meta does; the status it answered."""
        assert self._session is not None and self.webhook_url
        self.last_heard[wa_id] = self.clock()
        self.delivered += 1
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "6280000", "phone_number_id": self.phone_id},
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                "messages": [{"from": wa_id, "id": self._new_id("wamid"),
                              "timestamp": str(int(self.clock().timestamp())), **message}],
            }}]}],
        }  # fmt: skip
        return await self.post(json.dumps(body).encode(), signed=signed)

    async def post(self, raw: bytes, *, signed: bool = True, signature: str | None = None) -> int:
        """Post a raw body to the webhook (signed with the app secret unless told otherwise)."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if signed:
            digest = hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = signature or f"sha256={digest}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.redeliver_for if self.redeliver else 0)
        while True:
            try:
                async with self._session.post(
                    self.webhook_url, data=raw, headers=headers
                ) as answer:
                    status = answer.status
            except aiohttp.ClientError:
                status = 0  # nobody listening (the bot was killed)
            if status == 200 or not self.redeliver or loop.time() > deadline:
                if status == 0:
                    raise ConnectionError("the webhook did not answer")
                return status
            await asyncio.sleep(0.3)

    def person(self, wa_id: str, name: str = "Warga") -> FakePerson:
        """Someone writing to the bot from this number."""
        return FakePerson(self, wa_id, name)

    async def changed(self, timeout: float) -> None:
        """Wait until something was sent (or `timeout`)."""
        waiter = self._changed
        try:
            await asyncio.wait_for(waiter.wait(), timeout)
        except TimeoutError:
            return


@dataclass
class FakePerson:
    """One WhatsApp user: types, presses reply buttons and list rows, sends files and places."""

    server: FakeWhatsApp
    wa_id: str
    name: str = "Warga"
    seen: int = 0

    def messages(self) -> list[JSON]:
        """What the bot sent this person so far."""
        return self.server.sent.get(self.wa_id, [])

    def mark(self) -> None:
        """Only messages sent after this count for `expect`."""
        self.seen = len(self.messages())

    async def _send(self, message: JSON) -> int:
        self.mark()
        return await self.server.deliver(self.wa_id, self.name, message)

    async def say(self, text: str) -> int:
        """Type a message."""
        return await self._send({"type": "text", "text": {"body": text}})

    async def press(self, title: str) -> int:
        """Press the reply button or list row with this title in the bot's latest message that
        has one (the title as shown, or the start of a row's description)."""
        for message in reversed(self.messages()):
            offered = choices(message)
            found = [c for c in offered if title in (c.title, c.label)] or [
                c for c in offered if c.label.startswith(title)
            ]
            if found:
                chosen = found[0]
                key = "button_reply" if chosen.kind == "button" else "list_reply"
                reply = {"id": chosen.id, "title": chosen.title}
                return await self._send(
                    {"type": "interactive", "interactive": {"type": key, key: reply}}
                )
        raise AssertionError(f"no button or row {title!r} in {texts(self.messages()[-3:])}")

    async def press_data(self, data: str) -> int:
        """Press the choice whose id is `data` in the bot's latest message that offers it (a
        long list is paged through with its "more" row, as a person would)."""
        for message in reversed(self.messages()):
            offered = choices(message)
            if not offered:
                continue
            chosen = next((c for c in offered if c.id == data), None)
            if chosen is None:
                more = next((c for c in offered if c.id.startswith("mo:")), None)
                if more is None:
                    continue
                await self._press(more)
                await self.expect_choice(data)
                return await self.press_data(data)
            return await self._press(chosen)
        raise AssertionError(f"no choice {data!r} in {texts(self.messages()[-3:])}")

    async def _press(self, chosen: Choice) -> int:
        key = "button_reply" if chosen.kind == "button" else "list_reply"
        reply = {"id": chosen.id, "title": chosen.title}
        return await self._send({"type": "interactive", "interactive": {"type": key, key: reply}})

    async def expect_choice(self, prefix: str, timeout: float = 10.0) -> JSON:
        """Wait for a message since the last action offering a choice whose id starts with
        `prefix` (`c:` for the question with the code c)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in self.messages()[self.seen :]:
                if any(c.id.startswith(prefix) for c in choices(message)):
                    return message
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(
                    f"no choice {prefix!r}; got {texts(self.messages()[self.seen :])}"
                )
            await self.server.changed(min(left, 0.5))

    async def send_photo(self, data: bytes, *, declared_size: int | None = None) -> int:
        """Send a photo (JPEG bytes), as the person's phone uploads it."""
        media_id = self.server._new_id("media")
        self.server.media[media_id] = Media(data, "image/jpeg", declared_size)
        image = {
            "id": media_id,
            "mime_type": "image/jpeg",
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        return await self._send({"type": "image", "image": image})

    async def send_document(self, data: bytes, filename: str, mime_type: str) -> int:
        """Send a file as a document."""
        media_id = self.server._new_id("media")
        self.server.media[media_id] = Media(data, mime_type)
        document = {"id": media_id, "filename": filename, "mime_type": mime_type}
        return await self._send({"type": "document", "document": document})

    async def share_contact(self, phone: str) -> int:
        """Share a contact card (one's own number)."""
        card = {"name": {"formatted_name": self.name}, "phones": [{"phone": phone}]}
        return await self._send({"type": "contacts", "contacts": [card]})

    async def press_number(self, number: int) -> int | None:
        """Press the `number`th choice (from 1) of the bot's latest message with choices; None
        when it has fewer."""
        for message in reversed(self.messages()):
            offered = choices(message)
            if offered:
                if not 1 <= number <= len(offered):
                    return None
                return await self._press(offered[number - 1])
        return None

    async def send_location(self, latitude: float, longitude: float) -> int:
        """Share a location."""
        return await self._send(
            {"type": "location", "location": {"latitude": latitude, "longitude": longitude}}
        )

    async def expect(self, text: str, timeout: float = 10.0) -> JSON:
        """Wait for a message sent since the last action whose text contains `text`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in self.messages()[self.seen :]:
                if text in text_of(message):
                    return message
            left = deadline - loop.time()
            if left <= 0:
                shown = texts(self.messages()[self.seen :]) or texts(self.messages()[-3:])
                raise AssertionError(f"no message with {text!r}; got {shown}")
            await self.server.changed(min(left, 0.5))


def text_of(message: JSON) -> str:
    """What a sent message says (its body, a template's parameters, a document's caption)."""
    kind = message.get("type")
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "interactive":
        interactive = message["interactive"]
        shown = [
            str((interactive.get("header") or {}).get("text", "")),
            str(interactive["body"]["text"]),
        ]
        shown += [choice.label for choice in choices(message)]
        return "\n".join(shown)
    if kind == "document":
        return str(message["document"].get("caption", ""))
    if kind == "template":
        template = message["template"]
        values = [
            p["text"] for c in template.get("components", []) for p in c.get("parameters", [])
        ]
        return " ".join([f"[template {template['name']}]", *values])
    return ""


@dataclass(frozen=True)
class Choice:
    """A reply button or list row: its id, its title, the whole label (a row's description
    when the title is cut) and its kind."""

    id: str
    title: str
    label: str
    kind: str


def choices(message: JSON) -> list[Choice]:
    """An interactive message's choices, in order."""
    if message.get("type") != "interactive":
        return []
    interactive = message["interactive"]
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [
            Choice(b["reply"]["id"], b["reply"]["title"], b["reply"]["title"], "button")
            for b in action["buttons"]
        ]
    rows = [row for s in action.get("sections", []) for row in s.get("rows", [])]
    return [Choice(r["id"], r["title"], r.get("description") or r["title"], "row") for r in rows]


def texts(messages: list[JSON]) -> list[str]:
    """The texts of some messages (for assertion messages)."""
    return [text_of(m)[:200] for m in messages]


# ------------------------------------------------------------ a whole report
DESCRIPTION = "Seorang pejabat terlihat berkampanye untuk salah satu calon di kantor."


def photo_bytes() -> bytes:
    """A small JPEG, as a phone sends a photo."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


# what a reporter reads in each language to know a photo arrived and the report was filed
RECEIVED = {"id": "Bukti 1 diterima", "en": "Evidence 1 received"}
TICKET = {"id": "Nomor tiket: ", "en": "Ticket number: "}


async def walk(
    person: FakePerson, *, photo: bool = False, language: str = "id", located: bool = False
) -> str:
    """A whole report over WhatsApp (an ASN's political expression in Kota Serang, today, no
    public service, anonymous; the answers the Telegram tests give): typed where a person
    types, pressed where a button or a list row is offered, the place shared as a location
    when `located`; the ticket."""
    await to_evidence(person, language=language, located=located)
    if photo:
        await person.send_photo(photo_bytes())
        await person.expect(RECEIVED[language])
        await person.press_data("ev:done")
    else:
        await person.press_data("ev:none")
    await person.expect_choice("id:")
    await person.press_data("id:anonymous")
    review = await person.expect_choice("rv:")
    send = next(c.id for c in choices(review) if c.id.startswith("rv:send:"))
    await person.press_data(send)
    filed = await person.expect(TICKET[language])
    return text_of(filed).split(TICKET[language])[1].split("\n")[0].strip("`")


async def to_evidence(person: FakePerson, *, language: str = "id", located: bool = False) -> None:
    """A report over WhatsApp up to its evidence question (in English: "english" first)."""
    if language == "en":
        await person.say("english")
        await person.expect_choice("m:")
    await person.say("lapor" if language == "id" else "report")
    await person.expect_choice("c:")
    await person.press_data("c:yes")
    await person.expect_choice("k:")
    await person.press_data("k:political_expression")
    await person.expect_choice("d:")
    await person.say(DESCRIPTION)
    await person.expect_choice("p:")
    await person.press_data("p:asn")
    await person.expect_choice("pd:")
    await person.press_data("pd:^skip")
    await person.expect_choice("pv:")
    await person.say("banten")
    await person.expect_choice("rg:")
    await person.say("kota serang")
    await person.expect_choice("pl:")
    if located:
        await person.send_location(-6.1201, 106.1503)  # the place, shared from the phone
    else:
        await person.press_data("pl:^skip")
    await person.expect_choice("ed:")
    await person.press_data("ed:today")
    await person.expect_choice("ps:")
    await person.press_data("ps:no")
    await person.expect_choice("ev:")
