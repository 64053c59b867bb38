"""Scheduled jobs on PTB's JobQueue: reminding and expiring untouched drafts."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.evidence import remove_files
from bot.render import send_replies
from bot.services import Services, services
from conversations.callbacks import DRAFT
from conversations.questions import QUESTIONS, TOTAL_STEPS
from conversations.replies import Button, Reply
from storage import chats, drafts, inbox, keys, lifecycle, weblogins
from storage import evidence as evidence_store
from storage import outbox as outbox_store
from storage.keys import KEY_WATCH_SECONDS

log = logging.getLogger(__name__)

DRAFT_CHECK_SECONDS = 600


def schedule_jobs(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the jobs (jobs are not persisted: this runs at every start)."""
    job_queue = application.job_queue
    assert job_queue is not None, "install python-telegram-bot[job-queue]"
    job_queue.run_repeating(expire_drafts, interval=DRAFT_CHECK_SECONDS, first=30, name="drafts")
    job_queue.run_repeating(retention_job, interval=24 * 3600, first=300, name="retention")
    job_queue.run_repeating(inbox_job, interval=3600, first=600, name="inbox")
    job_queue.run_repeating(
        key_watch, interval=KEY_WATCH_SECONDS, first=KEY_WATCH_SECONDS, name="keys"
    )


async def key_watch(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: stop this process once a rotation has started with a key its DATA_KEY lacks: what
    it wrote from then on could not be read once the old key is dropped (rotate-key waits for
    it, then reseals what it wrote before)."""
    svc = services(context)
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


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: the retention run, once a day (one worker at a time)."""
    svc = services(context)
    async with svc.db.exclusive("retention") as mine:
        if mine:
            await purge_old_cases(svc, dry_run=False)


INBOX_KEEP = dt.timedelta(days=1)  # handled updates kept this long (to count retries)
OUTBOX_KEEP = dt.timedelta(days=7)  # delivered rows kept this long (to count re-sends)


async def inbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job, hourly: forget updates the workers handled more than a day ago (one worker at a
    time; nothing to do for a single process, whose inbox stays empty), and the web console's
    expired login links and idle sessions."""
    svc = services(context)
    async with svc.db.exclusive("inbox") as mine:
        if mine:
            await weblogins.purge(svc.db, svc.now(), weblogins.IDLE_LIMIT)
            removed = await inbox.purge_done(svc.db, svc.now() - INBOX_KEEP)
            if removed:
                log.info("inbox: %s handled updates forgotten", removed)


async def expire_drafts(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remind drafts untouched for DRAFT_TTL_HOURS once; delete them after as long again (one
    worker at a time)."""
    svc = services(context)
    async with svc.db.exclusive("drafts") as mine:
        if mine:
            await _expire_drafts(context, svc)


async def _expire_drafts(context: ContextTypes.DEFAULT_TYPE, svc: Services) -> None:
    ttl = dt.timedelta(hours=svc.settings.draft_ttl_hours)
    now = svc.now()
    for idle in await drafts.idle(svc.db, svc.cipher, now - ttl, reminded=False):
        language = await chats.get_language(svc.db, idle.chat) or svc.settings.default_language
        step = QUESTIONS[idle.step].step if idle.step in QUESTIONS else 1
        reminder = Reply(
            "draft_reminder",
            {"n": step, "total": TOTAL_STEPS, "hours": svc.settings.draft_ttl_hours},
            ((Button(DRAFT.data("continue"), "btn_continue"),),),
        )
        await drafts.mark_reminded(svc.db, idle.chat, idle.draft_id, now)
        try:
            await send_replies(context.bot, idle.chat.telegram_id, [reminder], language)
        except (Forbidden, TelegramError) as exc:
            log.info("draft reminder not delivered: %s", type(exc).__name__)
    for idle in await drafts.idle(svc.db, svc.cipher, now - ttl, reminded=True):
        language = await chats.get_language(svc.db, idle.chat) or svc.settings.default_language
        remove_files(await evidence_store.drop_for_draft(svc.db, idle.draft_id))
        await drafts.delete(svc.db, idle.chat)
        log.info("an idle draft was deleted")
        try:
            await send_replies(
                context.bot, idle.chat.telegram_id, [Reply("draft_expired")], language
            )
        except (Forbidden, TelegramError) as exc:
            log.info("draft expiry notice not delivered: %s", type(exc).__name__)
