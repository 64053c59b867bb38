"""Figures that cost a scan of many cases (the dashboard's counts, the public statistics),
computed at most once per period for everyone who shares them, on the console's own read
connection: a national dashboard over a million cases takes seconds, and neither the bot's
reporters nor a crowd on the public page may wait on it or repeat it."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Value = TypeVar("Value")


@dataclass(frozen=True)
class Figures(Generic[Value]):
    """A computed value and the moment it was computed (pages say "as of")."""

    value: Value
    at: dt.datetime


@dataclass
class Recent(Generic[Value]):
    """Values by key, each recomputed when older than `seconds`; requests that arrive while a
    value is being computed wait for that computation instead of starting another."""

    seconds: float
    _values: dict[Hashable, tuple[float, Figures[Value]]] = field(default_factory=dict)
    _locks: dict[Hashable, asyncio.Lock] = field(default_factory=dict)

    async def get(
        self,
        key: Hashable,
        compute: Callable[[], Awaitable[Value]],
        now: Callable[[], dt.datetime],
    ) -> Figures[Value]:
        """The value for `key`, fresh enough."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            kept = self._values.get(key)
            if kept is not None and time.monotonic() - kept[0] < self.seconds:
                return kept[1]
            figures = Figures(await compute(), now())
            self._values[key] = (time.monotonic(), figures)
            return figures

    def forget(self) -> None:
        """Drop every value (tests; a staff change)."""
        self._values.clear()
