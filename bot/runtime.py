"""Running a built Application until asked to stop: long polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Update

from bot.application import AnyApplication
from bot.settings import Settings


@contextlib.asynccontextmanager
async def running(
    application: AnyApplication, settings: Settings | None = None
) -> AsyncIterator[AnyApplication]:
    """Start the application (hooks included) and stop it cleanly when the block ends.

    PTB runs post_init/post_shutdown only inside run_polling/run_webhook; this runs them too, so
    the sandbox, the tests and production share one start-up path.
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        updater = application.updater
        assert updater is not None
        if settings is not None and settings.webhook_url:
            await updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path="telegram",
                webhook_url=settings.webhook_url.rstrip("/") + "/telegram",
                secret_token=settings.webhook_secret.get_secret_value()
                if settings.webhook_secret
                else None,
                allowed_updates=Update.ALL_TYPES,
                bootstrap_retries=5,
            )
        else:
            await updater.start_polling(
                timeout=10, poll_interval=0.0, allowed_updates=Update.ALL_TYPES, bootstrap_retries=5
            )
        await application.start()
        try:
            yield application
        finally:
            if updater.running:
                await updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve_until(application: AnyApplication, stop: asyncio.Event, settings: Settings) -> None:
    """Run the application until `stop` is set."""
    async with running(application, settings):
        await stop.wait()
