"""Per-chat flood control: a chat sending too much gets one polite reply, then is ignored for a
while, so other chats keep being served."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

WINDOW_SECONDS = 60.0


class FloodGuard:
    """A sliding one-minute window of message times per chat (in memory: flooding is about now)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        # by the channel's chat id or address (in memory only, never logged)
        self._seen: dict[Hashable, deque[float]] = {}
        self._warned: dict[Hashable, float] = {}
        self._swept_at = 0.0

    def allow(self, chat_id: Hashable, now: float) -> tuple[bool, bool]:
        """(allowed, warn): whether to handle this update, and whether to send the warning."""
        if now - self._swept_at > WINDOW_SECONDS:  # memory for the chats of the last minute only
            self._swept_at = now
            self._forget_quiet(now)
        times = self._seen.setdefault(chat_id, deque())
        while times and now - times[0] > WINDOW_SECONDS:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            return True, False
        warned_at = self._warned.get(chat_id)
        warn = warned_at is None or now - warned_at > WINDOW_SECONDS
        if warn:
            self._warned[chat_id] = now
        return False, warn

    @property
    def tracked(self) -> int:
        """How many chats are remembered now."""
        return len(self._seen)

    def _forget_quiet(self, now: float) -> None:
        for chat_id in [c for c, t in self._seen.items() if not t or now - t[-1] > WINDOW_SECONDS]:
            self._seen.pop(chat_id, None)
            self._warned.pop(chat_id, None)


class DraftBudget:
    """How many new reports may start per minute, all chats together (in memory: a crowd of
    chats is about now); the number of stored drafts is capped by the caller."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._started: deque[float] = deque()

    def allow(self, now: float) -> bool:
        """Whether one more report may start now (and count it when it may)."""
        while self._started and now - self._started[0] > WINDOW_SECONDS:
            self._started.popleft()
        if len(self._started) >= self.per_minute:
            return False
        self._started.append(now)
        return True
