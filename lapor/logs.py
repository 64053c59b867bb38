"""Logging set-up: one format, secrets redacted, chatty libraries quietened."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path


class RedactingFormatter(logging.Formatter):
    """Replaces every secret (the bot token, the data key) in formatted records."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """Format the record, then cut out the secrets."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


def setup_logging(level: str, secrets: Iterable[str] = (), file: Path | None = None) -> None:
    """Log to stderr (or `file`) at `level`; secrets never appear (httpx logs token URLs)."""
    handler: logging.Handler
    if file is None:
        handler = logging.StreamHandler(sys.stderr)
    else:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # PTB logs whole updates (message text, user ids) at DEBUG: never below INFO for it.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
    # It warns whenever a round of the outbox job is skipped because the last one still runs.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
