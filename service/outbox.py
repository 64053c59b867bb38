"""The outbox worker: delivers queued messages one at a time, with retries and back-off, through
the channel's sender (the face says how a payload is sent and how a failure reads)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, TypedDict

from conversations.messages import Language
from conversations.replies import Reply
from service.chat import (
    TELEGRAM,
    Recipient,
    RecipientBlockedError,
    RefusedError,
    RetryLaterError,
    Sender,
)
from service.services import Services
from storage import outbox
from storage import staff as staff_store
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_SECONDS = 600


class ButtonSpec(TypedDict):
    """A button as a queued message keeps it (JSON): its label, in the recipient's language,
    and its callback data."""

    text: str
    data: str


def channel_of(chat: Recipient) -> str:
    """The channel of a chat's address ("telegram", "whatsapp")."""
    return chat.address.partition(":")[0]


def reply_payload(reply: Reply, language: Language) -> dict[str, Any]:
    """A reply of the core as an outbox message (its text and its inline buttons)."""
    buttons: list[list[ButtonSpec]] = [
        [ButtonSpec(text=b.label(language), data=b.data) for b in row] for row in reply.buttons
    ]
    return {
        "type": "message",
        "text": reply.text(language),
        "buttons": buttons,
        "language": language,
    }


async def queue_replies(
    svc: Services, chat: Recipient, kind: str, replies: Sequence[Reply], language: Language
) -> None:
    """Queue replies for a chat (in the caller's transaction: the caller wakes the outbox once
    it is committed)."""
    for reply in replies:
        payload = reply_payload(reply, language)
        await outbox.enqueue(svc.db, chat, kind, payload, svc.now(), cipher=svc.cipher)


async def deliver_due(svc: Services) -> int:
    """Deliver what is due now, in order, each through its channel's sender; return how many
    were sent."""
    sent = 0
    async with svc.outbox_lock, svc.db.exclusive("outbox") as mine:
        if not mine:  # another worker is delivering: rows go out once, in order
            return 0
        for _ in range(BATCH):
            row = await outbox.next_due(svc.db, svc.now(), svc.cipher)
            if row is None:
                break
            if await _deliver(svc.senders.get(channel_of(row.chat)), svc, row):
                sent += 1
    return sent


async def _deliver(sender: Sender | None, svc: Services, row: OutboxRow) -> bool:
    if sender is None:  # its channel is off in this process: kept until it is on again
        at = svc.now() + dt.timedelta(seconds=MAX_BACKOFF_SECONDS)
        await outbox.retry_later(svc.db, row, at, "channel off")
        log.warning("outbox %s: its channel is not configured here", row.id)
        return False
    await outbox.mark_sending(svc.db, row)
    try:
        await sender.send(row.chat, row.payload)
    except RetryLaterError as wait:
        at = svc.now() + dt.timedelta(seconds=wait.seconds)
        await outbox.retry_later(svc.db, row, at, "429")
        log.info("outbox %s: rate limited, retry in %.0fs", row.id, wait.seconds)
        return False
    except RecipientBlockedError:
        await outbox.give_up(svc.db, row, "blocked", "403 blocked")
        if channel_of(row.chat) == TELEGRAM:  # staff are reached on Telegram
            await staff_store.mark_blocked(svc.db, row.chat.telegram_id, svc.now())
        log.info("outbox %s: the recipient blocked the bot", row.id)
        return False
    except RefusedError as refused:
        await outbox.give_up(svc.db, row, "failed", f"400 {refused.reason}")
        log.warning("outbox %s: refused permanently (%s)", row.id, refused.reason)
        return False
    except Exception as exc:  # a failure on the way, whatever the channel's library calls it
        backoff = min(MAX_BACKOFF_SECONDS, svc.settings.outbox_retry_seconds * 2 ** (row.attempts))
        await outbox.retry_later(
            svc.db, row, svc.now() + dt.timedelta(seconds=backoff), type(exc).__name__
        )
        log.info("outbox %s: %s, retry in %.1fs", row.id, type(exc).__name__, backoff)
        return False
    await outbox.mark_sent(svc.db, row, svc.now())
    return True
