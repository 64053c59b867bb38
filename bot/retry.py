"""Retrying Bot API calls that failed on the way (network errors, 5xx, 429), never on refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 4
FIRST_DELAY = 0.5


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after as seconds (PTB gives a timedelta or a number)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def with_retries(call: Callable[[], Awaitable[T]], what: str, attempts: int = ATTEMPTS) -> T:
    """Run `call`; on a network error, a 5xx or a 429 wait and try again (a reply whose answer
    was lost on the way may then arrive twice: at least once beats never)."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == attempts:
                raise
            await asyncio.sleep(retry_after_seconds(exc))
        except BadRequest:
            raise  # a refusal: sending it again would be refused again
        except NetworkError as exc:
            if attempt == attempts:
                raise
            log.info(
                "%s failed (%s), attempt %s of %s", what, type(exc).__name__, attempt, attempts
            )
            await asyncio.sleep(FIRST_DELAY * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
