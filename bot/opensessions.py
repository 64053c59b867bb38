"""Messages of a chat with a session open: a staff member's awaited note, a reporter answering
the filing packet's questions or adding to a filed case. One lookup tells which is open (every
message a private chat sends passes here); the session's own handler takes the message, or the
message goes on to the report flow."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import addinfo, packet, staff
from bot.botdata import services
from service.reporting import open_sessions
from service.services import telegram_address


async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand the message to the open session's handler (each stops the update when it took it)."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    open_now = await open_sessions(svc, telegram_address(chat.id), chat.id)
    if "staff" in open_now:
        await staff.on_staff_text(update, context)
    if "packet" in open_now:
        await packet.on_packet_text(update, context)
    if "addition" in open_now:
        await addinfo.on_reporter_addition(update, context)
