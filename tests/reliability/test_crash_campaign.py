"""A reduced crash campaign in CI: the bot killed with SIGKILL 10 times while reporters report,
on Telegram and on WhatsApp."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT


@pytest.mark.timeout(300)
def test_nothing_is_lost_or_doubled_across_sigkills(tmp_path: Path) -> None:
    out = tmp_path / "crash.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "reliability" / "crash_campaign.py"), "--kills", "10",
         "--reporters", "10", "--whatsapp", "3", "--time-limit", "150", "--json", str(out)],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert out.exists(), done.stdout + done.stderr
    result = json.loads(out.read_text())
    assert result["kills"] == 10, result
    assert result["reports_filed"] >= 3, result
    for column in ("reports_lost", "reports_duplicated", "drafts_lost", "outbox_lost", "failures"):
        assert result[column] == 0, result
    # and the WhatsApp column: reporters over the fake Cloud API through the same kills
    assert result["whatsapp_reports_filed"] >= 3, result
    assert result["whatsapp_reports_lost"] == result["whatsapp_reports_duplicated"] == 0, result
    assert result["integrity"] == "ok"
    assert done.returncode == 0, done.stdout
