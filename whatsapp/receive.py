"""What a reporter sends on WhatsApp, as core events, handed to the services: the report flow,
the filing packet's questions and "Tambah informasi", by the declared prefix of a pressed
button or the session the chat has open (as bot/handlers.py routes Telegram's updates)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from conversations.callbacks import (
    ADD_INFO_DONE,
    CALLBACKS,
    MORE,
    OWN_NUMBER,
    PACKET,
    TYPED,
)
from conversations.events import (
    Attachment,
    Command,
    Contact,
    Event,
    Location,
    Press,
    Text,
    Unsupported,
)
from conversations.menu import typed_command
from conversations.messages import Language
from conversations.replies import Reply
from service import additions, packets, reporting
from service.chat import WHATSAPP
from service.services import Services
from whatsapp.chat import WhatsAppChat
from whatsapp.cloud import CloudClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """One message of a webhook call: who sent it, its id, and the core event it stands for
    (`page`: which page of a long list a "Lainnya" press asked for)."""

    wa_id: str
    message_id: str
    first_name: str
    event: Event
    page: int = 0


@dataclass(frozen=True)
class Delivered:
    """One message of a webhook call as Meta sent it, with the sender's profile name (what
    the ingress keeps in the inbox for a worker)."""

    message: dict[str, Any]
    name: str

    @property
    def wa_id(self) -> str:
        """The sender's WhatsApp id."""
        return str(self.message.get("from") or "")

    @property
    def message_id(self) -> str:
        """Meta's id of the message."""
        return str(self.message.get("id") or "")

    def to_json(self) -> dict[str, Any]:
        """As kept in the inbox."""
        return {WHATSAPP: {"message": self.message, "name": self.name}}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Delivered:
        """As read back from the inbox."""
        kept = data[WHATSAPP]
        return Delivered(dict(kept["message"]), str(kept.get("name") or ""))

    def incoming(self) -> Incoming:
        """The message as a core event."""
        event, page = event_of(self.message, self.wa_id)
        return Incoming(self.wa_id, self.message_id, self.name.split(" ")[0], event, page)


def delivered(payload: dict[str, Any]) -> list[Delivered]:
    """The messages of a webhook call, in order (delivery receipts and the like are skipped)."""
    found: list[Delivered] = []
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            names = {
                str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
                for c in value.get("contacts") or []
            }
            for message in value.get("messages") or []:
                sender = str(message.get("from") or "")
                if sender.isdigit():
                    found.append(Delivered(dict(message), names.get(sender, "")))
    return found


def incoming(payload: dict[str, Any]) -> list[Incoming]:
    """The messages of a webhook call as core events, in order."""
    return [message.incoming() for message in delivered(payload)]


def event_of(message: dict[str, Any], wa_id: str) -> tuple[Event, int]:
    """The core event one WhatsApp message stands for, and the list page it asks for."""
    kind = message.get("type")
    if kind == "text":
        text = str((message.get("text") or {}).get("body") or "")
        return typed_command(text) or Text(text), 0
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        chosen = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return _pressed(str(chosen.get("id") or ""), str(chosen.get("title") or ""), wa_id)
    if kind == "button":  # a template's quick reply
        button = message.get("button") or {}
        return Text(str(button.get("text") or "")), 0
    if kind == "location":
        where = message.get("location") or {}
        return Location(float(where.get("latitude", 0)), float(where.get("longitude", 0))), 0
    if kind == "contacts":
        cards = message.get("contacts") or [{}]
        phones = cards[0].get("phones") or [{}]
        return Contact(str(phones[0].get("phone") or phones[0].get("wa_id") or ""), None), 0
    media = message.get(str(kind)) if kind in {"image", "document", "audio", "video"} else None
    if isinstance(media, dict) and media.get("id"):
        return _attachment(str(kind), media), 0
    return Unsupported("sticker" if kind == "sticker" else "other"), 0


def _pressed(data: str, title: str, wa_id: str) -> tuple[Event, int]:
    """A reply button or list row: the core's press, or one of this channel's own."""
    code, _, value = data.partition(":")
    if code == MORE.code and value.isdigit():
        return Press(data, title), int(value)
    if code == TYPED.code:
        return Text(value), 0
    if code == OWN_NUMBER.code:
        return Contact(wa_id, None), 0
    return Press(data, title), 0


def _attachment(kind: str, media: dict[str, Any]) -> Attachment:
    media_id = str(media["id"])
    mime = str(media.get("mime_type") or "") or None
    if kind == "image":
        return Attachment("photo", media_id, media_id, 0, "foto.jpg", mime or "image/jpeg")
    if kind == "document":
        return Attachment(
            "document", media_id, media_id, 0, str(media.get("filename") or "dokumen"), mime
        )
    if kind == "audio":
        voice = bool(media.get("voice"))
        return Attachment("voice" if voice else "audio", media_id, media_id, 0, kind, mime)
    return Attachment("video", media_id, media_id, 0, "video.mp4", mime or "video/mp4")


async def handle(svc: Services, client: CloudClient, message: Incoming) -> None:
    """Hand one message to the service it belongs to (in the chat's order); a chat sending too
    much is asked once to slow down, then ignored for a while."""
    chat = WhatsAppChat(client, message.wa_id, message.page)
    allowed, warn = svc.flood.allow(chat.address, time.monotonic())
    if not allowed:
        if warn:
            log.info("a chat is flooding the bot; its messages are ignored for a minute")
            language = await reporting.chosen_language(svc, chat.address)
            await chat.send([Reply("flood_slow_down")], language or svc.settings.default_language)
        return
    language, draft = await reporting.open_report(svc, chat.address, None)
    await reporting.heard(svc, chat.address, language)
    event = message.event
    if isinstance(event, Press) and event.data.startswith(MORE.data("")):
        asked = reporting.current_question(svc, chat.address, draft, language, 0)
        await chat.send([asked] if asked else [], language)
        return
    if isinstance(event, Press) and await _pressed_outside_the_flow(svc, chat, event, language):
        return
    if await _in_session(svc, chat, event, language):
        return
    await reporting.run_event(svc, chat, 0, message.first_name, draft, event, language)


async def _pressed_outside_the_flow(
    svc: Services, chat: WhatsAppChat, event: Press, language: Language
) -> bool:
    """A button of the filing packet or of "Tambah informasi" (by its declared prefix)."""
    owner = CALLBACKS.owner_of(event.data)
    code, _, value = event.data.partition(":")
    if owner == "packet":
        if code == PACKET.code:
            await packets.start(svc, chat, value, language)
        else:
            await packets.answer(svc, chat, None, language, cancel=value == "cancel")
        return True
    if owner == "addinfo":
        if code == ADD_INFO_DONE.code:
            await additions.finish(svc, chat, language)
        else:
            await additions.start(svc, chat, value, language)
        return True
    return False


async def _in_session(svc: Services, chat: WhatsAppChat, event: Event, language: Language) -> bool:
    """A message for the filing packet's open question or an open addition (a command ends
    either and goes on to the flow)."""
    open_now = await reporting.open_sessions(svc, chat.address, None)
    if not open_now:
        return False
    if isinstance(event, Command):
        if "packet" in open_now:
            await packets.cancel(svc, chat.address)
        if "addition" in open_now:
            await additions.end(svc, chat.address)
        return False
    if "packet" in open_now:
        if isinstance(event, Text):
            await packets.answer(svc, chat, event.text, language)
        else:
            await packets.not_text(svc, chat, language)
        return True
    if "addition" in open_now:
        return await additions.add(svc, chat, event, language)
    return False
