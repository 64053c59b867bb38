"""Honest routing over HTTP: every report names a body that can act; a report no staff member
here receives is 'dirujuk' with the body's channel; staff added later see and take it over."""

from __future__ import annotations

from collections.abc import Callable

from bot.application import AnyApplication
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.digests import queue_daily
from service.outbox import deliver_due
from service.settings import Settings
from tests.conftest import ADMIN_ID, Clock
from tests.helpers import add, file_report, rows, say, svc_of, tap

BKN_NATIONAL, BANTEN_OMBUDSMAN, LEBAK_INSPEKTORAT = 8101, 8102, 8103


def status_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Status: "))


async def test_asn_outside_elections_is_referred_to_bkn_until_bkn_staff_join(
    bot: AnyApplication,
    fake: FakeTelegram,
    people: Callable[..., FakeUser],
    clock: Clock,
    settings: Settings,
) -> None:
    clock.set_local(2026, 11, 28)  # no election stage runs until the 2029 cycle
    reporter = people("id")
    ticket = await file_report(
        reporter, category="political_expression", person="asn", province="banten",
        regency="kota serang",
    )  # fmt: skip
    filed = str(reporter.bot_messages()[-1]["text"])
    assert "Lembaga berwenang: Badan Kepegawaian Negara (BKN)\n" in filed
    assert "Status: Dirujuk" in filed and "Laporkan sendiri ke" in filed
    assert "Badan Kepegawaian Negara (BKN): Situs BKN (bkn.go.id)" in filed
    # who can act first, then why, then what does not apply
    assert filed.index("Laporkan sendiri") < filed.index("Mengapa") < filed.index("Perhatian")
    assert "Bawaslu tidak dapat menanganinya" in filed
    assert "diteruskan lewat bot" not in filed
    assert await rows(settings, "SELECT status FROM cases") == [("dirujuk",)]
    assert await rows(settings, "SELECT agency, reached FROM case_bodies ORDER BY agency") == [
        ("bkn", 0)
    ]
    status = await say(reporter, f"/status {ticket}", "Status laporan")
    assert "Status: Dirujuk" in str(status["text"])
    assert "Laporkan sendiri ke" in str(status["text"]) and "bkn.go.id" in str(status["text"])

    # An administrator learns which office to bring on board: /kasus and the daily summary.
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    listing = await say(admin, "/kasus status=dirujuk", "halaman")
    assert any(ticket in label for label, _ in buttons(listing))
    svc = svc_of(bot)
    member = await svc.staff_member(ADMIN_ID)
    assert member is not None and member.admin and member.agency == ""
    assert await queue_daily(svc, member)
    await deliver_due(svc)
    summary = await admin.expect("Ringkasan harian")
    assert "Laporan dirujuk" in str(summary["text"]) and ": 1." in str(summary["text"])

    # BKN joins: its staff member sees the earlier case and takes it over; the reporter hears.
    await say(admin, f"/staf tambah {BKN_NATIONAL} bkn", f"Petugas {BKN_NATIONAL} ditambahkan")
    bkn = FakeUser(fake, BKN_NATIONAL, "BKN", "id")
    detail = await say(bkn, f"/kasus {ticket}", "Kategori:")
    assert "Status: Dirujuk" in str(detail["text"])
    await tap(bkn, "➡️ Diterima", "Tulis catatan")
    reporter.mark()
    await say(bkn, "Laporan Anda kami terima dan akan kami periksa.", "Pelapor diberi tahu")
    news = await reporter.expect("Kabar laporan Anda")
    assert "Status: Diterima" in str(news["text"])
    assert await rows(settings, "SELECT status FROM cases") == [("diterima",)]

    # The next such report reaches BKN through the bot at once.
    second = people("id")
    await file_report(
        second, category="political_expression", person="asn", province="banten",
        regency="kota serang",
    )  # fmt: skip
    filed = str(second.bot_messages()[-1]["text"])
    assert "Laporan ini kami teruskan lewat bot ini ke: Badan Kepegawaian Negara (BKN)" in filed
    assert "Dirujuk" not in filed and "Laporkan sendiri" not in filed
    assert await rows(settings, "SELECT status FROM cases ORDER BY id") == [
        ("diterima",),
        ("diterima",),
    ]


async def test_village_head_goes_to_the_regency_inspectorate(
    bot: AnyApplication, people: Callable[..., FakeUser], clock: Clock, fake: FakeTelegram
) -> None:
    clock.set_local(2026, 11, 28)
    reporter = people("en")
    await file_report(
        reporter, category="political_expression", person="village", province="banten",
        regency="lebak",
    )  # fmt: skip
    filed = str(reporter.bot_messages()[-1]["text"])
    assert "Handled by: Inspektorat Kabupaten Lebak\n" in filed
    assert "Status: Referred" in filed and "Inspektorat Kabupaten Lebak: Visit or write" in filed
    assert "neutrality still applies" not in filed.lower()  # a village head is not an ASN
    assert "regent or mayor" in filed
    # With the regency's inspectorate on board, the same report reaches it here.
    await add(bot, LEBAK_INSPEKTORAT, "inspektorat", "36.02")
    again = people("en")
    await file_report(
        again, category="political_expression", person="village", province="banten",
        regency="lebak",
    )  # fmt: skip
    filed = str(again.bot_messages()[-1]["text"])
    assert "This bot passes your report on to: Inspektorat Kabupaten Lebak" in filed


async def test_reached_by_one_body_and_not_another_says_both(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    """During the Pilkada 2024 stages, Ombudsman Banten is on board; Bawaslu and BKN are not."""
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    reporter = people("id")
    ticket = await file_report(
        reporter, category="service_conditioning", person="asn", province="banten",
        regency="kota serang", public="yes", identity="confidential",
    )  # fmt: skip
    filed = str(reporter.bot_messages()[-1]["text"])
    assert (
        "Lembaga berwenang: Bawaslu Kota Serang; Ombudsman RI Perwakilan Banten;"
        " Badan Kepegawaian Negara (BKN)" in filed
    )
    assert "Laporan ini kami teruskan lewat bot ini ke: Ombudsman RI Perwakilan Banten" in filed
    direct = filed.split("Laporkan sendiri ke")[1].split("Mengapa")[0]
    assert "Bawaslu Kota Serang" in direct and "Badan Kepegawaian Negara (BKN)" in direct
    assert "Ombudsman" not in direct and "Dirujuk" not in filed
    assert "Identitas Anda bisa dirahasiakan" in filed  # a confidential reporter
    assert await rows(settings, "SELECT agency, reached FROM case_bodies ORDER BY agency") == [
        ("bawaslu", 0),
        ("bkn", 0),
        ("ombudsman", 1),
    ]
    status = await say(reporter, f"/status {ticket}", "Status laporan")
    assert "Status: Diterima" in status_line(str(status["text"]))


async def test_admin_sees_a_referred_case_but_not_a_confidential_identity(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], clock: Clock
) -> None:
    clock.set_local(2026, 11, 28)
    ticket = await file_report(
        people("id"), category="political_expression", person="asn", province="bali",
        regency="denpasar", identity="confidential", name="Wayan Rahasia",
    )  # fmt: skip
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    detail = await say(admin, f"/kasus {ticket}", "Kategori:")
    assert "Wayan Rahasia" not in str(detail["text"])
    assert "Pelapor: dirahasiakan (hanya untuk lembaga penanganan)" in str(detail["text"])
    # An anonymous reporter is not told their identity "can be kept confidential on request".
    anonymous = people("id")
    await file_report(
        anonymous, category="service_conditioning", person="asn", province="bali",
        regency="denpasar", public="yes",
    )  # fmt: skip
    assert "bisa dirahasiakan" not in str(anonymous.bot_messages()[-1]["text"])
