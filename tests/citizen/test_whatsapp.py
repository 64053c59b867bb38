"""Reporting over WhatsApp: whole reports through the fake Cloud API and the bot's signed
webhook, the same decision as on Telegram, the 24-hour window and its template, forged calls."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from bot.application import AnyApplication
from conversations.staff import StaffMember
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from sandbox.fake_whatsapp import (
    DESCRIPTION,
    FakePerson,
    FakeWhatsApp,
    choices,
    text_of,
    to_evidence,
    walk,
)
from service.services import Services
from service.settings import Settings
from tests.conftest import Clock, make_app
from tests.helpers import add, file_report, plain_jpeg, rows, svc_of

STAFF_ID = 880001


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Both:
    """The bot with both channels, the two fakes and the settings."""

    app: AnyApplication
    telegram: FakeTelegram
    whatsapp: FakeWhatsApp
    settings: Settings
    clock: Clock

    def person(self, number: str, name: str = "Sari") -> FakePerson:
        return self.whatsapp.person(number, name)


@pytest.fixture
async def both(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> AsyncIterator[Both]:
    """The bot on Telegram (fake Bot API) and WhatsApp (fake Cloud API, signed webhook)."""
    async with both_channels(settings_factory, fake, clock) as started:
        yield started


@contextlib.asynccontextmanager
async def both_channels(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock, **more: Any
) -> AsyncIterator[Both]:
    """The bot on both channels, with `more` settings."""
    cloud = FakeWhatsApp(clock=clock)
    await cloud.start()
    port = free_port()
    settings = settings_factory(
        whatsapp_token=cloud.token,
        whatsapp_phone_number_id=cloud.phone_id,
        whatsapp_app_secret=cloud.app_secret,
        whatsapp_verify_token=cloud.verify_token,
        whatsapp_api_base_url=cloud.base_url,
        whatsapp_port=port,
        **more,
    )
    cloud.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    try:
        async with running(make_app(settings, fake, clock), settings) as app:
            yield Both(app, fake, cloud, settings, clock)
    finally:
        await cloud.stop()


async def handler_of(both: Both, ticket: str) -> tuple[Services, StaffMember]:
    """A staff member of the first body handling the case, and the services."""
    [(agency,)] = await rows(both.settings, "SELECT agency FROM case_bodies LIMIT 1")
    await add(both.app, STAFF_ID, agency)
    svc = svc_of(both.app)
    member = await svc.staff_member(STAFF_ID)
    assert member is not None
    return svc, member


async def test_a_whole_report_with_a_photo_gets_the_decision_telegram_gives(
    both: Both, people: Callable[..., FakeUser]
) -> None:
    person = both.person("6281234567001")
    ticket = await walk(person, photo=True)
    # no edits on WhatsApp: each step is a message; the whole report with a photo in 16
    assert len(person.messages()) <= 16
    telegram_ticket = await file_report(
        people("id"), category="political_expression", person="asn", province="banten",
        regency="kota serang", description=DESCRIPTION,
    )  # fmt: skip
    assert ticket != telegram_ticket
    decided = await rows(
        both.settings,
        "SELECT ticket, decision, (SELECT COUNT(*) FROM evidence e WHERE e.case_id = c.id)"
        " FROM cases c ORDER BY id",
    )
    (wa_ticket, wa_decision, wa_files), (tg_ticket, tg_decision, _) = decided
    assert (wa_ticket, tg_ticket) == (ticket, telegram_ticket)
    assert json.loads(wa_decision) == json.loads(tg_decision)
    assert wa_files == 1  # the photo, fetched by its media id and cleaned


async def test_every_message_the_bot_sent_was_within_metas_limits(both: Both) -> None:
    person = both.person("6281234567002")
    await walk(person)
    assert both.whatsapp.refused == []  # the fake refuses what Meta refuses
    kinds = {m["type"] for m in person.messages()}
    assert kinds <= {"text", "interactive"}
    # the nine categories with Back and Cancel do not fit one list: nine rows and "more"
    lists = [m for m in person.messages() if m["type"] == "interactive"]
    assert any(c.id.startswith("mo:") for m in lists for c in choices(m))


async def test_a_forged_or_unsigned_call_is_refused_and_changes_nothing(both: Both) -> None:
    body = json.dumps({"entry": [{"changes": [{"value": {"messages": [
        {"from": "6281234567003", "id": "wamid.forged", "type": "text", "text": {"body": "lapor"}}
    ]}}]}]}).encode()  # fmt: skip
    assert await both.whatsapp.post(body, signed=False) == 403
    assert await both.whatsapp.post(body, signature="sha256=" + "0" * 64) == 403
    wrong = hmac.new(b"not the app secret", body, hashlib.sha256).hexdigest()
    assert await both.whatsapp.post(body, signature=f"sha256={wrong}") == 403
    assert both.whatsapp.sent == {}
    assert await rows(both.settings, "SELECT COUNT(*) FROM chats") == [(0,)]


async def test_the_verification_handshake_needs_the_verify_token(both: Both) -> None:
    url = both.whatsapp.webhook_url
    async with aiohttp.ClientSession() as session:
        query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        good = {**query, "hub.verify_token": both.whatsapp.verify_token}
        async with session.get(url, params=good) as answer:
            assert (answer.status, await answer.text()) == (200, "1158201444")
        async with session.get(url, params={**query, "hub.verify_token": "guess"}) as answer:
            assert answer.status == 403


async def test_a_message_delivered_twice_is_handled_once(both: Both) -> None:
    person = both.person("6281234567004")
    await person.say("lapor")
    await person.expect_choice("c:")
    await person.press_data("c:yes")
    await person.expect_choice("k:")
    raw = {"from": person.wa_id, "id": "wamid.twice", "type": "text", "text": {"body": "halo"}}
    body = json.dumps({"entry": [{"changes": [{"value": {"messages": [raw]}}]}]}).encode()
    person.mark()
    assert await both.whatsapp.post(body) == 200
    first = len(person.messages())
    assert await both.whatsapp.post(body) == 200  # Meta's redelivery, our answer lost
    assert len(person.messages()) == first


async def test_a_status_change_reaches_the_reporter_inside_and_outside_the_window(
    both: Both, people: Callable[..., FakeUser]
) -> None:
    from service import casedesk

    person = both.person("6281234567005")
    ticket = await walk(person)
    svc, member = await handler_of(both, ticket)
    case = await casedesk.case_by_ticket(svc, member, ticket)
    assert case is not None
    person.mark()
    await casedesk.change_status(
        svc, member, case, "diverifikasi", note="Kami periksa.", public=True
    )
    svc.wake_outbox()
    told = await person.expect("Kami periksa.")
    assert told["type"] == "interactive"  # with "Tambah informasi"
    # two days later, without a word from the reporter: only the approved template may go
    both.clock.now += dt.timedelta(hours=49)
    case = await casedesk.case_by_ticket(svc, member, ticket)
    assert case is not None
    person.mark()
    await casedesk.change_status(svc, member, case, "ditindaklanjuti", note=None, public=True)
    svc.wake_outbox()
    template = await person.expect("[template lapor_netral_status]")
    assert ticket in text_of(template) and "Sedang ditindaklanjuti" in text_of(template)
    assert both.whatsapp.refused == []  # nothing was sent that Meta would refuse


async def test_status_by_typed_ticket_and_english(both: Both) -> None:
    person = both.person("6281234567006")
    ticket = await walk(person)
    await person.say(f"status {ticket}")
    await person.expect(ticket)
    await person.say("english")
    await person.expect_choice("m:")


async def test_the_privacy_texts_say_what_anonymous_means_on_whatsapp(both: Both) -> None:
    first = both.person("6281234567008")
    await first.say("lapor")
    consent = await first.expect_choice("c:")
    assert "nomor WhatsApp Anda" in text_of(consent) and "ID chat Telegram" not in text_of(consent)
    await first.say("privasi")  # a word, as WhatsApp users type it
    privacy = await first.expect("Privasi")
    assert "nomor WhatsApp Anda (alamat chat ini" in text_of(privacy)
    assert "Telegram" not in text_of(privacy)
    person = both.person("6281234567007")
    ticket = await walk(person)
    note = next(m for m in person.messages() if "Bagaimana identitas Anda" in text_of(m))
    assert (
        "Akun WhatsApp Business pengelola bot ini (dan Meta) tetap melihat nomor Anda"
        in text_of(note)
    )
    # staff see where the reporter writes from, never the number
    svc, member = await handler_of(both, ticket)
    from conversations.staffviews import case_detail, staff_deadlines
    from service import casedesk

    case = await casedesk.case_by_ticket(svc, member, ticket)
    assert case is not None
    shown = case_detail(
        case, svc.jurisdiction, svc.casework, svc.today(), "id",
        deadlines=staff_deadlines(case.decision.deadlines, svc.jurisdiction, "id"),
        related_tickets=[], agency=member.agency,
    ).text("id")  # fmt: skip
    assert "lewat WhatsApp" in shown and person.wa_id not in shown


async def test_a_file_past_the_limit_is_refused_whatever_size_it_declares(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> None:
    async with both_channels(settings_factory, fake, clock, max_evidence_mb=1) as started:
        person = started.person("6281234567009")
        await to_evidence(person)
        big = plain_jpeg() + b"\0" * (1024 * 1024)
        for declared in (len(big), 1000):  # the truth, and a lie: the download stops at the limit
            cloud = started.whatsapp
            await person.send_photo(big, declared_size=declared)
            await person.expect("MB")  # "too big" with the limit, in the reporter's words
        assert await rows(started.settings, "SELECT COUNT(*) FROM evidence") == [(0,)]
        assert cloud.refused == []


async def test_a_flooding_chat_is_asked_once_to_slow_down_then_ignored(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> None:
    async with both_channels(settings_factory, fake, clock, messages_per_minute=5) as started:
        person = started.person("6281234567010")
        for _ in range(12):
            await person.say("halo")
        slow = [m for m in person.messages() if "terlalu cepat" in text_of(m)]
        assert len(slow) == 1
        assert len(person.messages()) <= 6  # five answered, one warning, the rest ignored
        other = started.person("6281234567011")
        await other.say("lapor")
        await other.expect_choice("c:")  # other chats are served


async def test_a_whole_report_in_english_with_a_location(both: Both) -> None:
    person = both.person("6281234567012")
    ticket = await walk(person, photo=True, language="en", located=True)
    [(location, language)] = await rows(
        both.settings,
        "SELECT location_enc IS NOT NULL, language FROM cases WHERE ticket = ?",
        ticket,
    )
    assert location and language == "en"
    assert any("Who did it?" in text_of(m) or "Who" in text_of(m) for m in person.messages())


async def test_a_restart_mid_report_loses_nothing(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> None:
    from sandbox.fake_whatsapp import TICKET

    async with both_channels(settings_factory, fake, clock) as first:
        person = first.person("6281234567013")
        await to_evidence(person)
        settings = first.settings
    # the same database and data key, the bot started again
    cloud = FakeWhatsApp(
        clock=clock, token=first.whatsapp.token, app_secret=first.whatsapp.app_secret
    )
    await cloud.start()
    port = free_port()
    again = settings.model_copy(
        update={"whatsapp_api_base_url": cloud.base_url, "whatsapp_port": port}
    )
    cloud.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    cloud.last_heard = first.whatsapp.last_heard
    try:
        async with running(make_app(again, fake, clock), again):
            person = cloud.person("6281234567013")
            await person.say("halo")  # the report goes on where it was: the evidence question
            await person.expect_choice("ev:")
            await person.press_data("ev:none")
            await person.expect_choice("id:")
            await person.press_data("id:anonymous")
            review = await person.expect_choice("rv:")
            await person.press_data(
                next(c.id for c in choices(review) if c.id.startswith("rv:send:"))
            )
            await person.expect(TICKET["id"])
    finally:
        await cloud.stop()
    assert await rows(again, "SELECT COUNT(*) FROM cases") == [(1,)]


async def test_a_double_tap_files_once(both: Both) -> None:
    person = both.person("6281234567014")
    await to_evidence(person)
    await person.press_data("ev:none")
    await person.expect_choice("id:")
    await person.press_data("id:anonymous")
    review = await person.expect_choice("rv:")
    send = next(c.id for c in choices(review) if c.id.startswith("rv:send:"))
    await person.press_data(send)
    await person.press_data(send)  # the second tap of the same button
    await person.expect("Nomor tiket: ")
    assert await rows(both.settings, "SELECT COUNT(*) FROM cases") == [(1,)]


async def test_a_first_message_with_the_story_keeps_what_was_written(both: Both) -> None:
    person = both.person("6281234567015")
    story = "Pak camat memasang baliho calon bupati di depan kantor kecamatan tadi pagi."
    await person.say(story)
    await person.expect_choice("c:")  # the report starts, with the story kept
    await person.press_data("c:yes")
    asked = await person.expect_choice("k:")
    assert asked
    hello = both.person("6281234567016")
    await hello.say("halo")
    welcome = await hello.expect_choice("m:")  # a greeting gets the welcome with the menu
    assert "Lapor Netral" in text_of(welcome)


async def test_the_filing_packet_arrives_as_a_pdf_document(both: Both) -> None:
    person = both.person("6281234567017")
    ticket = await walk(person)
    await person.press_data(f"pk:{ticket}")  # "📄 Berkas laporan resmi"
    for _ in range(8):  # the forms' few questions: skipped
        await both.whatsapp.changed(1.0)
        latest = person.messages()[-1]
        if latest["type"] == "document":
            break
        if any(c.id == "pq:skip" for c in choices(latest)):
            await person.press_data("pq:skip")
    document = next(m for m in person.messages() if m["type"] == "document")
    media = both.whatsapp.media[document["document"]["id"]]
    assert media.data.startswith(b"%PDF-") and ticket in text_of(document)
    assert document["document"]["filename"].startswith(ticket)


async def test_adding_information_and_erasing_over_whatsapp(both: Both) -> None:
    from service import casedesk

    person = both.person("6281234567018")
    ticket = await walk(person)
    svc, member = await handler_of(both, ticket)
    case = await casedesk.case_by_ticket(svc, member, ticket)
    assert case is not None
    await casedesk.change_status(svc, member, case, "diverifikasi", note=None, public=True)
    svc.wake_outbox()
    await person.expect_choice(f"ai:{ticket}")  # the notice offers "Tambah informasi"
    await person.press_data(f"ai:{ticket}")
    await person.expect_choice("ad:")
    await person.say("Saksi lain: dua warga melihat kejadian itu dari warung seberang.")
    await person.expect_choice("ad:")
    [(note,)] = await rows(
        both.settings, "SELECT COUNT(*) FROM case_events WHERE action = 'reporter_info'"
    )
    assert note == 1
    await person.press_data("ad:done")
    other = both.person("6281234567019")
    await walk(other)
    await other.say("hapus")  # a word: the reporter's data can be erased here too
    await other.expect_choice("er:")
    await other.press_data("er:yes")
    await other.expect("dihapus")
    cases = await rows(both.settings, "SELECT COUNT(*) FROM cases")
    assert cases == [(1,)]  # the erased report is gone, the one being handled stays


async def test_a_voice_note_and_a_video_are_evidence_too(both: Both) -> None:
    from sandbox.fake_whatsapp import Media

    person = both.person("6281234567020")
    await to_evidence(person)
    for kind, mime, field in (("audio", "audio/ogg", {"voice": True}), ("video", "video/mp4", {})):
        media_id = both.whatsapp._new_id("media")
        both.whatsapp.media[media_id] = Media(b"\x00\x01recording" * 100, mime)
        await person._send({"type": kind, kind: {"id": media_id, "mime_type": mime, **field}})
    await person.expect("Bukti 2 diterima")
    shown = " ".join(text_of(m) for m in person.messages())
    assert "Bukti 1 diterima: rekaman suara" in shown and "Bukti 2 diterima: video" in shown
    [(count,)] = await rows(both.settings, "SELECT COUNT(*) FROM evidence")
    assert count == 2
