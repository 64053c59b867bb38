"""Findings of the security and privacy review, each driven the way an attacker or a curious
insider would: a rejected token, formula cells, related cases across scopes."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from bot.application import AnyApplication
from bot.webhook import SECRET_HEADER, webhook_path
from conversations.tickets import ALPHABET
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.digests import queue_digest
from service.outbox import deliver_due
from service.settings import Settings
from storage import casequeries, outbox
from storage import staff as staff_store
from storage.crypto import DataCipher
from storage.keys import ENCRYPTED
from tests.conftest import ADMIN_ID, TOKEN, Clock, make_app
from tests.helpers import (
    add,
    answer,
    asks,
    file_report,
    jpeg_with_gps,
    opened,
    rows,
    say,
    svc_of,
    tap,
    to_evidence,
)

BALI_OMBUDSMAN, BALI_BAWASLU, BALI_INSPEKTORAT = 8401, 8402, 8403


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
        sys.executable, "-m", "lapor", cwd=tmp_path, env=env,
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


async def test_internal_notes_stay_with_the_agency_that_wrote_them(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BALI_OMBUDSMAN, "ombudsman", "51")
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    ticket = await file_report(
        people("id"), category="political_expression", person="asn", province="bali",
        regency="denpasar",
    )  # fmt: skip
    bawaslu = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    await tap(bawaslu, "📝 Catatan internal", "catatan internal")
    await say(bawaslu, "Terlapor ipar ketua tim sukses", "Catatan internal disimpan")
    own = await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    assert "Terlapor ipar ketua tim sukses" in str(own["text"])
    await tap(bawaslu, "↪️ Teruskan ke Ombudsman RI", "Teruskan")
    await tap(bawaslu, "↪️ Ya, teruskan", "diteruskan ke Ombudsman RI Perwakilan Bali")
    ombudsman = FakeUser(fake, BALI_OMBUDSMAN, "Ombudsman Bali", "id")
    forwarded = await say(ombudsman, f"/kasus {ticket}", "Kategori:")
    assert "Terlapor ipar" not in str(forwarded["text"])
    assert "(catatan internal lembaga lain)" in str(forwarded["text"])
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    await add(bot, ADMIN_ID, "ombudsman", "")  # an administrator who also works for Ombudsman
    seen_by_admin = await say(admin, f"/kasus {ticket}", "Kategori:")
    assert "Terlapor ipar ketua tim sukses" in str(seen_by_admin["text"])


async def test_identity_goes_only_to_bodies_handling_the_case(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    await add(bot, BALI_INSPEKTORAT, "inspektorat", "51")
    ticket = await file_report(
        people("id"), category="political_expression", person="asn", province="bali",
        regency="denpasar", identity="confidential", name="Ni Luh Rahasia", phone="081355550000",
    )  # fmt: skip
    bawaslu = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    handling = await say(bawaslu, f"/kasus {ticket}", "Kategori:")
    assert "Ni Luh Rahasia" in str(handling["text"])
    inspectorate = FakeUser(fake, BALI_INSPEKTORAT, "Inspektorat Bali", "id")
    overseeing = await say(inspectorate, f"/kasus {ticket}", "Kategori:")  # sees the case ...
    assert "Ni Luh Rahasia" not in str(overseeing["text"])  # ... but not who reported it
    assert "6281355550000" not in str(overseeing["text"])


async def run_cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", *args, cwd=tmp_path, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def test_a_wrong_data_key_is_refused_at_start_and_keys_rotate(
    settings: Settings, fake: FakeTelegram, clock: Clock, people: Callable[..., FakeUser],
    tmp_path: Path,
) -> None:  # fmt: skip
    old_key = settings.data_key.get_secret_value()  # type: ignore[union-attr]
    new_key = Fernet.generate_key().decode()
    async with running(make_app(settings, fake, clock), settings):
        await file_report(
            people("id"), category="other", person="asn", province="bali", regency="denpasar",
            identity="open", name="Joko Terbuka", phone="081377778888",
        )  # fmt: skip
        await answer(people("id"), "/lapor", "c")  # a draft in progress, encrypted whole
    db = {"DATABASE_PATH": str(settings.database_path)}
    if settings.database_url_text:
        db["DATABASE_URL"] = settings.database_url_text
    code, printed = await run_cli(tmp_path, "staff", "list", DATA_KEY=new_key, **db)
    assert code == 2 and printed.count("\n") == 1
    assert "DATA_KEY does not fit this database" in printed and new_key not in printed
    code, printed = await run_cli(
        tmp_path, DATA_KEY=new_key, TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url, **db,
    )  # fmt: skip
    assert code == 2 and "DATA_KEY does not fit" in printed and "Traceback" not in printed
    code, printed = await run_cli(
        tmp_path, "rotate-key", "--grace", "0", DATA_KEY=f"{new_key},{old_key}", **db
    )
    assert code == 0, printed
    assert "encrypted values now use the first key" in printed
    only_new = DataCipher(new_key)
    for table, key, column in ENCRYPTED:
        for _, value in await rows(
            settings,
            f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL",
        ):
            only_new.decrypt(value)  # every value now opens with the new key alone
    code, printed = await run_cli(tmp_path, "export", DATA_KEY=new_key, **db)
    assert code == 0 and "Joko Terbuka" in printed
    code, printed = await run_cli(tmp_path, "staff", "list", DATA_KEY=old_key, **db)
    assert code == 2  # and the old key alone no longer fits


async def test_long_emoji_reports_reach_staff_whole(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    """2,970 emoji are 5,940 units for Telegram: the case view and digests must still arrive
    (a few words first: a description counts letters, emoji alone are not a story)."""
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    tickets = [
        await file_report(
            people("id"),
            category="political_expression",
            person="asn",
            province="bali",
            regency="denpasar",
            description="Camat berkampanye di kantor " + "😡" * 2970,
        )
        for _ in range(15)
    ]
    staff = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    staff.mark()
    staff.send(f"/kasus {tickets[0]}")
    await staff.expect("Riwayat")  # the last part of the case view
    shown = "".join(str(m.get("text")) for m in staff.bot_messages())
    assert shown.count("😡") >= 2970  # the whole description, over several messages
    svc = svc_of(bot)
    member = await staff_store.get(svc.db, BALI_BAWASLU)
    assert member is not None
    assert await queue_digest(svc, member) > 0
    await deliver_due(svc)
    counts = await outbox.counts(svc.db)
    assert counts.get("failed", 0) == 0 and counts.get("pending", 0) == 0 and counts["sent"] >= 1
    newest = max(int(r[0]) for r in await rows(svc.settings, "SELECT id FROM cases"))
    assert await casequeries.cursor_of(svc.db, BALI_BAWASLU) == (newest, None)


async def test_a_refused_digest_part_never_moves_the_cursor(bot: AnyApplication) -> None:
    svc = svc_of(bot)
    now = svc.now()
    first = await outbox.enqueue(
        svc.db, svc.chat(4242), "digest", {"type": "message", "text": "1"}, now, cipher=svc.cipher
    )
    last = await outbox.enqueue(
        svc.db, svc.chat(4242), "digest", {"type": "message", "text": "2"}, now, cursor=(4242, 99),
        cipher=svc.cipher,
    )  # fmt: skip
    rows_due = {row.id: row for row in [await outbox.next_due(svc.db, now, svc.cipher)] if row}
    assert first in rows_due
    await outbox.give_up(svc.db, rows_due[first], "failed", "400 message is too long")
    second = await outbox.next_due(svc.db, now, svc.cipher)
    assert second is not None and second.id == last
    await outbox.mark_sent(svc.db, second, now)
    assert await casequeries.cursor_of(svc.db, 4242) == (0, None)  # those cases come again


async def test_data_files_are_for_the_bots_user_only(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    user = people("id")
    await to_evidence(user, "Kepala desa memasang baliho calon di balai desa sejak kemarin sore.")
    user.send_document(jpeg_with_gps(), "foto.jpg", "image/jpeg")
    await user.expect("Bukti 1 diterima")
    folder = settings.database_path.parent
    assert folder.stat().st_mode & 0o777 == 0o700
    for path in folder.glob("lapor.db*"):
        assert path.stat().st_mode & 0o777 == 0o600, path
    stored = [p for p in settings.evidence_path.rglob("*") if p.is_file()]
    assert stored and all(p.stat().st_mode & 0o777 == 0o600 for p in stored)
    assert all(
        p.stat().st_mode & 0o777 == 0o700 for p in settings.evidence_path.rglob("*") if p.is_dir()
    )


async def test_adding_information_ends_when_the_case_is_closed(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    reporter = people("id")
    ticket = await file_report(
        reporter, category="political_expression", person="asn", province="bali",
        regency="denpasar",
    )  # fmt: skip
    staff = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan")
    reporter.mark()
    await say(staff, "Kami periksa.", "Pelapor diberi tahu")
    await reporter.expect("Kabar laporan Anda")
    await tap(reporter, "➕ Tambah informasi", "Kirim informasi tambahan")
    svc = svc_of(bot)
    await svc.db.execute("UPDATE cases SET status = 'selesai' WHERE ticket = ?", (ticket,))
    await say(reporter, "Ada saksi lain yang melihat.", "Laporan ini sudah ditutup")
    assert await rows(settings, "SELECT COUNT(*) FROM reporter_sessions") == [(0,)]
    assert await rows(
        settings, "SELECT COUNT(*) FROM case_events WHERE action = 'reporter_info'"
    ) == [(0,)]


async def test_bidi_overrides_and_mark_floods_are_neutralised_for_staff(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    description = "Foto bukti: \u202egpj.exe\u202c dan teks " + "z" + "\u0301" * 200 + " selesai."
    ticket = await file_report(
        people("id"), category="political_expression", person="asn", province="bali",
        regency="denpasar", description=description,
    )  # fmt: skip
    stored = await rows(settings, "SELECT description_enc FROM cases")
    assert opened(settings, stored[0][0]) == description  # stored exactly, shown neutralised
    staff = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    shown = str((await say(staff, f"/kasus {ticket}", "Kategori:"))["text"])
    assert "\u202e" not in shown and "\ufffdgpj.exe\ufffd" in shown
    assert "z\u0301\u0301 selesai" in shown and "\u0301" * 3 not in shown


async def test_a_crowd_of_new_chats_is_asked_to_come_back(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock,
    people: Callable[..., FakeUser],
) -> None:  # fmt: skip
    settings = settings_factory(new_reports_per_minute=3)
    async with running(make_app(settings, fake, clock), settings):
        crowd = [people("id") for _ in range(5)]
        for user in crowd[:3]:
            await say(user, "/lapor", "Langkah 1 dari 9")
        for user in crowd[3:]:
            await say(user, "/lapor", "sangat banyak laporan baru")
        assert await rows(settings, "SELECT COUNT(*) FROM drafts") == [(3,)]
    capped = settings_factory(
        max_drafts=3, database_path=settings.database_path, data_key=settings.data_key
    )
    async with running(make_app(capped, fake, clock), capped):
        await say(people("en"), "/report", "a great many new reports")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_webhook_mode_needs_a_strong_secret(settings_factory: Callable[..., Settings]) -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET is required with WEBHOOK_URL"):
        settings_factory(webhook_url="https://bot.example.org")
    with pytest.raises(ValidationError, match="24 to 256 letters"):
        settings_factory(webhook_url="https://bot.example.org", webhook_secret="short")
    assert webhook_path("a" * 32) != webhook_path("b" * 32) and "/telegram/" in webhook_path("x")


async def test_webhook_mode_end_to_end_and_forged_updates_refused(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock,
    people: Callable[..., FakeUser],
) -> None:  # fmt: skip
    port = free_port()
    secret = secrets.token_urlsafe(32)
    settings = settings_factory(
        webhook_url=f"http://127.0.0.1:{port}", webhook_listen="127.0.0.1", webhook_port=port,
        webhook_secret=secret,
    )  # fmt: skip
    async with running(make_app(settings, fake, clock), settings):
        assert fake.webhook_url == f"http://127.0.0.1:{port}{webhook_path(secret)}"
        assert fake.webhook_secret == secret
        user = people("id")
        await say(user, "/start", "Selamat datang di Lapor Netral")  # through the webhook
        await say(user, "/lapor", "Langkah 1 dari 9")
        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1, "date": 1_700_000_000, "text": "/staf tambah 66666 ombudsman",
                "chat": {"id": ADMIN_ID, "type": "private"},
                "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }  # fmt: skip
        async with aiohttp.ClientSession() as session:
            for path, headers in (
                (webhook_path(secret), {}),  # no secret
                (webhook_path(secret), {SECRET_HEADER: "x" * 43}),  # a wrong one
                ("/telegram", {SECRET_HEADER: secret}),  # the old fixed path
            ):
                url = f"http://127.0.0.1:{port}{path}"
                async with session.post(url, json=forged, headers=headers) as reply:
                    assert reply.status in {403, 404}
        await asyncio.sleep(0.3)
        assert await rows(settings, "SELECT COUNT(*) FROM staff") == [(0,)]


async def test_tickets_the_bot_draws_are_not_sequential(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    drawn = []
    for _ in range(8):
        ticket = await file_report(
            people("id"), category="other", person="asn", province="bali", regency="denpasar"
        )
        body = ticket.replace("-", "")[2:13]  # the 11 random characters
        drawn.append(sum(ALPHABET.index(c) << (5 * i) for i, c in enumerate(body)))
    assert len(set(drawn)) == 8
    gaps = sorted(abs(a - b) for a in drawn for b in drawn if a != b)
    assert gaps[0] > 2**20  # no two neighbours: guessing one from another is hopeless
    assert max(drawn) - min(drawn) > 2**45


@pytest.mark.sqlite_only  # it reads the SQLite file's bytes
async def test_the_database_and_evidence_files_alone_reveal_no_personal_data(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    """A stolen copy of the data folder, without DATA_KEY, must not say who reported what."""
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    secrets_of_report = [
        "Kadek Wiranata Suryadiputra",  # the reporter's name
        "81299887766",  # the reporter's phone
        "Pak Gusti Ngurah Pendapa, Kepala Dinas Pariwisata",  # the reported person
        "dibagikan di balai banjar Tegal Harum",  # the description
        "Balai Banjar Tegal Harum, Jl. Gatot Subroto",  # the place
        "pembuatan akta kelahiran",  # the service
        "-8.6483",  # the shared location
        "https://contoh.example/video/rahasia-123",  # a link
        "Saksinya Made Sutarja dan Nyoman Rai",  # added information
        "EXIFSECRET-CAMERA-SERIAL",  # bytes inside the evidence file
    ]
    user = people("id")
    await answer(user, "/lapor", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, "!k:service_conditioning", "d")
    await answer(user, "Sembako bergambar calon dibagikan di balai banjar Tegal Harum.", "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, secrets_of_report[2], "pv")
    await answer(user, "bali", "rg")
    await answer(user, "denpasar", "pl")
    user.share_location(-8.6483, 115.2191)
    await user.expect("Lokasi diterima")
    await answer(user, secrets_of_report[4], "ed")
    await answer(user, "!ed:today", "ps")
    await answer(user, "!ps:yes", "sn")
    await answer(user, secrets_of_report[5], "cp")
    await answer(user, "!cp:no", "ev")
    user.send_document(
        b"%%" + secrets_of_report[9].encode() + os.urandom(64), "x.bin", "application/octet-stream"
    )
    await user.expect("Bukti 1 diterima")
    await say(user, secrets_of_report[7], "Bukti 2 diterima")
    await tap(user, "✅ Selesai", "identitas")
    user.press(user.bot_messages()[-1], "id:confidential")
    await user.expect("Nama lengkap")
    await say(user, secrets_of_report[0], "HP")
    user.send("0" + secrets_of_report[1])
    review = await user.expect(asks("rv"))
    user.press(review, next(d for _, d in buttons(review) if d.startswith("rv:send:")))
    filed = await user.expect("Nomor tiket: ")
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    staff = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan")
    user.mark()
    await say(staff, "Kami periksa bersama saksi.", "Pelapor diberi tahu")
    await user.expect("Kabar laporan Anda")
    await tap(user, "➕ Tambah informasi", "Kirim informasi tambahan")
    await say(user, secrets_of_report[8], "diteruskan")
    svc = svc_of(bot)
    await deliver_due(svc)
    await svc.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stolen = b"".join(
        path.read_bytes()
        for path in [*settings.database_path.parent.rglob("*"), *settings.evidence_path.rglob("*")]
        if path.is_file()
    )
    assert b"SQLite format 3" in stolen and ticket.encode() in stolen  # the scan sees the data
    for secret in secrets_of_report:
        assert secret.encode() not in stolen, secret
    # ... while the bot, with its key, still shows staff everything they need
    shown = await say(staff, f"/kasus {ticket}", "Kategori:")
    for secret in secrets_of_report[:6]:
        assert secret in str(shown["text"]) or secret not in secrets_of_report[:3], secret
    chat = await rows(settings, "SELECT reporter_chat_id, reporter_chat_enc FROM cases")
    assert chat[0][0] == 0 and opened(settings, chat[0][1]) == f"telegram:{user.chat_id}"
