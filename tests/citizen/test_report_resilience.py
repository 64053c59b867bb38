"""Nothing lost, nothing doubled: restarts mid-report, double taps, odd input, back and cancel."""

from __future__ import annotations

from collections.abc import Callable

from bot.application import AnyApplication
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.settings import Settings
from tests.conftest import Clock, make_app
from tests.helpers import rows, say, tap, with_button


async def start_report(
    user: FakeUser, description: str = "Camat memakai mobil dinas untuk kampanye di alun-alun."
) -> None:
    await say(user, "/lapor", "Langkah 1 dari 9")
    await tap(user, "✅ Setuju, lanjut", "Apa yang terjadi?")
    await tap(user, "3. Fasilitas negara", "Ceritakan")
    await say(user, description, "Siapa")
    await tap(user, "ASN (PNS atau PPPK)", "nama")
    await say(user, "Pak Camat Ciruas", "Di provinsi mana?")


async def test_restart_mid_report_resumes_at_the_same_step(
    settings: Settings, fake: FakeTelegram, clock: Clock, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    async with running(make_app(settings, fake, clock), settings):
        await start_report(user)
        await say(user, "banten", "Di kabupaten/kota mana di Banten?")
    # The bot is down; the reporter keeps typing. Then a new process starts on the same database.
    user.send("kab serang")
    async with running(make_app(settings, fake, clock), settings):
        await user.expect("Tempat persisnya")
        await tap(user, "⏭ Lewati", "Kapan")
        await tap(user, "Hari ini", "pelayanan publik")
        await tap(user, "Tidak", "Kirim bukti")
        await tap(user, "Tidak ada bukti", "identitas")
        review = await tap(user, "🙈 Anonim", "Periksa laporan Anda")
        assert "Camat memakai mobil dinas untuk kampanye di alun-alun." in review["text"]
        assert "Pak Camat Ciruas" in review["text"]
        assert "Kabupaten Serang, Banten" in review["text"]
        filed = await tap(user, "📨 Kirim laporan", "Nomor tiket:")
        assert (
            "Lembaga berwenang: Bawaslu Kabupaten Serang; Ombudsman RI Perwakilan Banten"
            in filed["text"]
        )


async def reach_review(user: FakeUser) -> dict[str, object]:
    await start_report(user)
    await say(user, "bali", "kabupaten/kota")
    await say(user, "denpasar", "Tempat")
    await tap(user, "⏭ Lewati", "Kapan")
    await tap(user, "Hari ini", "pelayanan publik")
    await tap(user, "Tidak", "Kirim bukti")
    await tap(user, "Tidak ada bukti", "identitas")
    return await tap(user, "🙈 Anonim", "Periksa laporan Anda")


async def test_double_tap_on_send_files_one_case(
    bot: AnyApplication, settings: Settings, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    review = await reach_review(user)
    user.press(review, label="📨 Kirim laporan")
    user.press(review, label="📨 Kirim laporan")  # same batch of getUpdates: no await in between
    await user.expect("Nomor tiket:")
    await user.expect("sudah terkirim sebelumnya")
    assert await rows(settings, "SELECT COUNT(*) FROM cases") == [(1,)]
    tickets = [m["text"] for m in user.bot_messages() if "Nomor tiket:" in str(m.get("text"))]
    assert len(tickets) == 2 and tickets[0] == tickets[1]  # the same ticket shown again


async def test_send_after_a_lost_reply_is_not_filed_twice(
    bot: AnyApplication, fake: FakeTelegram, settings: Settings, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    review = await reach_review(user)
    send = dict(buttons(review))["📨 Kirim laporan"]
    fake.inject("sendMessage", "5xx", status=502, times=4)  # every retry of the decision fails
    user.press(review, send)
    await user.expect("Maaf, ada gangguan", timeout=15)  # the error handler apologises
    user.press(review, send, forge=True)  # a retry of the same press (e.g. a client resend)
    await user.expect("Nomor tiket:")
    assert await rows(settings, "SELECT COUNT(*) FROM cases") == [(1,)]


async def test_every_step_validates_and_goes_back(
    bot: AnyApplication, people: Callable[..., FakeUser], clock: Clock
) -> None:
    user = people("id")
    await say(user, "/lapor", "Langkah 1 dari 9")
    await say(user, "hmm", "Jawab dengan tombol «Setuju, lanjut»")  # the hint names the button
    await tap(user, "✅ Setuju, lanjut", "Langkah 2 dari 9")
    await say(user, "sesuatu yang aneh", "Pilih satu tombol di bawah yang paling mirip")
    await tap(user, "⬅️ Kembali", "Langkah 1 dari 9")
    await tap(user, "✅ Setuju, lanjut", "Apa yang terjadi?")
    await tap(user, "2. Ikut tim kampanye", "Ceritakan")
    user.send_sticker()
    await user.expect("ketik jawabannya sebagai teks")
    await say(user, "x" * 3001, "3001 huruf, 1 huruf lebih dari batas 3000")  # kept, not lost
    await say(user, "kembali", "Apa yang terjadi?")  # typed back works too
    await tap(user, "2. Ikut tim kampanye", "Ceritakan")
    await say(
        user, "Lurah menjadi ketua tim pemenangan salah satu calon walikota.", "Langkah 3 dari 9"
    )
    await say(user, "alien", "ketik jabatannya")
    await tap(user, "Kepala desa / perangkat desa / BPD", "nama, jabatan")
    await say(user, "y" * 301, "terlalu panjang")
    await tap(user, "⬅️ Kembali", "Siapa yang melakukannya?")
    await tap(user, "Kepala desa / perangkat desa / BPD", "nama, jabatan")
    await tap(user, "⏭ Lewati", "Langkah 4 dari 9")
    await say(user, "atlantis", 'Provinsi "atlantis" tidak saya temukan')
    await say(user, "Jawa Tengah", "di Jawa Tengah")
    offer = await say(user, "bandung", "Maksud Anda yang mana?")  # not here, but in Jawa Barat
    assert "Kota Bandung, Jawa Barat" in str(offer["reply_markup"])
    await say(user, "zzkqx", '"zzkqx" tidak saya temukan di Jawa Tengah')
    await tap(user, "⬅️ Kembali", "Di provinsi mana?")
    await say(user, "jateng", "di Jawa Tengah")
    await say(user, "semarang", "Maksud Anda yang mana?")
    await tap(user, "Kota Semarang", "Tempat persisnya")
    user.share_location(-6.9667, 110.4167)
    await user.expect("Lokasi diterima")
    await say(user, "besok lusa", "belum terjadi")
    await say(user, "1/1/2099", "belum terjadi")
    await say(user, "1/1/1990", "terlalu lama")
    await say(user, "1/11/2024", "Kapan Anda mengetahuinya?")  # 19 days before 20 November
    await tap(user, "⬅️ Kembali", "Kapan kejadiannya?")
    await tap(user, "Kemarin", "Langkah 6 dari 9")  # 1 day old: the learned date is not asked
    await say(user, "mungkin", "Jawab dengan tombol «Ya»")
    await say(user, "ya", "Layanan apa?")
    await tap(user, "⏭ Lewati", "Sudahkah Anda mengadu")
    await tap(user, "⬅️ Kembali", "Layanan apa?")
    await say(user, "surat keterangan domisili", "Sudahkah Anda mengadu")
    await say(user, "belum", "Langkah 7 dari 9")
    await say(user, "lihat saja sendiri", "kirim foto, video, dokumen")
    await tap(user, "Tidak ada bukti", "Langkah 8 dari 9")
    await say(user, "entahlah", "Jawab dengan tombol «Anonim")
    await tap(user, "🔒 Rahasia", "Nama lengkap Anda")
    await say(user, "A", "nama lengkap Anda (2 sampai 100 huruf)")
    await say(user, "Dewi Lestari", "Nomor HP Anda?")
    phone_prompt = user.bot_messages()[-1]
    assert (
        phone_prompt.get("_reply_keyboard", {}).get("keyboard", [[{}]])[0][0].get("request_contact")
    )
    user.share_contact("+6281111111111", user_id=999)  # someone else's contact card
    await user.expect("nomor Anda sendiri")
    await say(user, "kembali", "Nama lengkap Anda")
    await say(user, "Dewi Lestari", "Nomor HP Anda?")
    user.share_contact("+62 811-1111-1111")
    await user.expect("Nomor tersimpan: +6281111111111")
    review = await user.expect("Periksa laporan Anda")
    text = review["text"]
    for expected in (
        "Ikut tim kampanye",
        "Kepala desa",
        "Kota Semarang, Jawa Tengah",
        "📍 -6.96670, 110.41670",
        "19 November 2024",
        "surat keterangan domisili, belum mengadu",
        "Dewi Lestari, +6281111111111",
    ):
        assert expected in text, expected


async def test_change_a_part_from_the_review_returns_to_the_review(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await reach_review(user)
    await tap(user, "✏️ Tempat", "Di provinsi mana?")
    await say(user, "jatim", "kabupaten/kota")
    await say(user, "kota malang", "Tempat persisnya")
    review = await say(user, "Balai Kota", "Periksa laporan Anda")
    assert "Balai Kota, Kota Malang, Jawa Timur" in review["text"]
    await tap(user, "✏️ Waktu", "Kapan kejadiannya?")
    review = await tap(user, "Kemarin", "Periksa laporan Anda")
    assert "19 November 2024" in review["text"]
    filed = await tap(user, "📨 Kirim laporan", "Nomor tiket:")
    assert (
        "Lembaga berwenang: Bawaslu Kota Malang; Ombudsman RI Perwakilan Jawa Timur"
        in filed["text"]
    )


async def test_cancel_asks_first_and_then_deletes(
    bot: AnyApplication, settings: Settings, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await start_report(user)
    await say(user, "/batal", "Batalkan laporan ini?")
    await tap(user, "↩️ Tidak, lanjutkan", "Di provinsi mana?")
    await tap(user, "✖️ Batal", "Batalkan laporan ini?")
    await tap(user, "🗑 Ya, batalkan", "Laporan dibatalkan dan dihapus")
    assert await rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]
    await say(user, "/batal", "Tidak ada laporan yang sedang diisi")


async def test_language_switch_mid_report_asks_again(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await start_report(user)
    await say(user, "banten", "Di kabupaten/kota mana di Banten?")
    reply = await say(user, "/bahasa", "In which regency or city of Banten?")
    assert "Language changed to English." in reply["text"]
    assert "Step 4 of 9" in reply["text"]
    await say(user, "kota serang", "The exact place")
    await say(user, "/language", "Langkah 4 dari 9")


async def test_odd_input_keeps_the_draft(
    bot: AnyApplication, settings: Settings, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await start_report(user)
    message = user.send("Jawa Barat")
    await user.expect("di Jawa Barat")
    user.edit(message, "Jawa Timur")
    await user.expect("Pesan yang diubah tidak kami baca")
    user.send_sticker()
    await user.expect("ketik jawabannya sebagai teks")
    old_prompt = with_button(user, "📋 Daftar kabupaten/kota")
    consent = user.bot_messages()[0]  # asked consent; edited into the next question since
    user.press(consent, "c:yes", forge=True)  # a stale button from the first step
    await user.expect("Tombol itu dari pertanyaan sebelumnya")
    user.press(old_prompt, "rg:99.99", forge=True)  # tampered data
    await user.expect("Jawab dengan tombol «Daftar kabupaten/kota»")
    group = people("id", chat={"id": -1009, "type": "supergroup", "title": "Grup RT"})
    group.send("ada ASN kampanye")
    await group.expect("chat pribadi")
    await say(user, "bogor", "Maksud Anda yang mana?")
    assert {label for label, _ in buttons(user.bot_messages()[-1])} >= {
        "Kabupaten Bogor",
        "Kota Bogor",
    }


async def test_status_lookups(
    bot: AnyApplication, settings: Settings, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await say(user, "/status", "Belum ada laporan dari chat ini")
    await say(user, "/status halo", "Itu bukan nomor tiket")
    await say(user, "/status LN-7K3M-Q9TX-W2H0", "salah ketik")
    await reach_review(user)
    filed = await tap(user, "📨 Kirim laporan", "Nomor tiket:")
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    mine = await tap(user, "🔎 Cek status", "Laporan dari chat ini")
    assert any(ticket in label for label, _ in buttons(mine))
    status = await tap(user, f"{ticket} · Dirujuk", "Status laporan")
    assert (
        "Lembaga berwenang: Bawaslu Kota Denpasar; Ombudsman RI Perwakilan Bali;"
        " Badan Kepegawaian Negara (BKN)" in status["text"]
    )
    assert "Pak Camat" not in status["text"]  # never the case's details or the reporter's identity


async def test_status_lookups_are_rate_limited(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> None:
    settings = settings_factory(status_lookups_per_hour=3)
    async with running(make_app(settings, fake, clock), settings):
        user = people("en")
        for _ in range(3):
            await say(user, "/status LN-0000-0000-0000", "not found")
        await say(user, "/status LN-0000-0000-0000", "Too many status checks")
        other = people("en")
        await say(other, "/status LN-0000-0000-0000", "not found")  # other chats are not limited


async def test_untouched_drafts_are_reminded_once_then_deleted(
    bot: AnyApplication, settings: Settings, clock: Clock, people: Callable[..., FakeUser]
) -> None:
    import datetime as dt

    from telegram.ext import CallbackContext

    from bot.jobs import expire_drafts

    user = people("id")
    await start_report(user)
    job_context = CallbackContext(bot)
    clock.now += dt.timedelta(hours=71)
    await expire_drafts(job_context)
    assert not any("belum selesai" in str(m.get("text")) for m in user.bot_messages())
    clock.now += dt.timedelta(hours=2)
    user.mark()
    await expire_drafts(job_context)
    reminder = await user.expect("Laporan Anda belum selesai (langkah 4 dari 9)")
    await expire_drafts(job_context)  # reminded once only
    assert sum("belum selesai" in str(m.get("text")) for m in user.bot_messages()) == 1
    await tap(user, "▶️ Lanjutkan", "Di provinsi mana?")  # touching the draft restarts its clock
    assert reminder
    clock.now += dt.timedelta(hours=73)
    await expire_drafts(job_context)
    await user.expect("Laporan Anda belum selesai")
    clock.now += dt.timedelta(hours=73)
    user.mark()
    await expire_drafts(job_context)
    await user.expect("sudah dihapus karena lama tidak dilanjutkan")
    assert await rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_tickets_cannot_be_enumerated(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    """100 guessed tickets from one chat: typos are caught by the check character, well-formed
    guesses are not found, and after 20 lookups in an hour the chat is refused."""
    import secrets

    from conversations.tickets import RANDOM_BITS, make_ticket

    user = people("id")
    answers = []
    for _ in range(100):
        user.mark()
        user.send(f"/status {make_ticket('LN', secrets.randbits(RANDOM_BITS))}")
        reply = await user.expect(lambda m: True)
        answers.append(str(reply["text"]))
    assert sum("tidak ditemukan" in a for a in answers) == 20
    assert sum("Terlalu banyak pengecekan" in a for a in answers) == 80
    typo = await say(user, "/status LN-7K3M-Q9TX-W2H0", "salah ketik")  # checked before the limit
    assert typo


async def test_the_apology_comes_in_the_language_the_chat_chose(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")  # Telegram says Indonesian; the reporter switches to English
    await say(user, "/language", "Language changed to English.")
    await say(user, "/report", "Step 1 of 9")
    fake.inject("sendMessage", "5xx", status=502, times=4)  # every retry of the answer fails
    user.send("hello")
    await user.expect("Sorry, something went wrong on our side.", timeout=15)
