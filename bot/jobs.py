"""The scheduled rounds on PTB's JobQueue (jobs are not persisted: this runs at every start);
the work itself is channel-neutral (service.jobs, service.digests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.botdata import services
from bot.outbox import deliver_outbox
from service import digests, jobs
from service.operations import KEY_WATCH_SECONDS
from service.services import Services

Round = Callable[[Services], Awaitable[None]]


def _job(work: Round) -> Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A round as a PTB job callback."""

    async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
        await work(services(context))

    job.__name__ = work.__name__
    job.__doc__ = work.__doc__
    return job


expire_drafts = _job(jobs.drafts_round)
retention_job = _job(jobs.retention_round)
inbox_job = _job(jobs.housekeeping_round)
key_watch = _job(jobs.key_watch)
digest_job = _job(digests.digest_round)
daily_job = _job(digests.daily_round)


def schedule_jobs(application: Application[Any, Any, Any, Any, Any, Any], svc: Services) -> None:
    """Register every round: the outbox, digests, the daily summary, drafts, retention,
    housekeeping and the key watch."""
    job_queue = application.job_queue
    assert job_queue is not None, "install python-telegram-bot[job-queue]"
    settings = svc.settings
    job_queue.run_repeating(
        deliver_outbox, interval=settings.outbox_poll_seconds, first=1, name="outbox"
    )
    job_queue.run_repeating(
        digest_job, interval=settings.digest_interval_minutes * 60, first=60, name="digest"
    )
    job_queue.run_daily(
        daily_job, time=settings.digest_daily_time.replace(tzinfo=settings.zone), name="daily"
    )
    job_queue.run_repeating(
        expire_drafts, interval=jobs.DRAFT_CHECK_SECONDS, first=30, name="drafts"
    )
    job_queue.run_repeating(retention_job, interval=24 * 3600, first=300, name="retention")
    job_queue.run_repeating(inbox_job, interval=3600, first=600, name="inbox")
    job_queue.run_repeating(
        key_watch, interval=KEY_WATCH_SECONDS, first=KEY_WATCH_SECONDS, name="keys"
    )
