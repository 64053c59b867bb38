"""Citizen-side callbacks: translate Telegram updates into core events and send the replies."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.render import send_replies
from bot.services import services
from conversations.menu import handle_menu
from conversations.messages import Language, language_from_code
from conversations.replies import Reply
from conversations.session import Command, Event, Press, Profile, Text, Unsupported
from storage import chats

log = logging.getLogger(__name__)


def event_of(update: Update) -> Event:
    """The core event an update in a private chat stands for."""
    if update.callback_query is not None:
        return Press(update.callback_query.data or "")
    message = update.message
    if message is None:
        return Unsupported("edited" if update.edited_message else "other")
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, argument = text.partition(" ")
            name = head[1:].split("@", 1)[0]
            return Command(name.lower(), argument.strip())
        return Text(text)
    return Unsupported(message.effective_attachment.__class__.__name__.lower())


async def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Language:
    """The chat's chosen language, else the one Telegram reports for the user."""
    chat = update.effective_chat
    assert chat is not None
    chosen = await chats.get_language(services(context).db, chat.id)
    if chosen is not None:
        return chosen
    user = update.effective_user
    if user is None or user.language_code is None:
        return services(context).settings.default_language
    return language_from_code(user.language_code)


async def on_private_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle anything a person sends in a private chat."""
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    language = await language_of(update, context)
    user = update.effective_user
    profile = Profile(language, user.first_name if user else "")
    event = event_of(update)
    if update.callback_query is not None:
        await _acknowledge(update)
    outcome = handle_menu(profile, event)
    if outcome.language != language:
        await chats.set_language(svc.db, chat.id, outcome.language, svc.now())
    await send_replies(context.bot, chat.id, outcome.replies, outcome.language)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask people who write in a group to message the bot privately."""
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    language = language_from_code(user.language_code if user else None)
    await message.reply_text(Reply("group_only_private").text(language))


async def _acknowledge(update: Update) -> None:
    """Answer the button press and take the buttons off its message (no stale presses)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if query.message is not None and getattr(query.message, "reply_markup", None):
        try:
            await query.edit_message_reply_markup(None)
        except BadRequest as exc:
            log.debug("buttons already gone: %s", exc)
