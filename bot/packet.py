"""Filing packets in the chat: the reporter's "📄 Official report file" button (after filing and
in the status of their own ticket), the answers to the forms' questions, and a staff member's
copy; service.packets does the work."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import citizen
from bot.botdata import services
from bot.chat import TelegramChat
from conversations.callbacks import PACKET, PACKET_STAFF
from service import packets

log = logging.getLogger(__name__)


async def on_packet_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`pk:<ticket>` makes the packet of one's own case; `pq:skip` / `pq:cancel` answer its
    questions; `pf:<case id>:<body>` is a staff member's copy."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    svc = services(context)
    code, _, value = (query.data or "").partition(":")
    if code == PACKET_STAFF.code and await packets.staff_case(svc, chat.id, value) is None:
        log.info("staff packet refused: not staff or out of scope")
        await citizen.on_private_update(update, context)  # as for any stale button
        return
    try:
        await query.answer()
    except TelegramError as exc:  # cosmetic: the press still counts
        log.debug("callback answer failed: %s", type(exc).__name__)
    port = TelegramChat(context.bot, chat.id)
    if code == PACKET_STAFF.code:
        await packets.staff_copy(svc, port, chat.id, value)
        return
    language = await citizen.language_of(update, context)
    if code == PACKET.code:
        await packets.start(svc, port, value, language)
    else:
        await packets.answer(svc, port, None, language, cancel=value == "cancel")


async def on_packet_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """While the packet's questions are open: a typed answer; a command ends the questions."""
    chat = update.effective_chat
    message = update.message
    if chat is None or message is None:
        return
    svc = services(context)
    port = TelegramChat(context.bot, chat.id)
    if not await packets.is_asking(svc, port.address):
        return
    if message.text is not None and message.text.startswith("/"):
        await packets.cancel(svc, port.address)
        return  # the command is handled as usual
    language = await citizen.language_of(update, context)
    if message.text is None:
        await packets.not_text(svc, port, language)
    else:
        await packets.answer(svc, port, message.text, language)
    raise ApplicationHandlerStop
