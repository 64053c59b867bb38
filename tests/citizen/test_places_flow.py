"""Places and dates as people type them, through the fake Bot API: the regency named at the
province question, a place typed after a former province, "I don't remember" the date."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot.application import AnyApplication
from sandbox.fake_users import FakeUser, buttons
from tests.helpers import answer, asks, say, tap


async def up_to_the_province(
    user: FakeUser, description: str, category: str = "political_expression"
) -> None:
    await answer(user, "/lapor" if user.language_code == "id" else "/report", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, f"!k:{category}", "d")
    await answer(user, description, "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, "!pd:^skip", "pv")


async def finish(user: FakeUser, send: str) -> str:
    """From the place detail to the filed message (today, no service, no evidence, anonymous)."""
    await answer(user, "!pl:^skip", "ed")
    await answer(user, "!ed:today", "ps")
    await answer(user, "!ps:no", "ev")
    await answer(user, "!ev:none", "id")
    review = await answer(user, "!id:anonymous", "rv")
    data = next(d for _, d in buttons(review) if d.startswith("rv:send:"))
    user.press(review, data)
    filed = await user.expect(send)
    return str(filed["text"])


async def test_regency_first_in_indonesian(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await up_to_the_province(user, "Camat memakai mobil dinas untuk kampanye calon bupati kemarin.")
    proposal = await say(user, "lebak", "Kabupaten Lebak, Banten — benar?")
    assert [label for label, _ in buttons(proposal)][:2] == ["✅ Ya, benar", "✏️ Bukan"]
    await tap(user, "✏️ Bukan", "Ketik lagi namanya")
    await say(user, "kab. lebak", "Kabupaten Lebak, Banten — benar?")
    await tap(user, "✅ Ya, benar", "Tempat persisnya")  # the regency question is not asked
    text = await finish(user, "Nomor tiket:")
    assert "Lembaga berwenang: Bawaslu Kabupaten Lebak; Badan Kepegawaian Negara (BKN)" in text


async def test_regency_first_in_english_with_a_shared_name(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("en")
    await up_to_the_province(
        user, "An official posed with the candidate's hand sign at the office."
    )
    choose = await say(user, "serang", "Which one do you mean?")  # Kota and Kabupaten Serang
    labels = [label for label, _ in buttons(choose)]
    assert "Kabupaten Serang, Banten" in labels and "Kota Serang, Banten" in labels
    await tap(user, "Kota Serang, Banten", "The exact place")
    text = await finish(user, "Ticket number:")
    assert "Handled by: Bawaslu Kota Serang;" in text


async def test_a_place_typed_after_its_former_province(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await up_to_the_province(
        user, "Mobil dinas dipakai mengangkut spanduk calon gubernur.", "state_facilities"
    )
    await say(user, "Papua Barat", "di Papua Barat")
    user.send("Kota Sorong")
    moved = await user.expect(asks("pl"))
    assert "Kota Sorong ada di Provinsi Papua Barat Daya" in str(moved["text"])
    text = await finish(user, "Nomor tiket:")
    # the Ombudsman office follows the current province (Papua Barat Daya's is in Papua Barat)
    assert "Bawaslu Kota Sorong; Ombudsman RI Perwakilan Papua Barat;" in text
    review_place = "Kota Sorong, Papua Barat Daya"
    assert any(review_place in str(m.get("text")) for m in user.bot_messages())


async def test_a_typo_is_asked_not_taken_and_dates_people_do_not_remember(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await up_to_the_province(user, "Lurah membagikan sembako dengan stiker calon di balai desa.")
    await say(user, "jawa timr", "Maksud Anda Jawa Timur?")
    await tap(user, "✅ Ya, benar", "di Jawa Timur")
    await say(user, "surabya", "Maksud Anda Kota Surabaya?")
    await tap(user, "✅ Ya, benar", "Tempat persisnya")
    await answer(user, "!pl:^skip", "ed")
    await say(user, "ga tau", "Kira-kira kapan?")
    await tap(user, "Bulan ini", "pelayanan publik")
    await answer(user, "!ps:no", "ev")
    await answer(user, "!ev:none", "id")
    review = await answer(user, "!id:anonymous", "rv")
    assert "sekitar bulan ini (tanggal pastinya tidak diingat)" in str(review["text"])
    data = next(d for _, d in buttons(review) if d.startswith("rv:send:"))
    user.press(review, data)
    filed = await user.expect("Nomor tiket:")
    assert "batas 7 hari sejak Anda mengetahuinya tidak bisa kami periksa" in str(filed["text"])


async def test_explain_reads_places_the_same_way(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "x.db")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", "explain", "--category", "political_expression",
        "--person", "village", "--province", "lebak", "--event-date", "2026-11-26",
        "--report-date", "2026-11-28", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "Lembaga berwenang: Inspektorat Kabupaten Lebak" in out.decode()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", "explain", "--category", "political_expression",
        "--person", "asn", "--province", "D.I. Yogyakarta", "--regency", "gunung kidul",
        "--event-date", "2026-11-26", "--report-date", "2026-11-28", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "[rules applied:" in out.decode()


async def test_a_place_written_with_its_province_or_a_district(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await up_to_the_province(user, "Lurah memasang spanduk calon wali kota di kantor kelurahan.")
    await say(user, "kota serang, banten", "Tempat persisnya")  # one answer, both levels
    await answer(user, "!pl:^back", "pv")  # the regency question was answered with it
    chosen = await say(user, "serang banten", "Maksud Anda yang mana?")
    assert {"Kabupaten Serang", "Kota Serang"} <= {label for label, _ in buttons(chosen)}
    await say(user, "di kec. ciruas serang", "Kabupaten Serang — benar?")
    await tap(user, "✅ Ya, benar", "Tempat persisnya")
    text = await finish(user, "Nomor tiket:")
    assert "Bawaslu Kabupaten Serang" in text
