"""The filing packet over HTTP: a full report with evidence, the questions the forms need, one
PDF per body read back field by field, the staff copy without identity, a page as an image."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader

from bot.application import AnyApplication
from sandbox.fake_api import JSON, FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.settings import Settings
from tests.helpers import add, answer, file_full_report, rows, say, tap, to_evidence

BANTEN_OMBUDSMAN = 8301


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, with line breaks and runs of spaces made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def documents(user: FakeUser, fake: FakeTelegram) -> dict[str, bytes]:
    """The PDFs the bot sent to this user, by file name."""
    found = {}
    for message in user.bot_messages():
        document = message.get("document")
        if document and str(document.get("file_name", "")).endswith(".pdf"):
            found[str(document["file_name"])] = fake.files[document["file_id"]].data
    return found


async def wait_documents(user: FakeUser, fake: FakeTelegram, count: int) -> dict[str, bytes]:
    """Wait until the bot has sent this user `count` PDFs."""
    for _ in range(400):
        found = documents(user, fake)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(documents(user, fake))} of {count} PDFs arrived")


async def test_the_packet_for_bawaslu_ombudsman_and_bkn(
    bot: AnyApplication,
    fake: FakeTelegram,
    people: Callable[..., FakeUser],
    settings: Settings,
    tmp_path: Path,
) -> None:
    await add(bot, BANTEN_OMBUDSMAN, "ombudsman", "36")
    reporter = people("id")
    filed = await file_full_report(reporter)
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    assert ("📄 Berkas laporan resmi", f"pk:{ticket}") in buttons(filed)

    await tap(reporter, "📄 Berkas laporan resmi", "Siapa saksinya?")
    await say(reporter, "Budi Santoso, Jl. Melati 3 Serang, 0812 0000 1111", "Penyelesaian apa")
    await say(reporter, "KTP saya diterbitkan tanpa syarat dan petugas ditegur.", "Menyiapkan")
    pdfs = await wait_documents(reporter, fake, 3)
    assert sorted(pdfs) == [f"{ticket}-{body}.pdf" for body in ("bawaslu", "bkn", "ombudsman")]

    hashes = await rows(
        settings,
        "SELECT sha256_stored, sha256_received FROM evidence WHERE case_id IS NOT NULL ORDER BY id",
    )
    bawaslu = pdf_text(pdfs[f"{ticket}-bawaslu.pdf"])
    for expected in (
        "Model B.1",
        "Perbawaslu 7/2022",
        "Bawaslu Kota Serang",
        ticket,
        "Siti Aminah",  # the reporter's own copy: identity as given
        "+6281311112222",
        "Pak Rudi, petugas loket, Disdukcapil Kota Serang",
        "ASN (PNS atau PPPK)",
        "Layanan dikaitkan pilihan",
        "Kantor Disdukcapil, Jl. Jenderal Sudirman, Kota Serang, Banten",
        "19 November 2024",  # the event (yesterday)
        "26 November 2024",  # Bawaslu's last safe day
        "Budi Santoso, Jl. Melati 3 Serang, 0812 0000 1111",
        "Petugas loket Disdukcapil menahan KTP",
        "Tempat/tanggal lahir",  # asked on the form, never in the chat: a blank line
        "certutil -hashfile",
    ):
        assert expected in bawaslu, expected
    for stored, _ in hashes:
        assert stored in bawaslu.replace(" ", "")
    # the phone photo lost its metadata: both its stored and its original hash are listed
    assert any(stored != received for stored, received in hashes)
    assert all(received in bawaslu.replace(" ", "") for _, received in hashes)

    ombudsman = pdf_text(pdfs[f"{ticket}-ombudsman.pdf"])
    for expected in (
        "Ombudsman RI Perwakilan Banten",
        "UU 37/2008",
        "pembuatan KTP",
        "Sudah",  # complained to the agency first
        "KTP saya diterbitkan tanpa syarat dan petugas ditegur.",
        "Siti Aminah",
        "Tanggapan instansi",  # to fill in by hand
    ):
        assert expected in ombudsman, expected
    assert "Budi Santoso" not in ombudsman  # witnesses belong to Bawaslu's form

    bkn = pdf_text(pdfs[f"{ticket}-bkn.pdf"])
    for expected in ("Badan Kepegawaian Negara (BKN)", "NIP", "Pak Rudi", "Siti Aminah", ticket):
        assert expected in bkn, expected

    for data in pdfs.values():
        reader = PdfReader(io.BytesIO(data))
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
        fonts = {
            str(font["/BaseFont"])
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()  # type: ignore[index,union-attr]
        }
        assert fonts and all("DejaVu" in name for name in fonts)  # embedded, not a base font

    # A page rendered as an image, as a person would look at it.
    page = pypdfium2.PdfDocument(pdfs[f"{ticket}-bawaslu.pdf"])[0]
    image = page.render(scale=1).to_pil()
    image.save(tmp_path / "bawaslu-page-1.png")
    with Image.open(tmp_path / "bawaslu-page-1.png") as png:
        assert abs(png.size[0] - 595) <= 1 and abs(png.size[1] - 842) <= 1  # A4 at 72 dpi
        assert png.convert("L").getextrema()[0] < 50  # there is dark text on the page

    # Asked again: the answers are kept, the same packet comes at once.
    reporter.mark()
    await tap(reporter, "📄 Berkas laporan resmi", "Menyiapkan")
    assert await rows(settings, "SELECT COUNT(*) FROM packet_sessions") == [(0,)]
    stored = await rows(settings, "SELECT packet_answers_enc FROM cases")
    assert b"Budi Santoso" not in stored[0][0]  # encrypted at rest

    # Staff who may see the case get the same form without the reporter's identity.
    staff = FakeUser(fake, BANTEN_OMBUDSMAN, "Ombudsman Banten", "id")
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "📄 Berkas Ombudsman RI", "Menyiapkan")
    copy = pdf_text((await wait_documents(staff, fake, 1))[f"{ticket}-ombudsman.pdf"])
    assert "Salinan petugas" in copy and "KTP saya diterbitkan" in copy
    assert "Siti Aminah" not in copy and "6281311112222" not in copy


async def test_packet_questions_are_skippable_and_only_for_ones_own_case(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    reporter = people("en")
    filed = await file_full_report_en(reporter)
    ticket = str(filed["text"]).split("Ticket number: ")[1].split("\n")[0]
    await tap(reporter, "📄 Official report file", "Who are the witnesses?")
    await tap(reporter, "⏭ Skip", "What remedy do you ask for?")
    reporter.mark()
    await tap(reporter, "⏭ Skip", "Preparing the files")
    pdfs = await wait_documents(reporter, fake, 2)
    text = pdf_text(pdfs[f"{ticket}-bawaslu.pdf"])
    assert "Saksi-saksi / Witnesses" in text  # English glosses for an English reader
    assert "Budi" not in text and "Anonymous" not in text
    assert "Pelapor, / Reporter," in text
    # someone else pressing a forged packet button for that ticket gets nothing
    stranger = people("id")
    welcome = await say(stranger, "/start", "Selamat datang")
    stranger.press(welcome, f"pk:{ticket}", forge=True)
    await stranger.expect("Tombol itu sudah tidak berlaku")
    assert documents(stranger, fake) == {}
    # the status of one's own ticket offers the packet; someone else's does not
    own = await say(reporter, f"/status {ticket}", "Report status")
    assert any(data == f"pk:{ticket}" for _, data in buttons(own))
    other = await say(stranger, f"/status {ticket}", "Status laporan")
    assert not any(data.startswith("pk:") for _, data in buttons(other))


async def file_full_report_en(user: FakeUser) -> JSON:
    """A short English report that names Bawaslu and Ombudsman (so both questions are asked)."""
    await to_evidence(
        user, "The office car of the sub-district was used to carry banners.",
        category="state_facilities",
    )  # fmt: skip
    await answer(user, "!ev:none", "id")
    review = await answer(user, "!id:anonymous", "rv")
    send = next(data for _, data in buttons(review) if data.startswith("rv:send:"))
    user.press(review, send)
    return await user.expect("Ticket number: ")


def _longest_case() -> tuple[Any, ...]:
    """A case with every field at the longest the conversation accepts, written as short lines
    (the shape that once made every packet fail), and the packet answers at their longest."""
    import datetime as dt

    from conversations.caserow import CaseRow
    from conversations.context import Limits
    from conversations.jurisdiction.engine import default_jurisdiction
    from conversations.jurisdiction.models import ReportFacts
    from conversations.packet import MAX_ANSWER, PacketAnswers

    limits = Limits()
    jurisdiction = default_jurisdiction()
    today = dt.date(2024, 11, 20)
    facts = ReportFacts(
        category="service_conditioning", person="asn", public_service="yes",
        province_code="36", regency_code="36.73", event_date=dt.date(2024, 11, 19),
        report_date=today, complained="yes", identity="open",
    )  # fmt: skip
    decision = jurisdiction.decide(facts)
    moment = dt.datetime(2024, 11, 20, 3, tzinfo=dt.UTC)

    def lines(limit: int, word: str) -> str:
        return "\n".join([word] * (limit // (len(word) + 1)))[:limit]

    case = CaseRow(
        id=1, ticket="LN-7K3M-Q9TX-W2HC", status="diterima", status_changed_at=moment,
        created_at=moment, category=facts.category, person_kind="asn",
        person_details=lines(limits.max_short_text, "Pak Rudi"), province_code="36",
        regency_code="36.73", place_detail=lines(limits.max_short_text, "Jl. Sudirman"),
        event_date=facts.event_date, learned_date=None, public_service="yes",
        service_name=lines(limits.max_short_text, "KTP"), complained="yes",
        description=lines(limits.max_description, "baris"), identity="open",
        reporter_name="Siti " + "A" * 290, reporter_phone="+6281311112222",
        reporter_chat="telegram:1", language="id", decision_json=decision.model_dump_json(),
        evidence_count=0, bodies={office.agency: office.name for office in decision.offices},
    )  # fmt: skip
    answers = PacketAnswers(
        witnesses=lines(MAX_ANSWER, "Budi"), remedy=lines(MAX_ANSWER, "mohon"), asked=[]
    )
    return case, answers, jurisdiction, today, case.description


def test_a_packet_of_the_longest_report_flows_across_pages() -> None:
    from conversations.packet import packet_bodies, packet_document, shipped_packets
    from service.packet_pdf import render_packet

    case, answers, jurisdiction, today, description = _longest_case()
    forms = shipped_packets()
    bodies = packet_bodies(case, jurisdiction, forms)
    assert len(bodies) >= 2
    for body in bodies:
        for language in ("id", "en"):
            document = packet_document(
                case, body, jurisdiction, forms, answers=answers, evidence=[],
                language=language, own_copy=True, made_on=today,
            )  # fmt: skip
            reader = PdfReader(io.BytesIO(render_packet(document)))
            assert len(reader.pages) > 2, body
            text = "".join(page.extract_text() for page in reader.pages)
            # every line of the description is printed (none cut off at a page's foot)
            assert text.count("baris") >= description.count("baris"), body


def test_making_a_packet_logs_no_case_text(caplog: pytest.LogCaptureFixture) -> None:
    import dataclasses

    from conversations.packet import PacketAnswers, packet_document, shipped_packets
    from service.packet_pdf import render_packet

    case, _, jurisdiction, today, _ = _longest_case()
    case = dataclasses.replace(
        case, reporter_name="王小明 🙂", description="Kepala desa 李 berkampanye 🗳️ di balai desa."
    )
    caplog.set_level(logging.DEBUG)
    document = packet_document(
        case, "bawaslu", jurisdiction, shipped_packets(), answers=PacketAnswers(), evidence=[],
        language="id", own_copy=True, made_on=today,
    )  # fmt: skip
    assert render_packet(document).startswith(b"%PDF")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in ("王", "李", "🙂", "🗳", "\\u738b"):
        assert text not in logged
    assert len(caplog.records) < 5, [r.name for r in caplog.records][:10]
