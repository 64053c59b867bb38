"""Every message true (issue #23 §1), over the fake Bot API: forwarding to a body nobody on the
bot covers is a referral (said before confirming, recorded, the reporter given that body's
channel), /status keeps the channel of every body not reached, the history names the body that
made each change and explains its 🔒."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.application import AnyApplication
from conversations.context import Context
from conversations.events import Command, Press, Text
from conversations.flow import Outcome, handle
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.jurisdiction.models import ReportFacts
from conversations.jurisdiction.render import render_decision
from conversations.jurisdiction.routing import route
from conversations.staffviews import staff_deadlines
from conversations.status import StatusView, status_reply
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.settings import Settings
from tests.helpers import add, file_report, rows, say, tap

BAWASLU_NATIONAL, BANTEN_INSPEKTORAT = 7102, 7104


async def test_forwarding_to_a_body_with_nobody_on_the_bot_is_a_referral(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    reporter = people("id")
    ticket = await file_report(
        reporter, category="political_expression", person="asn", province="banten",
        regency="kota serang",
    )  # fmt: skip
    bawaslu = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    asked = await tap(bawaslu, "↪️ Teruskan ke Inspektorat daerah", "Catat sebagai rujukan?")
    text = str(asked["text"])
    assert "Belum ada petugas Inspektorat Kota Serang di layanan ini" in text
    assert "tidak akan sampai" in text and "akan diberi tahu dan bisa" not in text
    assert "kantor inspektorat kabupaten/kota" in text  # the body's own channel
    assert [label for label, _ in buttons(asked)] == ["📮 Ya, catat rujukan", "✖️ Tidak jadi"]
    reporter.mark()
    await tap(bawaslu, "📮 Ya, catat rujukan", "dicatat sebagai rujukan")
    notice = await reporter.expect("Kabar tentang laporan")
    assert ticket in str(notice["text"]) and "belum sampai" in str(notice["text"])
    assert "kantor inspektorat kabupaten/kota" in str(notice["text"])
    assert await rows(
        settings, "SELECT agency, reached FROM case_bodies WHERE agency = 'inspektorat'"
    ) == [("inspektorat", 0)]
    assert await rows(
        settings, "SELECT action FROM case_events WHERE new_value = 'inspektorat'"
    ) == [("refer",)]
    # the history says who did it, names the office (no raw "inspektorat"), explains nothing
    # unexplained
    detail = await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    history = "\n".join(str(m.get("text")) for m in bawaslu.bot_messages()[-3:])
    assert "Bawaslu: dirujuk (tanpa petugas di layanan ini) → Inspektorat Kota Serang" in history
    assert "Pelapor: dilaporkan" in history and "→ inspektorat" not in history
    assert "🔒" not in history
    assert detail
    # the returning reporter still has the instruction to go to the inspectorate and to BKN
    status = await say(reporter, f"/status {ticket}", "Status laporan")
    lines = str(status["text"])
    assert "Laporkan sendiri ke" in lines
    assert (
        "Inspektorat Kota Serang</b>:" in str(status["text"]) or "Inspektorat Kota Serang:" in lines
    )
    assert "BKN" in lines and "bkn.go.id" in lines
    assert "Bawaslu Kota Serang:" not in lines  # reached: no "report it yourself"


async def test_forwarding_to_a_body_on_the_bot_alerts_it_and_says_so(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    await add(bot, BANTEN_INSPEKTORAT, "inspektorat", "36")
    ticket = await file_report(
        people("en"), category="political_expression", person="asn", province="banten",
        regency="kota serang",
    )  # fmt: skip
    bawaslu = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "en")
    inspectorate = FakeUser(fake, BANTEN_INSPEKTORAT, "Inspektorat Banten", "en")
    await say(bawaslu, f"/kasus {ticket}", "Category:")
    asked = await tap(bawaslu, "↪️ Forward to Regional inspectorate", "Forward")
    assert "Their staff on this service will be alerted" in str(asked["text"])
    inspectorate.mark()
    await tap(bawaslu, "↪️ Yes, forward", "forwarded to Inspektorat Kota Serang")
    alert = await inspectorate.expect(ticket)
    # (staff read alerts in their chosen language, Indonesian unless they pick another)
    assert "Laporan diteruskan ke Inspektorat Kota Serang oleh Bawaslu" in str(alert["text"])
    assert "mendesak" not in str(alert["text"])  # not urgent, and not called so
    assert await rows(settings, "SELECT reached FROM case_bodies WHERE agency = 'inspektorat'") == [
        (1,)
    ]
    # an internal status note is marked 🔒 and the mark is explained
    await say(bawaslu, f"/kasus {ticket}", "Category:")
    await tap(bawaslu, "➡️ Being verified", "note")
    await tap(bawaslu, "🔒 Make it internal", "internal")
    await say(bawaslu, "Checking with the regent's office", "Being verified")
    await say(bawaslu, f"/kasus {ticket}", "Category:")
    history = "\n".join(str(m.get("text")) for m in bawaslu.bot_messages()[-3:])
    assert "Bawaslu (election supervisory body): status → Being verified" in history
    assert "Checking with the regent's office 🔒" in history
    assert "7 days after the reporter learned of it" in history
    assert "🔒 = internal: not sent to the reporter" in history
    assert "Bawaslu (election supervisory body): forwarded → Inspektorat Kota Serang" in history


# ------------------------------------------------------------------ the decision, in pure calls
def facts(day: dt.date, **changes: object) -> ReportFacts:
    values: dict[str, object] = dict(
        category="political_expression", person="asn", public_service="no", service_name=None,
        complained=None, province_code="36", regency_code="36.73", event_date=day,
        learned_date=None, identity="anonymous", report_date=day, date_approximate=False,
    )  # fmt: skip
    values.update(changes)
    return ReportFacts(**values)  # type: ignore[arg-type]


NO_STAGE = dt.date(2025, 6, 10)  # no election stage runs in Banten
PILKADA = dt.date(2024, 11, 20)  # the 2024 regional elections' stages run


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_bawaslu_articles_after_saying_bawaslu_cannot_act(language: str) -> None:
    decision = default_jurisdiction().decide(facts(NO_STAGE))
    assert "bawaslu" in decision.dropped
    text = render_decision(decision, "LN-TEST", language, route(decision, {"bawaslu"}))
    assert "Bawaslu" in text  # the warning says it cannot act ...
    for article in ("UU 7/2017 Pasal 454", "Perbawaslu 7/2022", "UU 10/2016 Pasal 134"):
        assert article not in text  # ... and cites none of its articles


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_nip_is_asked_for_once(language: str) -> None:
    decision = default_jurisdiction().decide(facts(PILKADA))
    text = render_decision(decision, "LN-TEST", language, route(decision, {"bawaslu"}))
    assert text.count("NIP") == 1


def test_a_deadline_of_a_body_we_reached_says_the_reporter_need_not_act() -> None:
    decision = default_jurisdiction().decide(facts(PILKADA))
    reached = render_decision(decision, "LN-TEST", "id", route(decision, {"bawaslu"}))
    assert "Bawaslu Kota Serang sudah menerima laporan ini dari kami" in reached
    assert "Anda tidak perlu melapor lagi" in reached
    english = render_decision(decision, "LN-TEST", "en", route(decision, {"bawaslu"}))
    assert "you need not report it again" in english
    direct = render_decision(decision, "LN-TEST", "id", route(decision, set()))
    assert "Bawaslu: laporkan paling lambat" in direct and "tidak perlu melapor" not in direct


@pytest.mark.parametrize(
    ("language", "wording"),
    [("id", "7 hari sejak pelapor mengetahuinya"), ("en", "7 days after the reporter learned")],
)
def test_staff_read_deadlines_in_staff_wording(language: str, wording: str) -> None:
    jurisdiction = default_jurisdiction()
    decision = jurisdiction.decide(facts(PILKADA))
    (line,) = staff_deadlines(decision.deadlines, jurisdiction, language)  # type: ignore[arg-type]
    assert wording in line and "Anda" not in line and " you " not in line
    late = jurisdiction.decide(
        facts(dt.date(2024, 11, 11), learned_date=dt.date(2024, 11, 11), report_date=PILKADA)
    )
    (late_line,) = staff_deadlines(late.deadlines, jurisdiction, language)  # type: ignore[arg-type]
    assert late.deadlines[0].late and "Anda" not in late_line


def test_the_learned_date_is_asked_only_where_its_limit_can_matter() -> None:
    def after_the_date(today: dt.date) -> str:
        context = Context(
            today=today, language="id", user_id=7, jurisdiction=default_jurisdiction()
        )
        outcome = Outcome(None, "id", ())
        events = (
            Command("lapor"), Press("c:yes"), Press("k:other"),
            Text("Camat memasang baliho calon di depan kantor kecamatan kemarin."),
            Press("p:asn"), Press("pd:^skip"), Text("banten"), Text("kota serang"),
            Press("pl:^skip"), Text(f"{(today - dt.timedelta(days=10)).strftime('%d/%m/%Y')}"),
        )  # fmt: skip
        for event in events:
            outcome = handle(outcome.draft, event, context, new_draft_id="d1")
        assert outcome.draft is not None
        return outcome.draft.question

    assert after_the_date(PILKADA) == "learned_date"  # Bawaslu's 7 days count
    assert after_the_date(NO_STAGE) == "public_service"  # no stage: Bawaslu cannot act at all


async def test_the_urgent_alert_says_urgent_once(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    bawaslu = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    ticket = await file_report(
        people("id"), category="mobilisation", person="asn", province="banten",
        regency="kota serang",
    )  # fmt: skip
    alert = await bawaslu.expect("Laporan mendesak")
    assert ticket in str(alert["text"])
    assert str(alert["text"]).count("mendesak") == 1


@pytest.mark.parametrize(
    ("language", "title"), [("id", "Laporkan sendiri ke"), ("en", "Please report it yourself to")]
)
def test_status_keeps_the_channel_of_every_body_not_reached(language: str, title: str) -> None:
    jurisdiction = default_jurisdiction()
    offices = [
        jurisdiction.office("bawaslu", "Bawaslu Kota Serang"),
        jurisdiction.office("bkn", "Badan Kepegawaian Negara (BKN)"),
        jurisdiction.office("inspektorat", "Inspektorat Kota Serang"),
    ]
    view = StatusView(
        ticket="LN-TEST", status="diverifikasi", since=PILKADA, offices=offices,
        reached=frozenset({"bawaslu"}),
    )  # fmt: skip
    text = status_reply(view, language).text(language)  # type: ignore[arg-type]
    assert title in text and "bkn.go.id" in text
    assert "<b>Badan Kepegawaian Negara (BKN)</b>:" in text
    assert "<b>Inspektorat Kota Serang</b>:" in text
    assert "<b>Bawaslu Kota Serang</b>:" not in text  # it has the case: nothing to do there
    everyone = StatusView(
        ticket="LN-TEST", status="diverifikasi", since=PILKADA, offices=offices,
        reached=frozenset({"bawaslu", "bkn", "inspektorat"}),
    )  # fmt: skip
    assert title not in status_reply(everyone, language).text(language)  # type: ignore[arg-type]
