"""What a new user tripped over (issue "Every report reaches someone who can act", item 5)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot.application import AnyApplication
from conversations.jurisdiction.engine import cite, default_jurisdiction
from conversations.jurisdiction.models import ReportFacts
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from tests.conftest import ADMIN_ID
from tests.helpers import add, answer, file_report, rows, say, tap

BAWASLU_BALI = 8201


async def test_a_ticket_typed_after_check_status_is_looked_up(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    ticket = await file_report(
        user, category="other", person="asn", province="bali", regency="denpasar"
    )
    await tap(user, "🔎 Cek status", "Laporan dari chat ini")
    status = await say(user, ticket.lower().replace("-", " "), "Status laporan")
    assert ticket in str(status["text"])
    await say(user, "LN-7K3M-Q9TX-W2H0", "salah ketik")  # a typo is caught, not "belum paham"
    await say(user, "selamat pagi", "Selamat datang")  # a greeting is not a ticket: welcome
    await say(user, "terima kasih", "Sama-sama")
    await say(user, "qwerty zxcv", "belum paham")  # nor are ordinary words


async def test_notifications_follow_the_language_chosen_later(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BAWASLU_BALI, "bawaslu", "51")
    reporter = people("id")
    ticket = await file_report(
        reporter, category="political_expression", person="asn", province="bali",
        regency="denpasar",
    )  # fmt: skip
    await say(reporter, "/bahasa", "English")  # the reporter now reads English
    staff = FakeUser(fake, BAWASLU_BALI, "Bawaslu Bali", "id")
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan")
    reporter.mark()
    await say(staff, "Sedang kami periksa.", "Pelapor diberi tahu")
    news = await reporter.expect("News about your report")
    assert "Status: Being verified" in str(news["text"])


async def test_help_lists_delete_in_both_languages(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    help_id = await say(people("id"), "/bantuan", "Bantuan")
    assert "/hapus" in str(help_id["text"])
    help_en = await say(people("en"), "/help", "Help")
    assert "/delete" in str(help_en["text"])


async def test_jakarta_has_its_current_name_and_keeps_matching_the_old_one(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await answer(user, "/lapor", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, "!k:other", "d")
    await answer(user, "Lurah memaksa warga ikut kampanye di balai warga kemarin sore.", "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, "!pd:^skip", "pv")
    regency = await answer(user, "Daerah Khusus Ibukota Jakarta", "rg")
    assert "Daerah Khusus Jakarta" in str(regency["text"])
    assert "Ibukota" not in str(regency["text"])
    assert "contoh: Kota Administrasi Jakarta Pusat" in str(regency["text"])


def test_each_legal_basis_is_cited_once() -> None:
    assert cite(["UU 7/2017 Pasal 304; UU 37/2008", "UU 25/2009; UU 37/2008", "UU 37/2008"]) == [
        "UU 7/2017 Pasal 304",
        "UU 37/2008",
        "UU 25/2009",
    ]
    assert cite(["UU 37/2008", "UU 37/2008 Pasal 24 ayat (3)"]) == ["UU 37/2008 Pasal 24 ayat (3)"]
    decision = default_jurisdiction().decide(
        ReportFacts(
            category="state_facilities", person="asn", public_service="yes", province_code="36",
            regency_code="36.73", event_date=dt.date(2024, 11, 18),
            report_date=dt.date(2024, 11, 20),
        )
    )  # fmt: skip
    assert len(decision.legal_bases) == len(set(decision.legal_bases))
    assert decision.legal_bases.count("UU 37/2008") == 1


async def test_staff_are_added_by_place_name_in_the_chat_and_on_the_command_line(
    bot: AnyApplication, fake: FakeTelegram, tmp_path: Path
) -> None:
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    await say(admin, "/staf tambah 555 bkn kota serang", "Petugas 555 ditambahkan: bkn")
    await say(admin, "/staf tambah 556 inspektorat lebak", "Petugas 556 ditambahkan")
    await say(admin, "/staf tambah 557 bawaslu bandung", 'Wilayah "bandung" tidak dikenal')
    await say(admin, "/staf tambah 558 kpu", "bawaslu|ombudsman|bkn|inspektorat")
    settings = bot.bot_data["settings"]
    assert await rows(
        settings, "SELECT user_id, agency, scope_code FROM staff ORDER BY user_id"
    ) == [(555, "bkn", "36.73"), (556, "inspektorat", "36.02")]
    env = {
        **os.environ,
        "DATABASE_PATH": str(tmp_path / "cli.db"),
        "DATA_KEY": settings.data_key.get_secret_value(),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", "staff", "add", "601", "bkn", "jawa", "timur", cwd=tmp_path,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "Jawa Timur" in out.decode()
    help_run = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", "explain", "--help", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    shown, _ = await asyncio.wait_for(help_run.communicate(), 60)
    assert b"political_expression" in shown and b"non_asn_staff" in shown
