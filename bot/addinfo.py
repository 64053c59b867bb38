"""A reporter adds text or evidence to a filed case ("Tambah informasi"): the buttons and the
messages of an open addition, handed to service.additions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import citizen
from bot.botdata import services
from bot.chat import TelegramChat
from conversations.callbacks import ADD_INFO_DONE
from service import additions


async def on_add_info_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`ai:<ticket>` starts adding to one's own open case; `ad:done` ends it."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    svc = services(context)
    language = await citizen.language_of(update, context)
    await query.answer()
    code, _, ticket = (query.data or "").partition(":")
    port = TelegramChat(context.bot, chat.id)
    if code == ADD_INFO_DONE.code:
        await additions.finish(svc, port, language)
    else:
        await additions.start(svc, port, ticket, language)


async def on_reporter_addition(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """While adding to a case: text and files become case events; commands end the session."""
    chat = update.effective_chat
    message = update.message
    if chat is None or message is None:
        return
    svc = services(context)
    port = TelegramChat(context.bot, chat.id)
    if not await additions.is_adding(svc, port.address):
        return
    if message.text is not None and message.text.startswith("/"):
        await additions.end(svc, port.address)
        return  # the command is handled as usual
    language = await citizen.language_of(update, context)
    if await additions.add(svc, port, citizen.event_of(update), language):
        raise ApplicationHandlerStop
