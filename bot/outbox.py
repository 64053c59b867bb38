"""The outbox's Telegram sender: a queued payload as Bot API calls, Telegram's failures in the
outbox's terms, and the PTB job that runs the worker (service.outbox)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, ContextTypes, ExtBot

from bot.botdata import services, services_of_application
from bot.render import buttons_json, inline_markup, send_text
from bot.retry import retry_after_seconds
from conversations.textsplit import split_html
from service.chat import (
    TELEGRAM,
    Recipient,
    RecipientBlockedError,
    RefusedError,
    RetryLaterError,
)
from service.outbox import deliver_due


async def send_payload(bot: ExtBot[None], chat_id: int, payload: dict[str, Any]) -> None:
    """Send one queued message: text, a document or a photo."""
    kind = payload.get("type", "message")
    if kind == "message":
        parts = split_html(payload["text"])  # queued texts are measured; this is the safety net
        buttons = buttons_json(payload.get("buttons"))
        for number, part in enumerate(parts, start=1):
            await send_text(bot, chat_id, part, buttons if number == len(parts) else None)
    elif kind in {"document", "photo"}:
        markup = inline_markup(payload.get("buttons"))
        data = await asyncio.to_thread(Path(payload["path"]).read_bytes)
        caption = payload.get("caption")
        if kind == "photo":
            await bot.send_photo(
                chat_id, data, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        else:
            await bot.send_document(
                chat_id,
                data,
                filename=payload.get("filename"),
                caption=caption,
                parse_mode=ParseMode.HTML,
            )
    else:
        raise ValueError(f"unknown outbox payload type {kind!r}")


class TelegramSender:
    """Sends outbox rows through the Bot API."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self._bot = bot

    async def send(self, chat: Recipient, payload: dict[str, Any]) -> None:
        """One queued payload to the row's Telegram chat."""
        try:
            await send_payload(self._bot, chat.telegram_id, payload)
        except RetryAfter as exc:
            raise RetryLaterError(retry_after_seconds(exc)) from None
        except Forbidden:
            raise RecipientBlockedError from None
        except BadRequest as exc:
            raise RefusedError(exc.message) from None


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: deliver what is due."""
    await deliver_due(services(context))


def wake_on_queue(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the Telegram sender with the services, and the hook that runs the outbox job
    at once (after something was queued) instead of at its next round."""
    job_queue = application.job_queue
    assert job_queue is not None
    svc = services_of_application(application)
    svc.senders[TELEGRAM] = TelegramSender(application.bot)

    def wake() -> None:
        job_queue.run_once(deliver_outbox, 0)

    svc.wake_outbox = wake
