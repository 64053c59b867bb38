"""Flood control remembers only the chats of the last minute (memory stays bounded)."""

from __future__ import annotations

from service.flood import WINDOW_SECONDS, FloodGuard


def test_quiet_chats_are_forgotten_after_a_minute() -> None:
    guard = FloodGuard(per_minute=3)
    for chat_id in range(10_000):
        assert guard.allow(chat_id, now=1000.0 + chat_id * 0.001) == (True, False)
    assert guard.tracked == 10_000
    later = 1000.0 + 10 + WINDOW_SECONDS + 1
    assert guard.allow(42, now=later) == (True, False)
    assert guard.tracked == 1


def test_a_flooding_chat_is_still_held_back_across_a_sweep() -> None:
    guard = FloodGuard(per_minute=3)
    start = 5000.0
    assert guard.allow(1, start) == (True, False)  # the first sweep happens here
    assert [guard.allow(7, start + 10 + i)[0] for i in range(3)] == [True, True, True]
    assert guard.allow(7, start + 13) == (False, True)
    # The next sweep comes while chat 7's messages are inside its window: it stays held back.
    assert guard.allow(8, start + WINDOW_SECONDS + 0.5) == (True, False)
    assert guard.tracked == 2
    assert guard.allow(7, start + WINDOW_SECONDS + 1) == (False, False)
    assert guard.allow(7, start + 2 * WINDOW_SECONDS + 20)[0] is True
