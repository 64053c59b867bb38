"""Every handler of the bot, registered in one place."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import addinfo, citizen, opensessions, packet, staff
from bot.errors import on_error
from conversations import questions  # noqa: F401  (declares the report questions' prefixes)
from conversations.callbacks import CALLBACKS, Owner

# Handler groups run in order, one handler per group; a handler may stop the later groups
# with ApplicationHandlerStop.
FLOOD = -5  # too many messages from one chat: one polite reply, then nothing for a while
STAFF_START = -4  # /start and /bantuan from a staff member: the staff's, not the citizen's
# a staff member's awaited note, a reporter's answer to the filing packet's questions or
# addition to a filed case, while such a session is open (bot/opensessions.py)
SESSIONS = -3

ButtonCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
# who reads the presses of each owner's declared callback prefixes (conversations/callbacks.py)
BUTTON_READERS: dict[Owner, ButtonCallback] = {
    "staff": staff.on_staff_button,
    "addinfo": addinfo.on_add_info_button,
    "packet": packet.on_packet_button,
    "citizen": citizen.on_private_update,
}


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers: groups first, then staff, then everything else in private chats."""
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, citizen.flood_guard), FLOOD)
    application.add_handler(CommandHandler("start", staff.on_staff_start, private), STAFF_START)
    application.add_handler(
        CommandHandler(["bantuan", "help"], staff.on_staff_help, private), STAFF_START
    )
    application.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE, opensessions.on_private_message),
        SESSIONS,
    )
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, citizen.on_group_message))
    application.add_handler(
        CommandHandler(list(staff.STAFF_COMMANDS), staff.on_staff_command, filters=private)
    )
    for owner, callback in BUTTON_READERS.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=CALLBACKS.pattern(owner)))
    application.add_handler(MessageHandler(private, citizen.on_private_update))
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, citizen.on_private_update)
    )
    # a button of an older release, whose prefix is no longer declared: "that button is old"
    application.add_handler(CallbackQueryHandler(citizen.on_private_update))
    application.add_error_handler(on_error)
