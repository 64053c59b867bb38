"""The staff side over HTTP: scopes, digests under faults, status changes, outbox, export, chart."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageColor

from bot.application import AnyApplication
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.digests import queue_daily
from service.outbox import deliver_due
from service.settings import Settings
from storage import outbox
from storage import staff as staff_store
from tests.conftest import ADMIN_ID, Clock, make_app
from tests.helpers import add, file_report, opened, rows, say, svc_of, tap, with_button

BANTEN_OMBUDSMAN, BAWASLU_NATIONAL, BALI_BAWASLU, BANTEN_INSPEKTORAT = 7001, 7002, 7003, 7004


@pytest.fixture
async def cases(bot: AnyApplication, people: Callable[..., FakeUser]) -> dict[str, str]:
    """Three reports: Banten with both bodies, Banten Bawaslu-only, Bali with both bodies."""
    reporter = people("id")
    return {
        "banten_both": await file_report(
            reporter,
            category="state_facilities",
            person="asn",
            province="banten",
            regency="kota serang",
            details="Budi, Camat Serang",
        ),
        "banten_bawaslu": await file_report(
            reporter,
            category="political_expression",
            person="asn",
            province="banten",
            regency="kab serang",
        ),
        "bali_both": await file_report(
            reporter,
            category="state_facilities",
            person="village",
            province="bali",
            regency="denpasar",
        ),
    }


def tickets_in(message: dict[str, object]) -> set[str]:
    return {data.split(":", 1)[1] for _, data in buttons(message) if data.startswith("ks:")}


async def test_scope_isolation(
    bot: AnyApplication, cases: dict[str, str], people: Callable[..., FakeUser], fake: FakeTelegram
) -> None:
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    await add(bot, BANTEN_INSPEKTORAT, "inspektorat", "36")
    ombudsman = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    listing = await say(ombudsman, "/kasus", "halaman")
    assert tickets_in(listing) == {cases["banten_both"]}
    await say(ombudsman, f"/kasus {cases['banten_bawaslu']}", "tidak ditemukan di wilayah Anda")
    await say(ombudsman, f"/kasus {cases['bali_both']}", "tidak ditemukan di wilayah Anda")
    bawaslu = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    listing = await say(bawaslu, "/kasus", "halaman")
    assert tickets_in(listing) == set(cases.values())
    inspektorat = FakeUser(fake, BANTEN_INSPEKTORAT, "Inspektorat Banten", "id")
    listing = await say(inspektorat, "/kasus", "halaman")
    assert tickets_in(listing) == {cases["banten_both"], cases["banten_bawaslu"]}
    detail = await say(ombudsman, f"/kasus {cases['banten_both'].lower()}", "Kategori:")
    assert "Budi, Camat Serang" in str(detail["text"])
    assert "Pelapor: anonim" in str(detail["text"])
    # Someone who is not staff learns nothing: the same answer as any unknown command.
    stranger = people("id")
    for command in (
        "/kasus",
        f"/kasus {cases['banten_both']}",
        "/digest",
        "/ekspor",
        "/staf daftar",
    ):
        reply = await say(stranger, command, "Perintah itu tidak dikenal")
        assert cases["banten_both"] not in str(reply["text"])
    stranger.press(detail, f"ks:{cases['banten_both']}", forge=True)
    await stranger.expect("Maaf, saya belum paham")
    assert not any("Kategori:" in str(m.get("text")) for m in stranger.bot_messages())
    # Staff of the wrong scope cannot act on a case by forging its buttons.
    bali_case = next(
        iter(
            await rows(
                svc_of(bot).settings,
                "SELECT id FROM cases WHERE province_code = '51'",
            )
        )
    )[0]
    ombudsman.press(detail, f"sx:{bali_case}:diverifikasi", forge=True)
    await ombudsman.expect("tidak ditemukan di wilayah Anda")


async def test_digest_is_delivered_exactly_once_through_faults(
    bot: AnyApplication, cases: dict[str, str], fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    staff = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    fake.inject("sendMessage", "5xx", status=502)
    fake.inject("sendMessage", "429", retry_after=1)
    fake.inject("sendMessage", "drop")
    staff.send("/digest")
    digest = await staff.expect("3 laporan baru", timeout=20)
    assert tickets_in(digest) == set(cases.values())
    assert "Per kategori:" in str(digest["text"]) and "Fasilitas negara 2" in str(digest["text"])
    assert sum("laporan baru" in str(m.get("text")) for m in staff.bot_messages()) == 1
    outcomes = [
        c.outcome
        for c in fake.calls
        if c.method == "sendmessage" and c.params.get("chat_id") == BAWASLU_NATIONAL
    ]
    assert outcomes[:3] == ["502", "429", "dropped"] and outcomes.count("ok") == 1
    # the outbox marks the row sent just after the message arrives (a moment later on PostgreSQL)
    for _ in range(100):
        if await rows(svc_of(bot).settings, "SELECT status FROM outbox") == [("sent",)]:
            break
        await asyncio.sleep(0.05)
    await say(staff, "/digest", "Tidak ada laporan baru")
    reporter = people("id")
    fourth = await file_report(
        reporter, category="other", person="asn", province="jatim", regency="surabaya"
    )
    staff.send("/digest")
    digest = await staff.expect("1 laporan baru")
    assert tickets_in(digest) == {fourth}


async def test_a_digest_asked_for_while_one_is_on_its_way_is_answered(
    bot: AnyApplication, cases: dict[str, str], fake: FakeTelegram
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    staff = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    async with svc_of(bot).outbox_lock:  # the outbox is busy: the first digest waits in it
        staff.send("/digest")
        for _ in range(100):
            if await rows(svc_of(bot).settings, "SELECT status FROM outbox") == [("pending",)]:
                break
            await asyncio.sleep(0.05)
        await say(staff, "/digest", "masih dalam pengiriman")
    await staff.expect("3 laporan baru", timeout=20)
    assert sum("laporan baru" in str(m.get("text")) for m in staff.bot_messages()) == 1


async def test_blocked_staff_is_marked_and_not_retried(
    bot: AnyApplication, cases: dict[str, str], fake: FakeTelegram, settings: Settings
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    fake.blocked_chats.add(BAWASLU_NATIONAL)
    svc = svc_of(bot)
    from service.digests import queue_digest

    member = await staff_store.get(svc.db, BAWASLU_NATIONAL)
    assert member is not None and await queue_digest(svc, member) == 1
    await deliver_due(svc)
    await deliver_due(svc)
    assert await rows(
        settings, "SELECT status FROM outbox WHERE chat_hash = ?", svc.chat(BAWASLU_NATIONAL).key
    ) == [("blocked",)]
    attempts = [
        c
        for c in fake.calls
        if c.method == "sendmessage" and c.params.get("chat_id") == BAWASLU_NATIONAL
    ]
    assert len(attempts) == 1
    member = await staff_store.get(svc.db, BAWASLU_NATIONAL)
    assert member is not None and member.blocked
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    listing = await say(admin, "/staf daftar", "Petugas")
    assert "memblokir bot" in str(listing["text"])


async def test_status_change_reaches_the_reporter_in_their_language(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    reporter = people("en")
    ticket = await file_report(
        reporter, category="mobilisation", person="village", province="jatim", regency="kota malang"
    )
    staff = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan untuk pelapor")
    reporter.mark()
    await say(staff, "Kami sedang memeriksa <bukti> Anda & saksi.", "Pelapor diberi tahu")
    news = await reporter.expect("News about your report")
    assert "Status: Being verified" in str(news["text"])
    assert "Note from staff: Kami sedang memeriksa <bukti> Anda & saksi." in str(news["text"])
    assert any(label == "➕ Add information" for label, _ in buttons(news))
    # An internal note does not reach the reporter.
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "➡️ Sedang ditindaklanjuti", "Tulis catatan")
    await tap(staff, "🔒 Jadikan catatan internal", "catatan internal")
    reporter.mark()
    await say(staff, "Terlapor kerabat kepala dinas", "Sedang ditindaklanjuti")
    status = await say(reporter, f"/status {ticket}", "Report status")
    assert "Being acted on" in str(status["text"])
    assert "Kami sedang memeriksa" in str(status["text"]) and "kerabat" not in str(status["text"])
    assert not any(
        "News about your report" in str(m.get("text")) and "acted on" in str(m.get("text"))
        for m in reporter.bot_messages()
    )
    events = await rows(
        settings,
        "SELECT action, old_value, new_value, public, actor_id FROM case_events WHERE action = 'status' ORDER BY id",
    )
    assert events == [
        ("status", "diterima", "diverifikasi", 1, BAWASLU_NATIONAL),
        ("status", "diverifikasi", "ditindaklanjuti", 0, BAWASLU_NATIONAL),
    ]
    # Only allowed transitions are offered.
    detail = await say(staff, f"/kasus {ticket}", "Kategori:")
    labels = [label for label, _ in buttons(detail)]
    assert "➡️ Selesai" in labels and "➡️ Diterima" not in labels
    # The reporter adds information; staff are alerted.
    await tap(reporter, "➕ Add information", "Send more information")
    staff.mark()
    await say(
        reporter, "The rice bags had the candidate's sticker.", "Received and passed to the staff"
    )
    await staff.expect("Pelapor menambahkan informasi")
    await tap(reporter, "✅ Done", "Thank you")
    notes = await rows(settings, "SELECT note_enc FROM case_events WHERE action = 'reporter_info'")
    assert [opened(settings, n[0]) for n in notes] == ["The rice bags had the candidate's sticker."]


async def test_urgent_categories_alert_at_once(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    banten = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    bali = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "en")
    ticket = await file_report(
        people("id"),
        category="service_conditioning",
        person="asn",
        province="banten",
        regency="kota serang",
        public="yes",
    )
    alert = await banten.expect("Laporan mendesak")
    assert ticket in str(alert["text"])
    assert not bali.bot_messages()


async def test_forwarding_adds_the_other_body(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    ticket = await file_report(
        people("id"),
        category="political_expression",
        person="asn",
        province="banten",
        regency="kota serang",
    )
    bawaslu = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    ombudsman = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    await say(ombudsman, f"/kasus {ticket}", "tidak ditemukan")
    await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    # Forwarding asks first; "no" changes nothing.
    asked = await tap(bawaslu, "↪️ Teruskan ke Ombudsman RI", "ke Ombudsman RI Perwakilan Banten?")
    assert "⚠️" not in str(asked["text"])  # Ombudsman needs no election stage
    await tap(bawaslu, "✖️ Tidak jadi", "Tidak jadi diteruskan")
    await say(ombudsman, f"/kasus {ticket}", "tidak ditemukan")
    ombudsman.mark()
    await tap(bawaslu, "↪️ Teruskan ke Ombudsman RI", "ke Ombudsman RI Perwakilan Banten?")
    bawaslu.mark()
    await tap(bawaslu, "↪️ Ya, teruskan", "diteruskan ke Ombudsman RI Perwakilan Banten")
    await ombudsman.expect(ticket)
    # A second tap on the same confirmation forwards nothing more.
    bawaslu.press(with_button(bawaslu, "↪️ Ya, teruskan"), label="↪️ Ya, teruskan")
    await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    forwards = await rows(settings, "SELECT new_value FROM case_events WHERE action = 'forward'")
    bodies = await rows(settings, "SELECT agency FROM case_bodies")
    assert forwards == [("ombudsman",)] and bodies.count(("ombudsman",)) == 1
    await say(
        ombudsman,
        f"/kasus {ticket}",
        "Lembaga: Bawaslu Kota Serang; Ombudsman RI Perwakilan Banten",
    )


async def test_forwarding_to_bawaslu_outside_an_election_stage_warns(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], clock: Clock
) -> None:
    clock.now = dt.datetime(2025, 6, 10, 3, 0, tzinfo=dt.UTC)  # no stage running in Banten
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    ticket = await file_report(
        people("id"),
        category="state_facilities",
        person="asn",
        province="banten",
        regency="kota serang",
    )
    ombudsman = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    await say(ombudsman, f"/kasus {ticket}", "Kategori:")
    asked = await tap(ombudsman, "↪️ Teruskan ke Bawaslu", "ke Bawaslu Kota Serang?")
    assert "⚠️ Saat ini tidak ada tahapan pemilu atau pilkada" in str(asked["text"])
    bawaslu = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    bawaslu.mark()
    await tap(ombudsman, "↪️ Ya, teruskan", "diteruskan ke Bawaslu Kota Serang")
    await bawaslu.expect(ticket)


async def test_staff_help_shows_the_staff_commands_and_the_citizens(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    shown = str((await say(staff, "/bantuan", "Perintah petugas"))["text"])
    assert "/kasus" in shown and "/web" in shown and "/lapor" in shown  # both helps
    english = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "en")
    await say(english, "/bahasa", "English")
    assert "/case" in str((await say(english, "/help", "Staff commands"))["text"])
    citizen = people("id")
    assert "Perintah petugas" not in str((await say(citizen, "/bantuan", "Bantuan"))["text"])


async def test_staff_get_a_staff_welcome_on_start(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    welcome = await say(staff, "/start", "Selamat datang, petugas Ombudsman RI")
    text = str(welcome["text"])
    assert "Wilayah Anda: Banten" in text and "/kasus" in text and "/lapor" in text
    assert "/staf tambah" not in text  # administrators' commands only for administrators
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    await add(bot, ADMIN_ID, "ombudsman", "")
    assert "/staf tambah" in str((await say(admin, "/petugas", "/kasus"))["text"])
    english = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "en")
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    welcome = await say(english, "/start", "Welcome, Bawaslu (election supervisory body) staff")
    assert "Your area: national" in str(welcome["text"])
    # Citizens still get the citizen welcome; staff can still report as citizens.
    await say(people("id"), "/start", "Selamat datang di Lapor Netral")
    await say(staff, "/lapor", "Sebelum mulai")


async def test_list_paging_keeps_its_filters_across_a_restart(
    settings: Settings, fake: FakeTelegram, clock: Clock, people: Callable[..., FakeUser]
) -> None:
    reporter = people("id")
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    async with running(make_app(settings, fake, clock), settings) as app:
        await add(app, BANTEN_OMBUDSMAN, "ombudsman", "36")
        filed: dict[str, list[str]] = {"kota serang": [], "kab serang": []}
        for regency, count in (("kota serang", 12), ("kab serang", 9)):
            for _ in range(count):
                filed[regency].append(
                    await file_report(
                        reporter,
                        category="state_facilities",
                        person="asn",
                        province="banten",
                        regency=regency,
                    )
                )
        first = await say(staff, "/kasus kab=kota serang", "halaman 1/2")
    async with running(make_app(settings, fake, clock), settings):
        staff.press(first, "kp:2")
        second = await staff.expect("halaman 2/2")
    shown = tickets_in(first) | tickets_in(second)
    assert shown == set(filed["kota serang"]) and not shown & set(filed["kab serang"])


async def test_restart_between_outbox_write_and_send(
    settings: Settings, fake: FakeTelegram, clock: Clock, people: Callable[..., FakeUser]
) -> None:
    reporter = people("id")
    async with running(make_app(settings, fake, clock), settings) as app:
        ticket = await file_report(
            reporter, category="other", person="asn", province="bali", regency="denpasar"
        )
        svc = svc_of(app)
        # As if the process died right after committing these rows: one never tried, one cut
        # off after Telegram accepted it (status 'sending').
        await outbox.enqueue(
            svc.db,
            svc.chat(reporter.chat_id),
            "notification",
            {"type": "message", "text": f"kabar A {ticket}"},
            svc.now(),
            cipher=svc.cipher,
        )
        second = await outbox.enqueue(
            svc.db,
            svc.chat(reporter.chat_id),
            "notification",
            {"type": "message", "text": f"kabar B {ticket}"},
            svc.now(),
            cipher=svc.cipher,
        )
        await svc.db.execute(
            "UPDATE outbox SET status = 'sending', attempts = 1 WHERE id = ?", (second,)
        )
        await svc.db.execute(
            "UPDATE outbox SET next_attempt_at = '9999' WHERE status IN ('pending', 'sending')"
        )
    reporter.mark()
    await rows(settings, "SELECT 1")  # the file is closed and intact
    await rows(
        settings, "UPDATE outbox SET next_attempt_at = '2000-01-01' WHERE next_attempt_at = '9999'"
    )
    async with running(make_app(settings, fake, clock), settings) as app:
        await reporter.expect(f"kabar B {ticket}")
        await reporter.expect(f"kabar A {ticket}")
        counts = await outbox.counts(svc_of(app).db)
    texts = [str(m.get("text")) for m in reporter.bot_messages()]
    assert texts.count(f"kabar A {ticket}") == 1 and texts.count(f"kabar B {ticket}") == 1
    assert counts["resends"] == 1 and counts.get("pending", 0) == 0


async def test_export_matches_the_cases_in_scope(
    bot: AnyApplication, cases: dict[str, str], fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    open_ticket = await file_report(
        people("id"),
        category="state_facilities",
        person="asn",
        province="banten",
        regency="kota serang",
        identity="open",
        name="Joko Terbuka",
        phone="081377778888",
    )
    secret_ticket = await file_report(
        people("id"),
        category="state_facilities",
        person="asn",
        province="banten",
        regency="kota serang",
        identity="confidential",
        name="Sri Rahasia",
        phone="081355556666",
    )
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    document = await say(staff, "/ekspor 2024-01-01 2024-12-31", "Ekspor 3 laporan")
    data = fake.files[document["document"]["file_id"]].data
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["ticket"] for row in table} == {cases["banten_both"], open_ticket, secret_ticket}
    by_ticket = {row["ticket"]: row for row in table}
    assert by_ticket[open_ticket]["reporter_name"] == "Joko Terbuka"
    # kept as text: a spreadsheet would read a cell starting with + as a formula
    assert by_ticket[open_ticket]["reporter_phone"] == "'+6281377778888"
    assert (
        by_ticket[secret_ticket]["reporter_name"] == ""
        and by_ticket[secret_ticket]["reporter_phone"] == ""
    )
    row = by_ticket[cases["banten_both"]]
    assert row["province_name"] == "Banten" and row["regency_code"] == "36.73"
    # filed before any staff member covered Banten: referred, and seen once staff are added
    assert row["handling_bodies"] == "bawaslu;ombudsman;bkn" and row["status"] == "dirujuk"
    assert row["created_at"].startswith("2024-11-20")
    detail = await say(staff, f"/kasus {secret_ticket}", "Kategori:")
    assert "Sri Rahasia, +6281355556666" in str(detail["text"])  # the handling office sees it


async def test_daily_summary_has_a_png_chart(
    bot: AnyApplication, cases: dict[str, str], fake: FakeTelegram
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    staff = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    svc = svc_of(bot)
    member = await staff_store.get(svc.db, BAWASLU_NATIONAL)
    assert member is not None
    assert await queue_daily(svc, member)
    assert not await queue_daily(svc, member)  # once a day
    await deliver_due(svc)
    summary = await staff.expect("Ringkasan harian")
    assert "Per status:" in str(summary["text"]) and "Dirujuk 3" in str(summary["text"])
    assert "Kalender pemilihan" not in str(summary["text"])  # the calendar is the admins' care
    photo = await staff.expect(lambda m: "photo" in m)
    png = fake.files[photo["photo"][0]["file_id"]].data
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (720, 360)
    # the bars and legend take their colours from the rules file; today's bar is Bawaslu's
    colours = {colour for _, colour in image.getcolors(720 * 360) or []}
    rules = svc.jurisdiction.rules
    for body in rules.staff_agencies():  # every body with staff is in the legend
        assert ImageColor.getrgb(rules.bodies[body].colour or "#787878") in colours
    today_bar = image.crop((620, 60, 680, 316)).getcolors(60 * 256) or []
    assert ImageColor.getrgb(rules.bodies["bawaslu"].colour or "") in {c for _, c in today_bar}


async def test_daily_summary_flags_only_cases_past_their_target(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], clock: Clock
) -> None:
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    ticket = await file_report(
        people("id"), category="state_facilities", person="asn", province="banten",
        regency="kota serang", description="⏰ Jam kerja dipakai camat untuk rapat tim kampanye.",
    )  # fmt: skip
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    svc = svc_of(bot)
    member = await staff_store.get(svc.db, BANTEN_OMBUDSMAN)
    assert member is not None

    async def waiting_line() -> str:
        staff.mark()
        assert await queue_daily(svc, member)
        await deliver_due(svc)
        summary = str((await staff.expect("Ringkasan harian"))["text"])
        return next(line for line in summary.splitlines() if ticket in line)

    assert "⏰" not in await waiting_line()  # a ⏰ in the description is not a late case
    clock.now += dt.timedelta(days=5)  # Monday 25 November: 3 working days in 'diterima'
    assert "⏰" in await waiting_line()


async def test_admin_manages_staff(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    await say(
        admin, "/staf tambah 555 ombudsman 36", "Petugas 555 ditambahkan: ombudsman, wilayah Banten"
    )
    await say(admin, "/staf tambah 555 ombudsman 36.73", "Petugas 555 diubah")
    await say(admin, "/staf tambah 556 kpu", "Cara pakai")
    await say(admin, "/staf tambah 556 bawaslu 99.99", 'Wilayah "99.99" tidak dikenal')
    listing = await say(admin, "/staf daftar", "Petugas")
    assert "555 · ombudsman · Kota Serang" in str(listing["text"])
    staff = FakeUser(fake, 555, "Petugas", "id")
    await say(staff, "/staf daftar", "Perintah itu tidak dikenal")  # staff, but not an admin
    await say(admin, "/staf hapus 555", "Petugas 555 dihapus")
    await say(staff, "/kasus", "Perintah itu tidak dikenal")


def test_staff_from_the_command_line(tmp_path: Path) -> None:
    from tests.platform.test_command_line import child_env

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lapor", *args],
            cwd=tmp_path,
            env=child_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert cli("staff", "add", "321", "bawaslu", "51").returncode == 0
    assert cli("staff", "add", "322", "ombudsman", "77").returncode == 1
    assert "321\tbawaslu\t51" in cli("staff", "list").stdout
    assert cli("staff", "remove", "321").returncode == 0
    assert cli("staff", "list").stdout.strip() == ""
    exported = cli("export")
    assert exported.returncode == 0 and exported.stdout.startswith("ticket,created_at")


async def test_related_cases_and_service_targets_are_flagged(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], clock: Clock
) -> None:
    await add(bot, BAWASLU_NATIONAL, "bawaslu")
    first = await file_report(
        people("id"),
        category="political_expression",
        person="asn",
        province="banten",
        regency="kota serang",
        details="Budi Santoso, Camat Serang",
    )
    second = await file_report(
        people("id"),
        category="political_expression",
        person="asn",
        province="banten",
        regency="kota serang",
        details="camat serang budi",
    )
    other = await file_report(
        people("id"),
        category="political_expression",
        person="asn",
        province="banten",
        regency="kota serang",
        details="Kepala Dinas Pendidikan",
    )
    staff = FakeUser(fake, BAWASLU_NATIONAL, "Bawaslu RI", "id")
    detail = await say(staff, f"/kasus {first}", "Kategori:")
    text = str(detail["text"])
    assert f"Laporan terkait: {second}" in text and other not in text
    assert "umur 0 hari" in text and "Telaah awal: target 22 November 2024 (sesuai)" in text
    clock.now += __import__("datetime").timedelta(days=3)  # Saturday 23 November: past target
    staff.send("/digest")
    digest = await staff.expect("3 laporan baru")
    assert str(digest["text"]).count("⏰ lewat target") == 3
    assert str(digest["text"]).count("🔗 ada laporan terkait") == 2


async def test_list_filters_paging_and_evidence_files(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    from tests.helpers import answer, jpeg_with_gps

    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    reporter = people("id")
    tickets = [
        await file_report(
            reporter,
            category="state_facilities",
            person="asn",
            province="banten",
            regency="kota serang",
        )
        for _ in range(11)
    ]
    other = await file_report(
        reporter, category="state_facilities", person="asn", province="banten", regency="kab serang"
    )
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    first = await say(staff, "/kasus kab=36.73", "halaman 1/2")
    assert len(tickets_in(first)) == 10 and other not in tickets_in(first)
    second = await tap(staff, "Berikutnya ▶️", "halaman 2/2")
    assert tickets_in(first) | tickets_in(second) == set(tickets)
    await say(staff, "/kasus status=selesai", "Tidak ada laporan yang cocok")
    await say(staff, "/kasus warna=merah", 'Filter "warna=merah" tidak dikenal')
    # a filter with no list of choices says how to write it, never "choices: —"
    dated = await say(staff, "/kasus dari=kemarin-lusa-dulu", 'Filter "dari=kemarin-lusa-dulu"')
    assert "Tanggal ditulis seperti 2024-11-20" in str(dated["text"]) and "—" not in str(
        dated["text"]
    )
    paged = await say(staff, "/kasus hal=dua", 'Filter "hal=dua"')
    assert "Halaman ditulis dengan angka" in str(paged["text"])
    # Staff type places, statuses and categories by name, as they say them.
    named = await say(staff, "/kasus prov=banten kab=kab serang kat=fasilitas", "Laporan")
    assert tickets_in(named) == {other}
    await say(staff, "/kasus status=sedang ditindaklanjuti", "Tidak ada laporan yang cocok")
    await say(staff, "/kasus kab=kota sarang", "Kota Serang")
    # Evidence reaches staff as the stored copy, without the photo's location data.
    await answer(reporter, "/lapor", "c")
    await answer(reporter, "!c:yes", "k")
    await answer(reporter, "!k:state_facilities", "d")
    await answer(reporter, "Mobil dinas dipakai kampanye di depan kantor.", "p")
    await answer(reporter, "!p:asn", "pd")
    await answer(reporter, "!pd:^skip", "pv")
    await answer(reporter, "banten", "rg")
    await answer(reporter, "kota serang", "pl")
    await answer(reporter, "!pl:^skip", "ed")
    await answer(reporter, "!ed:today", "ps")
    await answer(reporter, "!ps:no", "ev")
    reporter.send_document(jpeg_with_gps(), "IMG_1.jpg", "image/jpeg")
    await reporter.expect("Bukti 1 diterima")
    await answer(reporter, "!ev:done", "id")
    review = await answer(reporter, "!id:anonymous", "rv")
    send = next(data for _, data in buttons(review) if data.startswith("rv:send:"))
    reporter.press(review, send)
    filed = await reporter.expect("Nomor tiket: ")
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    staff.send(f"/kasus {ticket}")
    document = await staff.expect(lambda m: "document" in m)
    assert document["caption"] == f"{ticket} · bukti 1 dari 1 · dokumen"
    data = fake.files[document["document"]["file_id"]].data
    assert data.startswith(b"\xff\xd8") and b"PhoneMaker" not in data


async def test_the_administrators_daily_summary_warns_about_the_election_calendar(
    bot: AnyApplication, cases: dict[str, str], fake: FakeTelegram
) -> None:
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    svc = svc_of(bot)
    member = await svc.staff_member(ADMIN_ID)
    assert member is not None and member.admin
    assert await queue_daily(svc, member)
    await deliver_due(svc)
    summary = await admin.expect("Ringkasan harian")
    assert "Kalender pemilihan: Pemilu 2029: dates expected, not confirmed" in str(summary["text"])
