"""The error handler: log the failure without personal data, tell the user politely."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError
from telegram.ext import ContextTypes

from bot.botdata import SERVICES_KEY
from conversations.messages import Language, language_from_code
from conversations.replies import Reply
from service import reporting
from service.services import Services, telegram_address

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception (type and place, no message text) and apologise in the chat."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling update %s: %s",
        update_id,
        type(error).__name__,
        exc_info=error if not isinstance(error, NetworkError) else None,
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    user = update.effective_user
    language = await _chosen_language(context, chat.id) or language_from_code(
        user.language_code if user else None
    )
    try:
        await context.bot.send_message(chat.id, Reply("error_generic").text(language))
    except Exception as exc:
        log.warning("could not send the apology: %s", type(exc).__name__)


async def _chosen_language(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> Language | None:
    """The language the chat chose with /bahasa, when the database can still tell."""
    svc = context.bot_data.get(SERVICES_KEY)
    if not isinstance(svc, Services):
        return None
    try:
        return await reporting.chosen_language(svc, telegram_address(chat_id))
    except Exception as exc:  # the failure being reported may be the database itself
        log.warning("could not read the chat's language: %s", type(exc).__name__)
        return None
