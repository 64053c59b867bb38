"""Every handler of the bot, registered in one place."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import addinfo, citizen, opensessions, packet, staff
from bot.errors import on_error

# Handler groups run in order, one handler per group; a handler may stop the later groups
# with ApplicationHandlerStop.
FLOOD = -5  # too many messages from one chat: one polite reply, then nothing for a while
STAFF_START = -4  # /start from a staff member: the staff welcome, not the citizen's
# a staff member's awaited note, a reporter's answer to the filing packet's questions or
# addition to a filed case, while such a session is open (bot/opensessions.py)
SESSIONS = -3


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers: groups first, then staff, then everything else in private chats."""
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, citizen.flood_guard), FLOOD)
    application.add_handler(CommandHandler("start", staff.on_staff_start, private), STAFF_START)
    application.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE, opensessions.on_private_message),
        SESSIONS,
    )
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, citizen.on_group_message))
    application.add_handler(
        CommandHandler(list(staff.STAFF_COMMANDS), staff.on_staff_command, filters=private)
    )
    application.add_handler(
        CallbackQueryHandler(staff.on_staff_button, pattern=r"^(ks|sx|fw|fc|fn|in|sn|kp):")
    )
    application.add_handler(CallbackQueryHandler(addinfo.on_add_info_button, pattern=r"^(ai|ad):"))
    application.add_handler(CallbackQueryHandler(packet.on_packet_button, pattern=r"^(pk|pq|pf):"))
    application.add_handler(MessageHandler(private, citizen.on_private_update))
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, citizen.on_private_update)
    )
    application.add_handler(CallbackQueryHandler(citizen.on_private_update))
    application.add_error_handler(on_error)
