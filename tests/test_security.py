"""Findings of the security and privacy review, each driven the way an attacker or a curious
insider would: a rejected token, formula cells, related cases across scopes."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

from bot.application import AnyApplication
from bot.sandbox.fake_api import FakeTelegram
from bot.sandbox.fake_users import FakeUser
from tests.helpers import file_report, say
from tests.test_staff import add

BALI_OMBUDSMAN, BALI_BAWASLU = 8401, 8402


async def test_a_rejected_token_is_never_printed(tmp_path: Path, fake: FakeTelegram) -> None:
    token = "987654:THIS-is-a-secret-token-value"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": fake.base_url,  # knows another token: answers 401
        "DATA_KEY": Fernet.generate_key().decode(),
        "DATABASE_PATH": str(tmp_path / "db" / "lapor.db"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    printed = (out + err).decode()
    assert process.returncode == 2, printed
    assert "refused the bot token" in printed
    assert token not in printed and "THIS-is-a-secret" not in printed
    assert "Traceback" not in printed


async def test_related_cases_show_only_what_the_viewer_may_open(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    """Two reports about the same camat in Denpasar: one only Bawaslu handles, one both."""
    await add(bot, BALI_OMBUDSMAN, "ombudsman", "51")
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    details = "Pak Made Sudarsana, Camat Denpasar Barat"
    bawaslu_only = await file_report(
        people("id"), category="political_expression", person="asn", province="bali",
        regency="denpasar", details=details,
    )  # fmt: skip
    both = await file_report(
        people("id"), category="state_facilities", person="asn", province="bali",
        regency="denpasar", details=details,
    )  # fmt: skip
    bawaslu = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    seen_by_bawaslu = await say(bawaslu, f"/kasus {both}", "Kategori:")
    assert bawaslu_only in str(seen_by_bawaslu["text"])  # Bawaslu may open both
    ombudsman = FakeUser(fake, BALI_OMBUDSMAN, "Ombudsman Bali", "id")
    seen_by_ombudsman = await say(ombudsman, f"/kasus {both}", "Kategori:")
    assert bawaslu_only not in str(seen_by_ombudsman["text"])  # not a case Ombudsman may open
