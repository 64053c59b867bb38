"""Whole reports over HTTP, as people file them: buttons and typing, both languages, status."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from bot.application import AnyApplication
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.settings import Settings
from tests.conftest import Clock
from tests.helpers import jpeg_with_gps, opened, opened_file, plain_jpeg, rows, say, tap

TICKET = re.compile(r"(?:Nomor tiket|Ticket number): (LN-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def ticket_of(message: dict[str, object]) -> str:
    found = TICKET.search(str(message["text"]))
    assert found, message["text"]
    return found.group(1)


async def check_status(user: FakeUser, ticket: str, status_words: str) -> None:
    """Look the ticket up typed in lower case with spaces instead of dashes."""
    typed = ticket.lower().replace("-", " ")
    reply = await say(user, f"/status {typed}", "Status")
    assert ticket in reply["text"]
    assert status_words in reply["text"]


async def test_dukcapil_refusal_in_serang_in_indonesian(
    bot: AnyApplication,
    people: Callable[..., FakeUser],
    settings: Settings,
    clock: Clock,
    fake: FakeTelegram,
) -> None:
    """An ID-card office in Kota Serang delays documents for backers of the 'wrong' candidate."""
    clock.set_local(2024, 2, 12)
    user = people("id", "Siti")
    await say(user, "/lapor", "Langkah 1 dari 9")
    await tap(user, "✅ Setuju, lanjut", "Apa yang terjadi?")
    await tap(user, "4. Layanan dikaitkan pilihan", "Ceritakan kejadiannya")
    await say(user, "pendek", "terlalu singkat")
    await say(
        user,
        "Petugas Dukcapil menahan KTP warga yang memasang stiker paslon nomor 2 <b>sejak Senin</b>.",
        "Siapa yang melakukannya?",
    )
    await tap(user, "ASN (PNS atau PPPK)", "nama, jabatan, dan instansinya")
    await say(user, "Pak R, petugas loket, Disdukcapil Kota Serang", "Di provinsi mana?")
    await say(user, "banten", "Di kabupaten/kota mana")
    await say(user, "kota serang", "Tempat persisnya")
    await tap(user, "⏭ Lewati", "Kapan kejadiannya?")
    await say(
        user, "10/2/2024", "Apakah ini terjadi saat pelayanan publik"
    )  # 2 days ago: no learned date
    await tap(user, "Ya", "Layanan apa?")
    await say(user, "pembuatan KTP", "Sudahkah Anda mengadu")
    await tap(user, "Belum", "Kirim bukti")
    user.send_photo(plain_jpeg())
    await user.expect("Bukti 1 diterima: foto")
    await tap(user, "✅ Selesai", "Bagaimana identitas Anda?")
    review = await tap(user, "🙈 Anonim", "Periksa laporan Anda")
    assert "&lt;b&gt;sejak Senin&lt;/b&gt;" not in review["text"]  # shown as typed, escaped on send
    assert "<b>sejak Senin</b>" in review["text"]
    assert "Kota Serang, Banten" in review["text"]
    filed = await tap(user, "📨 Kirim laporan", "Nomor tiket:")
    text = filed["text"]
    assert "Lembaga berwenang: Bawaslu Kota Serang; Ombudsman RI Perwakilan Banten" in text
    assert "17 Februari 2024" in text  # Bawaslu's 7 days
    assert "mengadu dulu" in text  # Ombudsman wants a complaint to the agency first
    # No staff member of any body covers Banten here: nothing reaches anyone through the bot,
    # so the reporter is told where to go, and the case is "referred", not "received".
    assert "Status: Dirujuk" in text and "Laporkan sendiri ke" in text
    assert "telepon 137" in text and "bkn.go.id" in text
    ticket = ticket_of(filed)
    await check_status(user, ticket, "Dirujuk")
    stored = [
        (opened(settings, row[0]), *row[1:])
        for row in await rows(
            settings,
            "SELECT description_enc, regency_code, public_service, identity_mode,"
            " reporter_name_enc FROM cases",
        )
    ]
    assert stored == [
        (
            "Petugas Dukcapil menahan KTP warga yang memasang stiker paslon nomor 2 <b>sejak Senin</b>.",
            "36.73",
            "yes",
            "anonymous",
            None,
        )
    ]
    assert await rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_official_car_in_bekasi_in_english_with_confidential_identity(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    """A civil servant uses the office car for a rally in Kota Bekasi; the reporter stays confidential."""
    user = people("en", "Andi")
    await say(user, "/report", "Step 1 of 9")
    await say(user, "yes", "What happened?")
    await say(user, "state facilities", "Describe what happened")
    await say(
        user,
        "The head of the sub-district used the red-plated office car to carry campaign banners.",
        "Who did it?",
    )
    await say(user, "civil servant", "name, position and agency")
    await say(user, "skip", "In which province?")
    await say(user, "jabar", "In which regency or city")
    choose = await say(user, "bekasi", "Which one do you mean?")
    assert "Kabupaten Bekasi" in str(choose["reply_markup"]) and "Kota Bekasi" in str(
        choose["reply_markup"]
    )
    await tap(user, "Kota Bekasi", "The exact place")
    await say(user, "Jl. Ahmad Yani, in front of the mayor's office", "When did it happen?")
    await tap(user, "Yesterday", "Did it happen during a public service")
    await tap(user, "No", "Send evidence")
    await tap(user, "No evidence", "How should we treat your identity?")
    await tap(user, "🔒 Confidential", "Your full name")
    await say(user, "Andi Pratama", "Your phone number?")
    user.share_contact("6281298765432")
    await user.expect("Number saved: +6281298765432")
    review = await user.expect("Check your report")
    assert "Andi Pratama, +6281298765432" in review["text"]
    filed = await tap(user, "📨 Send report", "Ticket number:")
    assert "Handled by: Bawaslu Kota Bekasi; Ombudsman RI Perwakilan Jakarta Raya" in filed["text"]
    await check_status(user, ticket_of(filed), "Referred")
    if settings.database_url_text:  # PostgreSQL: everything the cases table holds
        raw = repr(await rows(settings, "SELECT * FROM cases")).encode()
    else:
        raw = b"".join(p.read_bytes() for p in settings.database_path.parent.glob("lapor.db*"))
    for secret in (b"Andi Pratama", b"6281298765432", b"81298765432"):
        assert secret not in raw  # name and phone are encrypted at rest


async def test_vote_buying_by_a_private_person_is_not_a_neutrality_case(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    """A businessman hands out envelopes at a market: neither body handles it as neutrality."""
    user = people("id")
    await say(user, "/lapor", "Langkah 1 dari 9")
    await tap(user, "✅ Setuju, lanjut", "Apa yang terjadi?")
    await say(user, "6", "Ceritakan kejadiannya")  # typed number of "Pengerahan massa"
    await say(user, "Seorang pengusaha membagikan amplop berisi uang di pasar pagi tadi.", "Siapa")
    await tap(user, "Bukan pejabat", "nama, jabatan")
    await tap(user, "⏭ Lewati", "Di provinsi mana?")
    await say(user, "Sumatera Utara", "Di kabupaten/kota mana")
    await say(user, "medan", "Tempat persisnya")
    await say(user, "lewati", "Kapan kejadiannya?")
    await tap(user, "Hari ini", "pelayanan publik")
    await say(user, "tidak", "Kirim bukti")
    await say(user, "https://example.org/video/123 ini videonya", "Bukti 1 diterima: tautan")
    await tap(user, "✅ Selesai", "Bagaimana identitas Anda?")
    await say(user, "anonim", "Periksa laporan Anda")
    filed = await say(user, "kirim", "Nomor tiket:")
    assert "Lembaga berwenang: tidak ada (lihat saran di bawah)" in filed["text"]
    assert "politik uang" in filed["text"]


async def test_village_head_mobilisation_with_learned_date_in_english(
    bot: AnyApplication, people: Callable[..., FakeUser], clock: Clock
) -> None:
    """Residents were ordered to a rally; the reporter learned of it days later."""
    clock.set_local(2024, 11, 20)
    user = people("en")
    await say(user, "/report", "Step 1 of 9")
    await tap(user, "✅ I agree, continue", "What happened?")
    await tap(user, "6. Mobilisation", "Describe")
    await say(
        user,
        "The village head ordered all RT heads to bring residents to the rally and gave them rice.",
        "Who",
    )
    await tap(user, "Village head / village official / BPD", "name, position")
    await say(user, "Kades Sukamaju", "In which province?")
    await say(user, "Jawa Timur", "regency or city")
    await say(user, "Surabya", "Did you mean Kota Surabaya?")  # a typo: asked, not taken
    await tap(user, "✅ Yes", "The exact place")
    await tap(user, "⏭ Skip", "When did it happen?")
    await say(user, "14 Nov 2024", "When did you learn of it?")
    await say(user, "13 Nov 2024", "before it happened")
    await tap(user, "Yesterday", "public service")
    await tap(user, "Not sure", "Send evidence")
    await tap(user, "No evidence", "identity")
    await tap(user, "🙈 Anonymous", "Check your report")
    filed = await tap(user, "📨 Send report", "Ticket number:")
    text = filed["text"]
    assert "Handled by: Bawaslu Kota Surabaya; Ombudsman RI Perwakilan Jawa Timur" in text
    assert "26 November 2024" in text  # 7 days from learning on 19 November
    assert "regent or mayor" in text


async def test_outside_every_election_stage_in_indonesian(
    bot: AnyApplication, people: Callable[..., FakeUser], clock: Clock
) -> None:
    """An ASN campaigns on social media in November 2026, when no stage is running."""
    clock.set_local(2026, 11, 28)
    user = people("id")
    await say(user, "/lapor", "Langkah 1")
    await tap(user, "✅ Setuju, lanjut", "Apa yang terjadi?")
    await tap(user, "1. Ekspresi politik", "Ceritakan")
    await say(
        user, "Guru PNS mengunggah foto pose dua jari bersama calon bupati di Facebook.", "Siapa"
    )
    await tap(user, "ASN (PNS atau PPPK)", "nama")
    await tap(user, "⏭ Lewati", "provinsi")
    await tap(user, "📋 Daftar provinsi", "Pilih dari daftar")
    await tap(user, "Bali", "kabupaten/kota")
    await tap(user, "🤷 Tidak tahu", "Tempat persisnya")
    await tap(user, "⏭ Lewati", "Kapan")
    await tap(user, "Kemarin", "pelayanan publik")
    await tap(user, "Tidak", "Kirim bukti")
    await tap(user, "Tidak ada bukti", "identitas")
    await tap(user, "🙈 Anonim", "Periksa")
    filed = await tap(user, "📨 Kirim laporan", "Nomor tiket:")
    text = filed["text"]
    # Between elections Bawaslu cannot act, but BKN can: it is named first, then why, then
    # what does not apply; nothing says "no body" or contradicts it.
    assert "Lembaga berwenang: Badan Kepegawaian Negara (BKN)\n" in text
    assert text.index("BKN mengawasi netralitas") < text.index("Bawaslu tidak dapat menanganinya")
    assert "ranah Bawaslu" not in text and "tidak ada (lihat" not in text
    assert "Pejabat Pembina Kepegawaian" in text and "bkn.go.id" in text


async def test_soldier_in_jayapura_with_open_identity_and_typed_phone(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    """A TNI member wears a candidate's T-shirt at a rally; the reporter is open and types the phone."""
    user = people("en")
    await say(user, "/report", "Step 1")
    await tap(user, "✅ I agree, continue", "What happened?")
    await tap(user, "1. Political expression", "Describe")
    await say(user, "A soldier in uniform wore a candidate's T-shirt on stage at the rally.", "Who")
    await tap(user, "Armed forces (TNI)", "name")
    await tap(user, "⏭ Skip", "province")
    await say(user, "papua", "regency")
    await say(user, "Kota Jayapura", "exact place")
    await tap(user, "⏭ Skip", "When")
    await tap(user, "Today", "public service")
    await tap(user, "No", "evidence")
    await tap(user, "No evidence", "identity")
    await tap(user, "👤 Open", "full name")
    await say(user, "Yohanes Wenda", "phone number")
    await say(user, "12345", "does not look valid")
    await say(user, "0812 3456 7890", "Number saved: +6281234567890")
    await user.expect("Check your report")
    filed = await tap(user, "📨 Send report", "Ticket number:")
    assert "Handled by: Bawaslu Kota Jayapura" in filed["text"]
    assert "Military Police" in filed["text"]
    await check_status(user, ticket_of(filed), "Referred")


async def test_evidence_photo_and_document_are_hashed_and_cleaned(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings, fake: FakeTelegram
) -> None:
    user = people("id")
    await say(user, "/lapor", "Langkah 1")
    await tap(user, "✅ Setuju, lanjut", "Apa yang terjadi?")
    await tap(user, "3. Fasilitas negara", "Ceritakan")
    await say(user, "Mobil dinas kecamatan dipakai mengangkut spanduk kampanye.", "Siapa")
    await tap(user, "ASN (PNS atau PPPK)", "nama")
    await tap(user, "⏭ Lewati", "provinsi")
    await say(user, "DIY", "kabupaten/kota")
    await say(user, "sleman", "Tempat")
    await tap(user, "⏭ Lewati", "Kapan")
    await tap(user, "Hari ini", "pelayanan publik")
    await tap(user, "Tidak", "Kirim bukti")
    photo = plain_jpeg()
    user.send_photo(photo)
    await user.expect("Bukti 1 diterima: foto")
    document = jpeg_with_gps()
    user.send_document(document, "IMG_2024.jpg", "image/jpeg")
    confirmation = await user.expect("Bukti 2 diterima: dokumen")
    assert "Data lokasi dan perangkat di file ini sudah kami hapus" in confirmation["text"]
    user.send_document(document, "IMG_2024.jpg", "image/jpeg")
    await user.expect("sudah Anda kirim sebelumnya")
    await tap(user, "✅ Selesai", "identitas")
    await tap(user, "🙈 Anonim", "Periksa")
    await tap(user, "📨 Kirim laporan", "Nomor tiket:")
    evidence = await rows(
        settings,
        "SELECT kind, size_bytes, sha256_received, sha256_stored, stored_path, metadata_removed,"
        " case_id IS NOT NULL FROM evidence ORDER BY id",
    )
    assert [e[0] for e in evidence] == ["photo", "document"]
    served = {f.file_id: f.data for f in fake.files.values()}
    assert evidence[0][2] == hashlib.sha256(photo).hexdigest() and photo in served.values()
    assert evidence[1][2] == hashlib.sha256(document).hexdigest()
    assert evidence[1][1] == len(document)
    cleaned = opened_file(settings, evidence[1][4])
    assert evidence[1][3] == hashlib.sha256(cleaned).hexdigest() != evidence[1][2]
    assert b"PhoneMaker" not in cleaned and b"PhoneMaker" in document
    assert evidence[1][5] == 1 and evidence[0][5] == 0
    assert all(e[6] for e in evidence)
    assert opened_file(settings, evidence[0][4]) == photo
    assert photo not in Path(evidence[0][4]).read_bytes()  # the file at rest is encrypted
