"""The inbox of a multi-worker deployment on PostgreSQL: the ingress keeps each update a channel
delivers, and any number of workers take them (`python -m lapor worker`).

Each worker runs the same handlers, jobs and outbox as the single process, but its updates come
from the inbox (the face parses each one and runs its handlers: `Process`). A worker claims a
chat's earliest open update (so a chat's updates go in order, one at a time, across all
workers), keeps extending its claim while it works, and runs the handlers inside one transaction
that also marks the update done: the update's database effects happen exactly once. If the
worker dies, the transaction rolls back, the claim runs out, and another worker handles the
update again; its replies may then reach the chat twice (at least once, counted in `attempts`),
and a report filed again keeps its ticket. Jobs and the outbox run on every worker, each run by
one worker at a time (advisory locks).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from conversations.messages import catalogue
from service.services import Services
from storage import chats, inbox, outbox, seen
from storage.chatkeys import inbox_key
from storage.crypto import address_of
from storage.database import transaction

# runs the handlers of one update (its JSON) inside the worker's transaction
Process = Callable[[dict[str, Any]], Awaitable[None]]

log = logging.getLogger(__name__)

# An idle lane is woken by the ingress's notification; it also looks on its own this often
# (a claim that ran out, a chat's next update freed by another worker).
IDLE_LOOK = 1.0


def worker_name() -> str:
    """This worker in claims and logs: host, process and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class ClaimLostError(Exception):
    """Another worker took the update over (this one was too slow): roll back, move on."""


async def accept(
    svc: Services, update_id: int, body: str, order: tuple[str, int], address: str | None
) -> None:
    """Keep one delivered update (its JSON `body`) in the inbox, ordered behind the earlier
    updates of the same chat or user (`order`: its kind and number), with the chat's address to
    answer it even when the update cannot be read; an idle worker is woken (a repeated
    delivery is kept once)."""
    token = svc.cipher.encrypt_token(body)
    key = inbox_key(svc.cipher, *order)
    sealed = svc.cipher.encrypt(address) if address is not None else None
    if await inbox.add(svc.db, update_id, key, token, svc.now(), sealed):
        await svc.db.notify(inbox.CHANNEL)


WEBHOOK_IDS = 2**62  # inbox ids of webhook channels' messages start here (Telegram's are below)


async def accept_message(svc: Services, message_id: str, body: str, address: str) -> bool:
    """Keep one message a webhook channel delivered (WhatsApp), ordered behind the chat's
    earlier ones, in one transaction with the mark that it came (kept as a keyed hash: a
    repeated delivery is kept once); an idle worker is woken. False for a repeated delivery."""
    async with transaction(svc.db):
        if not await seen.mark_handled(svc.db, svc.cipher.chat_hash(message_id), svc.now()):
            return False
        update_id = WEBHOOK_IDS + await inbox.next_channel_id(svc.db)
        await inbox.add(
            svc.db, update_id, svc.cipher.chat_hash(address), svc.cipher.encrypt_token(body),
            svc.now(), svc.cipher.encrypt(address),
        )  # fmt: skip
    await svc.db.notify(inbox.CHANNEL)
    return True


async def handle_one(
    svc: Services, process: Process, name: str, wake: asyncio.Event | None = None
) -> bool:
    """Claim and handle one update; False when there was none to claim."""
    lease = dt.timedelta(seconds=svc.settings.worker_lease_seconds)
    claimed = await inbox.claim(svc.db, name, svc.now(), lease)
    if claimed is None:
        return False
    if claimed.attempts > 1:
        log.info("update %s handled again (attempt %s)", claimed.update_id, claimed.attempts)
    limit = svc.settings.inbox_max_attempts
    if claimed.attempts > limit:  # the workers that held it died with it, again and again
        await set_aside(svc, claimed.update_id, claimed.attempts - 1)
        return True
    keeper = asyncio.create_task(_keep_claim(svc, claimed.update_id, name, lease))
    try:
        data = json.loads(svc.cipher.decrypt_token(claimed.body_enc))
        async with transaction(svc.db):
            await inbox.relax_commit(svc.db)
            await process(data)
            if not await inbox.mark_done(svc.db, claimed.update_id, name, svc.now()):
                raise ClaimLostError(claimed.update_id)
    except ClaimLostError:
        log.warning("update %s was taken over by another worker", claimed.update_id)
    except Exception as exc:  # this update, not the worker: try it later, then set it aside
        error = type(exc).__name__
        log.error("update %s failed (attempt %s): %s", claimed.update_id, claimed.attempts, error)
        retry_at = svc.now() + dt.timedelta(seconds=min(30.0, 0.5 * 2**claimed.attempts))
        await inbox.failed(svc.db, claimed.update_id, name, error, retry_at)
        if claimed.attempts >= limit:
            await set_aside(svc, claimed.update_id, claimed.attempts)
    else:
        svc.wake_outbox()  # what the update queued is committed now: deliver it
        if wake is not None:
            wake.set()  # the chat's next update, if one waits, may be claimed now
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
    return True


async def set_aside(svc: Services, update_id: int, attempts: int) -> None:
    """Stop trying an update that keeps failing: the chat's later updates go on, its sender is
    asked to send it again and the administrators are told (both through the outbox)."""
    now = svc.now()
    texts = catalogue()
    async with transaction(svc.db):
        sealed, error = await inbox.set_aside(svc.db, update_id, now)
        if sealed is not None:
            chat = svc.cipher.chat(address_of(svc.cipher.decrypt(sealed)))
            language = await chats.get_language(svc.db, chat) or svc.settings.default_language
            text = texts.render("update_set_aside", language)
            await outbox.enqueue(
                svc.db, chat, "notification", {"type": "message", "text": text}, now,
                cipher=svc.cipher,
            )  # fmt: skip
        for admin in svc.settings.admin_user_ids:
            text = texts.render(
                "admin_update_set_aside", svc.settings.default_language,
                update_id=update_id, attempts=attempts, error=error,
            )  # fmt: skip
            await outbox.enqueue(
                svc.db, svc.chat(admin), "alert", {"type": "message", "text": text}, now,
                cipher=svc.cipher,
            )  # fmt: skip
    log.error("update %s set aside after %s attempts (%s)", update_id, attempts, error)
    svc.wake_outbox()


async def _keep_claim(svc: Services, update_id: int, name: str, lease: dt.timedelta) -> None:
    """Extend the claim three times per lease while the update is handled."""
    while True:
        await asyncio.sleep(lease.total_seconds() / 3)
        await inbox.extend(svc.db, update_id, name, svc.now(), lease)


async def work(svc: Services, process: Process, stop: asyncio.Event, lanes: int) -> None:
    """Handle updates on `lanes` concurrent lanes until `stop` is set (a lane finishes the
    update it holds first)."""
    name = worker_name()
    wake = asyncio.Event()
    log.info("worker %s taking updates on %s lanes", name, lanes)

    async def lane() -> None:
        while not stop.is_set():
            wake.clear()
            try:
                busy = await handle_one(svc, process, name, wake)
            except Exception as exc:  # the database went away for a moment: try again
                log.error("worker lane: %s", type(exc).__name__)
                busy = False
                await asyncio.sleep(1.0)
            if busy:
                wake.set()  # there may be more: let the other lanes look too
            else:
                waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())}
                _, pending = await asyncio.wait(
                    waiters, timeout=IDLE_LOOK, return_when=asyncio.FIRST_COMPLETED
                )
                for task in pending:
                    task.cancel()

    async with svc.db.listen(inbox.CHANNEL, wake.set):
        await asyncio.gather(*(lane() for _ in range(lanes)))
