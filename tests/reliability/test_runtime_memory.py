"""Start-up objects are frozen out of the garbage collector's sight when the bot serves."""

from __future__ import annotations

import gc

from lapor.runtime import settle_startup_memory


def test_startup_objects_are_frozen() -> None:
    gc.unfreeze()
    kept = [[n] for n in range(1000)]  # lists: always tracked by the collector
    ids = {id(item) for item in kept}

    def in_view() -> int:
        return sum(1 for item in gc.get_objects() if id(item) in ids)

    assert in_view() == len(kept)  # a collection would walk them all
    try:
        settle_startup_memory()
        assert in_view() == 0  # out of the collector's sight: every one of them
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
    assert in_view() == len(kept)
