"""Every handler of the bot, registered in one place."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import addinfo, citizen, staff
from bot.errors import on_error

# Handler groups run in order; a handler may stop the rest with ApplicationHandlerStop.
BEFORE = -1  # a staff note or a reporter's addition to a filed case, when one is awaited
MAIN = 0


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers: groups first, then staff, then everything else in private chats."""
    private = filters.ChatType.PRIVATE
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, staff.on_staff_text), BEFORE
    )
    application.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE, addinfo.on_reporter_addition), BEFORE
    )
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, citizen.on_group_message))
    application.add_handler(
        CommandHandler(list(staff.STAFF_COMMANDS), staff.on_staff_command, filters=private)
    )
    application.add_handler(
        CallbackQueryHandler(staff.on_staff_button, pattern=r"^(ks|sx|fw|in|sn|kp):")
    )
    application.add_handler(CallbackQueryHandler(addinfo.on_add_info_button, pattern=r"^(ai|ad):"))
    application.add_handler(MessageHandler(private, citizen.on_private_update))
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, citizen.on_private_update)
    )
    application.add_handler(CallbackQueryHandler(citizen.on_private_update))
    application.add_error_handler(on_error)
