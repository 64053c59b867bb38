"""The outbox worker: delivers queued messages one at a time, with retries and back-off."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, ExtBot

from bot.render import buttons_json, inline_markup, send_text
from bot.retry import retry_after_seconds
from bot.services import Services, services
from conversations.textsplit import split_html
from storage import outbox
from storage import staff as staff_store
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_SECONDS = 600


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


async def deliver_due(bot: ExtBot[None], svc: Services) -> int:
    """Deliver what is due now, in order; return how many were sent."""
    sent = 0
    async with svc.outbox_lock, svc.db.exclusive("outbox") as mine:
        if not mine:  # another worker is delivering: rows go out once, in order
            return 0
        for _ in range(BATCH):
            row = await outbox.next_due(svc.db, svc.now(), svc.cipher)
            if row is None:
                break
            if await _deliver(bot, svc, row):
                sent += 1
    return sent


async def _deliver(bot: ExtBot[None], svc: Services, row: OutboxRow) -> bool:
    await outbox.mark_sending(svc.db, row)
    try:
        await send_payload(bot, row.chat.telegram_id, row.payload)
    except RetryAfter as exc:
        wait = retry_after_seconds(exc)
        await outbox.retry_later(svc.db, row, svc.now() + dt.timedelta(seconds=wait), "429")
        log.info("outbox %s: rate limited, retry in %.0fs", row.id, wait)
        return False
    except Forbidden:
        await outbox.give_up(svc.db, row, "blocked", "403 blocked")
        await staff_store.mark_blocked(svc.db, row.chat.telegram_id, svc.now())
        log.info("outbox %s: the recipient blocked the bot", row.id)
        return False
    except BadRequest as exc:
        await outbox.give_up(svc.db, row, "failed", f"400 {exc.message}")
        log.warning("outbox %s: refused permanently (%s)", row.id, exc.message)
        return False
    except (TelegramError, OSError) as exc:
        backoff = min(MAX_BACKOFF_SECONDS, svc.settings.outbox_retry_seconds * 2 ** (row.attempts))
        await outbox.retry_later(
            svc.db, row, svc.now() + dt.timedelta(seconds=backoff), type(exc).__name__
        )
        log.info("outbox %s: %s, retry in %.1fs", row.id, type(exc).__name__, backoff)
        return False
    await outbox.mark_sent(svc.db, row, svc.now())
    return True


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: deliver what is due."""
    await deliver_due(context.bot, services(context))


def kick(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Deliver soon (right after something was queued), without waiting for the next round."""
    if application.job_queue is not None:
        application.job_queue.run_once(deliver_outbox, 0)
