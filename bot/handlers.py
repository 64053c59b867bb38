"""Every handler of the bot, registered in one place."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import citizen
from bot.errors import on_error


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach the handlers: groups first, then everything in private chats."""
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, citizen.on_group_message))
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private, citizen.on_private_update))
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, citizen.on_private_update)
    )
    application.add_handler(CallbackQueryHandler(citizen.on_private_update))
    application.add_error_handler(on_error)
