"""The filing packet: each body's official report form, filled with what the bot knows.

`data/packets.toml` describes the forms. This module is pure: the forms, the few questions
asked before a packet is made (witnesses, the remedy asked; each skippable), and the filled
document as data. The shell renders it as a PDF and sends it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conversations.bilingual import Bilingual, long_date
from conversations.callbacks import PACKET_QUESTION
from conversations.caserow import CaseRow
from conversations.datafiles import DataFileError, parse_model
from conversations.jurisdiction.engine import Jurisdiction
from conversations.messages import Language
from conversations.replies import Button, Reply

Fill = Literal[
    "reporter_name",
    "reporter_phone",
    "person",
    "person_kind",
    "category",
    "place",
    "event_date",
    "learned_date",
    "description",
    "service",
    "complained",
    "witnesses",
    "remedy",
    "office",
    "ticket",
    "deadline",
]
Question = Literal["witnesses", "remedy"]
QUESTION_ORDER: tuple[Question, ...] = ("witnesses", "remedy")
MAX_ANSWER = 1000


class PacketsError(DataFileError):
    """The packets file is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FormField(_Strict):
    """One line of a form: its label and the fact the bot writes in (none: a blank line)."""

    label: Bilingual
    fill: Fill | None = None


class FormSection(_Strict):
    """A titled part of a form."""

    title: Bilingual
    fields: list[FormField] = Field(min_length=1)


class Form(_Strict):
    """One body's report form."""

    title: str
    basis: str
    intro: Bilingual
    ask: list[Question] = Field(default_factory=list)
    sections: list[FormSection] = Field(min_length=1)


class Forms(_Strict):
    """The whole packets file."""

    forms: dict[str, Form]

    def check(self, bodies_with_packets: list[str]) -> None:
        """Every body marked `packet = true` in the rules has a form."""
        for body in bodies_with_packets:
            if body not in self.forms:
                raise PacketsError(f"packets.toml: no [forms.{body}] for body {body!r}")

    def questions(self, bodies: list[str]) -> list[Question]:
        """What to ask before making packets for these bodies, in a fixed order."""
        wanted = {q for body in bodies if body in self.forms for q in self.forms[body].ask}
        return [q for q in QUESTION_ORDER if q in wanted]


def parse_packets(text: str, source: str = "packets.toml") -> Forms:
    """Validate a packets file."""
    return parse_model(Forms, text, source, PacketsError)


@cache
def shipped_packets() -> Forms:
    """The shipped forms, loaded once."""
    text = resources.files("conversations").joinpath("data/packets.toml").read_text("utf-8")
    return parse_packets(text)


def packet_bodies(case: CaseRow, jurisdiction: Jurisdiction, forms: Forms) -> list[str]:
    """The bodies that can act on the case and take a formal report in a fixed shape."""
    return [
        body
        for body in case.decision.bodies
        if body in forms.forms
        and body in jurisdiction.rules.bodies
        and jurisdiction.rules.bodies[body].packet
    ]


# ------------------------------------------------------------------ the questions
class PacketAnswers(BaseModel):
    """What the reporter added for the forms (kept with the case, encrypted)."""

    model_config = ConfigDict(extra="ignore")

    witnesses: str | None = None
    remedy: str | None = None
    asked: list[str] = Field(default_factory=list)


class PacketSession(BaseModel):
    """A reporter answering the packet's questions for one case."""

    model_config = ConfigDict(extra="ignore")

    ticket: str
    pending: list[Question]
    answers: PacketAnswers = Field(default_factory=PacketAnswers)


def still_to_ask(answers: PacketAnswers, questions: list[Question]) -> list[Question]:
    """The questions not answered (or skipped) before."""
    return [q for q in questions if q not in answers.asked]


def question_reply(session: PacketSession) -> Reply:
    """The current question, with Skip and Cancel."""
    question = session.pending[0]
    buttons = (
        (
            Button(PACKET_QUESTION.data("skip"), "btn_skip"),
            Button(PACKET_QUESTION.data("cancel"), "btn_cancel"),
        ),
    )
    return Reply(f"packet_q_{question}", {"ticket": session.ticket}, buttons)


def answer_question(session: PacketSession, text: str | None) -> PacketSession:
    """Record the answer to the current question (None: skipped) and move on."""
    question = session.pending[0]
    value = text.strip()[:MAX_ANSWER] if text and text.strip() else None
    answers = session.answers.model_copy(
        update={question: value, "asked": [*session.answers.asked, question]}
    )
    return session.model_copy(update={"pending": session.pending[1:], "answers": answers})


# ------------------------------------------------------------------ the filled document
@dataclass(frozen=True)
class EvidenceLine:
    """One piece of evidence as listed in the packet."""

    kind: str
    received: dt.date | None
    sha256_stored: str | None
    sha256_received: str | None
    url: str | None


@dataclass(frozen=True)
class FilledField:
    """A label (with its English gloss when the reader chose English) and the value or None."""

    label: str
    gloss: str | None
    value: str | None
    paragraph: bool = False


@dataclass(frozen=True)
class FilledSection:
    """A titled part of the filled form."""

    title: str
    gloss: str | None
    fields: list[FilledField]


@dataclass(frozen=True)
class PacketDocument:
    """Everything printed on one body's filing packet."""

    body: str
    title: str
    basis: str
    intro: str
    office: str
    ticket: str
    made_on: dt.date
    sections: list[FilledSection]
    evidence: list[EvidenceLine]
    signer: str | None
    language: Language
    own_copy: bool
    labels: dict[str, str] = field(default_factory=dict)


KIND_LABELS = {
    "photo": "Foto",
    "video": "Video",
    "document": "Dokumen",
    "voice": "Pesan suara",
    "audio": "Audio",
    "link": "Tautan",
}
COMPLAINED = {"yes": "Sudah", "no": "Belum", "unknown": "Tidak tahu"}
# Fixed texts of the document. The form is printed in Bahasa Indonesia (the body reads it);
# a reporter who chose English gets the English gloss under each heading and label.
DOCUMENT_TEXTS: dict[str, Bilingual] = {
    "to": Bilingual(id="Kepada Yth.", en="To"),
    "made": Bilingual(
        id="Disiapkan oleh Lapor Netral dari laporan bertiket {ticket} pada {date}.",
        en="Prepared by Lapor Netral from the report with ticket {ticket} on {date}.",
    ),
    "blank_note": Bilingual(
        id="Baris titik-titik diisi tangan sebelum diserahkan.",
        en="Fill in the dotted lines by hand before you hand it in.",
    ),
    "staff_copy": Bilingual(
        id="Salinan petugas: identitas pelapor tidak dicantumkan.",
        en="Staff copy: the reporter's identity is left out.",
    ),
    "evidence": Bilingual(id="Daftar Bukti", en="Evidence"),
    "no_evidence": Bilingual(id="Tidak ada bukti yang dikirim lewat bot.", en="No evidence."),
    "col_no": Bilingual(id="No", en="No"),
    "col_kind": Bilingual(id="Jenis", en="Kind"),
    "col_received": Bilingual(id="Diterima", en="Received"),
    "col_hash": Bilingual(id="SHA-256 berkas tersimpan", en="SHA-256 of the stored file"),
    "original": Bilingual(id="berkas asli (sebelum metadata dihapus):", en="original file:"),
    "hash_note": Bilingual(
        id="Cara memeriksa: hitung SHA-256 berkas Anda (Windows: certutil -hashfile NAMA_BERKAS"
        " SHA256; macOS/Linux: shasum -a 256 NAMA_BERKAS) dan bandingkan dengan daftar di atas."
        " Bila sama, berkas itu tidak berubah sejak diterima bot.",
        en="How to check: compute the SHA-256 of your file (Windows: certutil -hashfile FILE"
        " SHA256; macOS/Linux: shasum -a 256 FILE) and compare it with the list above. If it is"
        " the same, the file has not changed since the bot received it.",
    ),
    "signature": Bilingual(id="Pelapor,", en="Reporter,"),
    "place_date": Bilingual(id="Tempat, tanggal", en="Place, date"),
    "page": Bilingual(id="halaman", en="page"),
}


def _facts(
    case: CaseRow,
    jurisdiction: Jurisdiction,
    body: str,
    answers: PacketAnswers,
    own_copy: bool,
) -> dict[str, str | None]:
    rules = jurisdiction.rules
    places = jurisdiction.places
    province = places.get(case.province_code)
    regency = places.find(case.regency_code)
    where = ", ".join(
        part
        for part in (case.place_detail, regency.name if regency else None, province.name)
        if part
    )
    deadline = next((d for d in case.decision.deadlines if d.agency == body), None)
    office = case.bodies.get(body) or jurisdiction.office_at(
        body, case.province_code, case.regency_code
    )
    return {
        "reporter_name": case.reporter_name if own_copy else None,
        "reporter_phone": case.reporter_phone if own_copy else None,
        "person": case.person_details,
        "person_kind": rules.person_kind(case.person_kind).label.id,
        "category": rules.category(case.category).label.id,
        "place": where,
        "event_date": long_date(case.event_date, "id"),
        "learned_date": long_date(case.learned_date or case.event_date, "id"),
        "description": case.description,
        "service": case.service_name,
        "complained": COMPLAINED.get(case.complained or ""),
        "witnesses": answers.witnesses,
        "remedy": answers.remedy,
        "office": office,
        "ticket": case.ticket,
        "deadline": long_date(deadline.date, "id") if deadline else None,
    }


def packet_document(
    case: CaseRow,
    body: str,
    jurisdiction: Jurisdiction,
    forms: Forms,
    *,
    answers: PacketAnswers,
    evidence: list[EvidenceLine],
    language: Language,
    own_copy: bool,
    made_on: dt.date,
) -> PacketDocument:
    """The form of `body` filled for this case. The reporter's identity is printed only in the
    reporter's own copy (`own_copy`), and only as they gave it."""
    form = forms.forms[body]
    facts = _facts(case, jurisdiction, body, answers, own_copy)
    english = language == "en"

    def gloss(text: Bilingual) -> str | None:
        return text.en if english else None

    sections = [
        FilledSection(
            section.title.id,
            gloss(section.title),
            [
                FilledField(
                    item.label.id,
                    gloss(item.label),
                    facts.get(item.fill) if item.fill else None,
                    paragraph=item.fill == "description",
                )
                for item in section.fields
            ],
        )
        for section in form.sections
    ]
    labels = {
        key: text.id + (f" / {text.en}" if english and text.en != text.id else "")
        for key, text in DOCUMENT_TEXTS.items()
    }
    return PacketDocument(
        body=body,
        title=form.title,
        basis=form.basis,
        intro=form.intro.get(language),
        office=facts["office"] or "",
        ticket=case.ticket,
        made_on=made_on,
        sections=sections,
        evidence=evidence,
        signer=facts["reporter_name"],
        language=language,
        own_copy=own_copy,
        labels=labels,
    )
