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
    # the WhatsApp column: the same files by media id, a flooding number, a crowd of chats
    answered, files = result["whatsapp odd, damaged and oversized files answered"].split(" / ")
    assert answered == files
    assert result["whatsapp flood: messages sent / answered / warned"].endswith(" / 1")
    assert result["whatsapp crowd reports started"] == 6
