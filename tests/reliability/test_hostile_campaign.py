"""The hostile-input campaign, small: it keeps working (`make reliability` runs it in full)."""

from __future__ import annotations

from pathlib import Path

from reliability.hostile_campaign import campaign


async def test_a_small_hostile_campaign_passes(tmp_path: Path) -> None:
    result = await campaign(chats=60, bombs=1, workdir=tmp_path)
    assert result["problems"] == []
    assert result["image bombs refused"] == 1
    assert result["crowd chats answered"] == 60
    assert result["formula cells in the export"] == 0
