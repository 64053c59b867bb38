"""Start-up objects are frozen out of the garbage collector's sight when the bot serves."""

from __future__ import annotations

import gc

from bot.runtime import settle_startup_memory


def test_startup_objects_are_frozen() -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    kept = [{"rule": n} for n in range(1000)]
    try:
        settle_startup_memory()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
