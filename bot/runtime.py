"""Running a built Application: long polling, webhook or a worker's inbox (the composition
root, lapor.runtime, adds the web console beside it)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable

from telegram import Update

from bot.application import AnyApplication
from bot.webhook import WebhookServer
from service.settings import Settings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running(
    application: AnyApplication, settings: Settings | None = None, *, inbox: bool = False
) -> AsyncIterator[AnyApplication]:
    """Start the application (hooks included) and stop it cleanly when the block ends.

    Updates come by long polling, by the webhook server when WEBHOOK_URL is set, or, for a
    worker (`inbox`), from the database's inbox (bot.worker feeds them). PTB runs
    post_init/post_shutdown only inside run_polling/run_webhook; this runs them too, so the
    sandbox, the tests and production share one start-up path.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        updater = application.updater
        assert updater is not None
        webhook = None
        if inbox:
            await application.start()  # no updater: the worker takes updates from the inbox
        elif settings is not None and settings.webhook_url:
            await application.start()  # updates come from the webhook server into the queue
            webhook = WebhookServer(application, settings)
            await webhook.start()
        else:
            await updater.start_polling(
                timeout=10, poll_interval=0.0, allowed_updates=Update.ALL_TYPES, bootstrap_retries=5
            )
            await application.start()
        try:
            yield application
        finally:
            # Each step runs even when an earlier one fails, so the database is always closed.
            if webhook is not None:
                await logged(webhook.stop(), "stopping the webhook server")
            if updater.running:
                await logged(updater.stop(), "stopping the updater")
            if application.running:
                await logged(application.stop(), "stopping the application")
            if application.post_stop is not None:
                await logged(application.post_stop(application), "post_stop")
    finally:
        await logged(application.shutdown(), "shutting down")
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def logged(step: Awaitable[object], what: str) -> None:
    try:
        await step
    except Exception as exc:
        log.error("%s failed: %s", what, type(exc).__name__)
