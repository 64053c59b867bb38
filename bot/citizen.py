"""Citizen-side callbacks: Telegram updates in as core events, the report service does the rest."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import MaybeInaccessibleMessage, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.botdata import services
from bot.chat import TelegramChat
from conversations.draft import EvidenceKind
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
from conversations.messages import Language, catalogue, language_from_code
from conversations.replies import Reply
from service import reporting
from service.services import telegram_address

log = logging.getLogger(__name__)


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        largest = message.photo[-1]
        return Attachment(
            "photo",
            largest.file_id,
            largest.file_unique_id,
            largest.file_size or 0,
            "foto.jpg",
            "image/jpeg",
        )
    if message.document is not None:
        doc = message.document
        name = doc.file_name or "dokumen"
        return Attachment(
            "document", doc.file_id, doc.file_unique_id, doc.file_size or 0, name, doc.mime_type
        )
    kind: EvidenceKind  # the loop below names the evidence kind of each media field
    for kind, media in (
        ("video", message.video),
        ("voice", message.voice),
        ("audio", message.audio),
    ):
        if media is not None:
            name = getattr(media, "file_name", None) or kind
            return Attachment(
                kind,
                media.file_id,
                media.file_unique_id,
                media.file_size or 0,
                name,
                media.mime_type,
            )
    if message.video_note is not None:
        note = message.video_note
        return Attachment(
            "video",
            note.file_id,
            note.file_unique_id,
            note.file_size or 0,
            "video_note.mp4",
            "video/mp4",
        )
    return None


def event_of(update: Update) -> Event:
    """The core event an update in a private chat stands for."""
    query = update.callback_query
    if query is not None:
        data = query.data or ""
        return Press(data, _label_of(query.message, data))
    message = update.message
    if message is None:
        return Unsupported("edited" if update.edited_message else "other")
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, argument = text.partition(" ")
            return Command(head[1:].split("@", 1)[0].lower(), argument.strip())
        return Text(text)
    if message.location is not None:
        return Location(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        return Contact(message.contact.phone_number, message.contact.user_id)
    attachment = _attachment(message)
    if attachment is not None:
        return attachment
    return Unsupported("sticker" if message.sticker else "other")


def _label_of(message: MaybeInaccessibleMessage | None, data: str) -> str | None:
    """The label of the pressed button, as the reporter saw it on the message."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()):
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return None


async def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Language:
    """The chat's chosen language; on first contact, the one Telegram reports (then stored)."""
    chat = update.effective_chat
    assert chat is not None
    address = telegram_address(chat.id)
    return await reporting.chat_language(services(context), address, _reported(update))


def _reported(update: Update) -> str | None:
    """The language code Telegram reports for the person."""
    user = update.effective_user
    return user.language_code if user is not None else None


async def on_private_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle anything a person sends in a private chat."""
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    # A press is acknowledged while the chat's language and draft are read.
    query = update.callback_query
    acknowledging = asyncio.create_task(_acknowledge(update)) if query is not None else None
    try:
        language, draft = await reporting.open_report(
            svc, telegram_address(chat.id), _reported(update)
        )
    finally:
        if acknowledging is not None:
            await acknowledging
    user = update.effective_user
    port = TelegramChat(context.bot, chat.id, query.message if query is not None else None)
    await reporting.run_event(
        svc,
        port,
        user.id if user else 0,
        user.first_name if user else "",
        draft,
        event_of(update),
        language,
    )


async def flood_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler for private chats; stops the flood."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    svc = services(context)
    allowed, warn = svc.flood.allow(chat.id, time.monotonic())
    if allowed:
        return
    if warn:
        log.info("a chat is flooding the bot; its messages are ignored for a minute")
        user = update.effective_user
        language = language_from_code(user.language_code if user else None)
        await context.bot.send_message(chat.id, catalogue().render("flood_slow_down", language))
    raise ApplicationHandlerStop


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask people who write in a group to message the bot privately."""
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    language = language_from_code(user.language_code if user else None)
    await message.reply_text(Reply("group_only_private").text(language))


async def _acknowledge(update: Update) -> None:
    """Answer the button press (its message is edited or cleared with the answer)."""
    query = update.callback_query
    assert query is not None
    # Cosmetic: when it fails (too old, network), the press still counts.
    try:
        await query.answer()
    except TelegramError as exc:
        log.debug("callback answer failed: %s", type(exc).__name__)
