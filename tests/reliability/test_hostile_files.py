"""Files an attacker (or an unlucky phone) sends: lying sizes, image bombs, damaged and odd
formats. Nothing crashes, nothing oversized is kept, and metadata that stays is declared."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pillow_heif
from PIL import Image
from pypdf import PdfReader, PdfWriter

from bot.application import AnyApplication
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.evidence import MAX_PDF_PAGES, MAX_PIXELS, ON_LOOP_BYTES, clean_file, glance
from service.settings import Settings
from tests.conftest import Clock, make_app
from tests.helpers import (
    answer,
    file_report,
    jpeg_with_gps,
    opened_file,
    plain_jpeg,
    rows,
    say,
    tap,
    to_evidence,
)


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "S", 2: (6.0, 7.0, 30.0), 3: "E", 4: (106.0, 9.0, 0.0)}
    return exif.tobytes()


async def test_a_lying_size_is_cut_off_at_the_bytes_received(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock,
    people: Callable[..., FakeUser],
) -> None:  # fmt: skip
    settings = settings_factory(max_evidence_mb=1)
    async with running(make_app(settings, fake, clock), settings):
        user = people("id")
        await to_evidence(user)
        user.send_document(os.urandom(3 * 1024 * 1024), "rekaman.bin", "application/octet-stream",
                           declared_size=1000)  # fmt: skip
        refused = await user.expect("terlalu besar")
        assert "1.0 MB" in str(refused["text"]) or "MB" in str(refused["text"])
        assert await rows(settings, "SELECT COUNT(*) FROM evidence") == [(0,)]
        stored = list(settings.evidence_path.rglob("*")) if settings.evidence_path.exists() else []
        assert not [p for p in stored if p.is_file()]


async def test_an_image_bomb_is_refused_politely(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    bomb = io.BytesIO()
    Image.new("1", (9400, 9400)).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 400_000 and MAX_PIXELS < 9400 * 9400
    user = people("en")
    await to_evidence(user, "The sub-district head put up a candidate's banner at the office.")
    user.send_document(bomb.getvalue(), "poster.png", "image/png")
    await user.expect("too large to process")
    assert await rows(settings, "SELECT COUNT(*) FROM evidence") == [(0,)]


async def test_a_pdf_of_too_many_pages_is_refused_before_any_work(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    writer = PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=72, height=72)
    book = io.BytesIO()
    writer.write(book)
    user = people("id")
    await to_evidence(user)
    user.send_document(book.getvalue(), "lampiran.pdf", "application/pdf")
    await user.expect("terlalu besar untuk kami periksa")
    assert await rows(settings, "SELECT COUNT(*) FROM evidence") == [(0,)]
    small = PdfWriter()
    small.add_blank_page(width=72, height=72)
    ok = io.BytesIO()
    small.write(ok)
    user.send_document(ok.getvalue(), "surat.pdf", "application/pdf")
    await user.expect("Bukti 1 diterima")  # the same reporter goes on


async def test_metadata_that_stays_is_declared_and_the_file_can_be_dropped(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    user = people("id")
    await to_evidence(user)
    truncated = jpeg_with_gps()[:-200]  # a phone that stopped writing: the GPS is still there
    user.send_document(truncated, "foto_rusak.jpg", "image/jpeg")
    warned = await user.expect("tidak bisa kami hapus")
    assert any(label == "🗑 Hapus bukti ini" for label, _ in buttons(warned))
    stored = await rows(settings, "SELECT stored_path FROM evidence")
    assert len(stored) == 1 and Path(stored[0][0]).exists()
    await tap(user, "🗑 Hapus bukti ini", "Bukti itu sudah dihapus")
    assert await rows(settings, "SELECT COUNT(*) FROM evidence") == [(0,)]
    assert not Path(stored[0][0]).exists()
    review_ready = await answer(user, "!ev:none", "id")
    assert review_ready


async def test_pdf_gif_and_heic_metadata_is_removed(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Budi Pelapor", "/Creator": "HP Kantor Camat"})
    pdf = io.BytesIO()
    writer.write(pdf)
    gif = io.BytesIO()
    Image.new("P", (20, 20)).save(gif, format="GIF", comment=b"dibuat oleh Budi Pelapor")
    heic = pillow_heif.from_pillow(Image.new("RGB", (40, 30), (200, 10, 10)))
    heic_bytes = io.BytesIO()
    heic.save(heic_bytes, exif=gps_exif())
    user = people("id")
    await to_evidence(user)
    for data, name, mime in (
        (pdf.getvalue(), "surat.pdf", "application/pdf"),
        (gif.getvalue(), "animasi.gif", "image/gif"),
        (heic_bytes.getvalue(), "IMG_0001.HEIC", "image/heic"),
    ):
        user.send_document(data, name, mime)
        await user.expect("Data lokasi dan perangkat")
    files = [
        opened_file(settings, r[0])
        for r in await rows(settings, "SELECT stored_path FROM evidence ORDER BY id")
    ]
    assert len(files) == 3
    cleaned_pdf = PdfReader(io.BytesIO(files[0]))
    assert not (cleaned_pdf.metadata or {}).get("/Author")
    assert b"Budi Pelapor" not in files[0] and b"Budi Pelapor" not in files[1]
    with Image.open(io.BytesIO(files[2])) as photo:
        assert photo.format == "JPEG" and not photo.getexif()


def test_damaged_files_never_raise() -> None:
    for data in (
        b"RIFF\x20\x00\x00\x00WEBPVP8X" + b"\xff" * 40 + b"EXIF" + b"\x00" * 30,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
        b"%PDF-1.7\n" + os.urandom(300),
        b"GIF89a" + os.urandom(60),
        os.urandom(2000),
    ):
        cleaned = clean_file(data, "document", "application/octet-stream")
        assert cleaned.data  # kept as sent when it cannot be cleaned ...
        assert cleaned.removed or cleaned.may_remain or cleaned.data == data


async def test_additions_to_a_filed_case_are_limited(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock,
    people: Callable[..., FakeUser],
) -> None:  # fmt: skip
    from tests.helpers import add

    settings = settings_factory(max_additions_per_case=2)
    async with running(make_app(settings, fake, clock), settings) as app:
        await add(app, 8501, "bawaslu", "51")
        reporter = people("id")
        ticket = await file_report(
            reporter, category="political_expression", person="asn", province="bali",
            regency="denpasar",
        )  # fmt: skip
        staff = FakeUser(fake, 8501, "Bawaslu Bali", "id")
        await say(staff, f"/kasus {ticket}", "Kategori:")
        await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan")
        reporter.mark()
        await say(staff, "Kami periksa.", "Pelapor diberi tahu")
        await reporter.expect("Kabar laporan Anda")
        await tap(reporter, "➕ Tambah informasi", "Kirim informasi tambahan")
        await say(reporter, "Tambahan pertama.", "diteruskan")
        await say(reporter, "Tambahan kedua.", "diteruskan")
        await say(reporter, "Tambahan ketiga.", "batas kami")
        assert await rows(
            settings,
            "SELECT COUNT(*) FROM case_events WHERE action = 'reporter_info'",
        ) == [(2,)]


async def test_a_report_has_a_total_for_all_its_files(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock,
    people: Callable[..., FakeUser],
) -> None:  # fmt: skip
    settings = settings_factory(max_evidence_mb=1, max_case_evidence_mb=1)
    async with running(make_app(settings, fake, clock), settings):
        user = people("id")
        await to_evidence(user)
        user.send_document(os.urandom(600_000), "a.bin", "application/octet-stream")
        await user.expect("Bukti 1 diterima")
        user.send_document(os.urandom(600_000), "b.bin", "application/octet-stream")
        await user.expect("terlalu besar")  # 600 KB declared, 448 KB left of the total
        # a file that lies about its size is cut off at what is left, not at 1 MB
        user.send_document(
            os.urandom(600_000), "c.bin", "application/octet-stream", declared_size=1000
        )
        await user.expect("terlalu besar")
        assert await rows(settings, "SELECT COUNT(*) FROM evidence") == [(1,)]


def test_the_quick_look_on_the_event_loop_passes_only_clean_small_jpegs() -> None:
    clean = plain_jpeg()
    seen = glance(clean)
    assert seen is not None and seen.data == clean
    assert not seen.removed and not seen.may_remain
    assert seen == clean_file(clean, "photo", "image/jpeg")  # the same verdict as the thread's
    commented = io.BytesIO()
    Image.new("RGB", (40, 30)).save(commented, format="JPEG", comment=b"Budi Pelapor")
    huge = io.BytesIO()
    Image.new("L", (8, 8)).save(huge, format="JPEG")
    # the frame header's height and width, claimed as 7,000 x 7,000 pixels
    bomb = huge.getvalue().replace(b"\x00\x08\x00\x08", b"\x1b\x58\x1b\x58", 1)
    for needs_the_thread in (
        jpeg_with_gps(),  # EXIF: decoded and saved again in a thread
        jpeg_with_gps()[:-200],  # damaged: the thread says what may remain
        commented.getvalue(),
        bomb,  # refused in the thread, with the reason the reporter is told
        clean + b"\x00" * ON_LOOP_BYTES,  # too big to look at on the loop
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
        b"\xff\xd8\xff" + os.urandom(500),
    ):
        assert glance(needs_the_thread) is None
