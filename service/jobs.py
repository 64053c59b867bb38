"""The scheduled work, channel-neutral: reminding and expiring untouched drafts, retention,
forgetting handled updates and idle console sessions, and watching the data key (the face
schedules each round; every round runs on one worker at a time)."""

from __future__ import annotations

import datetime as dt
import logging

from conversations.callbacks import DRAFT
from conversations.questions import QUESTIONS, TOTAL_STEPS
from conversations.replies import Button, Reply
from service.evidence import remove_files
from service.outbox import queue_replies
from service.services import Services
from storage import chats, drafts, inbox, keys, lifecycle, seen, weblogins
from storage import evidence as evidence_store
from storage import outbox as outbox_store
from storage.database import transaction

log = logging.getLogger(__name__)

DRAFT_CHECK_SECONDS = 600
INBOX_KEEP = dt.timedelta(days=1)  # handled updates kept this long (to count retries)
OUTBOX_KEEP = dt.timedelta(days=7)  # delivered rows kept this long (to count re-sends)
REMINDER_KIND = "reminder"


async def key_watch(svc: Services) -> None:
    """Stop this process once a rotation has started with a key its DATA_KEY lacks: what it
    wrote from then on could not be read once the old key is dropped (rotate-key waits for it,
    then reseals what it wrote before)."""
    if not await keys.keys_fit(svc.db, svc.cipher):
        log.critical(
            "DATA_KEY was rotated: restart this process with DATA_KEY=NEW,OLD (stopping now)"
        )
        svc.retire()


async def purge_old_cases(svc: Services, *, dry_run: bool) -> lifecycle.Purge:
    """Anonymise cases closed more than RETENTION_DAYS ago (0 keeps everything)."""
    days = svc.settings.retention_days
    if days == 0:
        return lifecycle.Purge(0, [])
    now = svc.now()
    result = await lifecycle.purge_closed(
        svc.db, now - dt.timedelta(days=days), now, svc.casework.final, dry_run=dry_run
    )
    if not dry_run:
        remove_files(result.evidence_files)
        # delivered messages hold nothing by now; chats that only kept a language go too
        await outbox_store.purge_finished(svc.db, now - OUTBOX_KEEP)
        await lifecycle.forget_leftovers(svc.db, now - dt.timedelta(days=days), now)
        await svc.db.forget_deleted()
        if result.cases:
            log.info("retention: %s closed cases anonymised", result.cases)
    return result


async def retention_round(svc: Services) -> None:
    """The retention run, once a day."""
    async with svc.db.exclusive("retention") as mine:
        if mine:
            await purge_old_cases(svc, dry_run=False)


async def housekeeping_round(svc: Services) -> None:
    """Hourly: forget updates the workers handled more than a day ago (nothing to do for a
    single process, whose inbox stays empty), the webhook messages handled as long ago, and the
    console's expired links and idle sessions."""
    async with svc.db.exclusive("inbox") as mine:
        if mine:
            await weblogins.purge(svc.db, svc.now(), weblogins.IDLE_LIMIT)
            await seen.forget_before(svc.db, svc.now() - INBOX_KEEP)
            await inbox.forget_channel_ids(svc.db)
            removed = await inbox.purge_done(svc.db, svc.now() - INBOX_KEEP)
            if removed:
                log.info("inbox: %s handled updates forgotten", removed)


async def drafts_round(svc: Services) -> None:
    """Remind drafts untouched for DRAFT_TTL_HOURS once; delete them after as long again (the
    reporter is told each time, through the outbox)."""
    async with svc.db.exclusive("drafts") as mine:
        if mine:
            await _expire_drafts(svc)


async def _expire_drafts(svc: Services) -> None:
    ttl = dt.timedelta(hours=svc.settings.draft_ttl_hours)
    now = svc.now()
    told = 0
    for idle in await drafts.idle(svc.db, svc.cipher, now - ttl, reminded=False):
        language = await chats.get_language(svc.db, idle.chat) or svc.settings.default_language
        step = QUESTIONS[idle.step].step if idle.step in QUESTIONS else 1
        reminder = Reply(
            "draft_reminder",
            {"n": step, "total": TOTAL_STEPS, "hours": svc.settings.draft_ttl_hours},
            ((Button(DRAFT.data("continue"), "btn_continue"),),),
        )
        async with transaction(svc.db):
            await drafts.mark_reminded(svc.db, idle.chat, idle.draft_id, now)
            await queue_replies(svc, idle.chat, REMINDER_KIND, [reminder], language)
        told += 1
    for idle in await drafts.idle(svc.db, svc.cipher, now - ttl, reminded=True):
        language = await chats.get_language(svc.db, idle.chat) or svc.settings.default_language
        async with transaction(svc.db):
            files = await evidence_store.drop_for_draft(svc.db, idle.draft_id)
            await drafts.delete(svc.db, idle.chat)
            await queue_replies(svc, idle.chat, REMINDER_KIND, [Reply("draft_expired")], language)
        remove_files(files)
        told += 1
        log.info("an idle draft was deleted")
    if told:
        svc.wake_outbox()
