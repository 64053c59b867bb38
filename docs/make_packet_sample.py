"""Render the sample filing packet pages shown in the README (fictional report, real code):
`.venv/bin/python docs/make_packet_sample.py` writes docs/packet-bawaslu-page-1.png and 2."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pypdfium2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conversations.caserow import CaseRow
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.jurisdiction.models import ReportFacts
from conversations.packet import (
    EvidenceLine,
    PacketAnswers,
    packet_document,
    shipped_packets,
)
from service.packet_pdf import render_packet


def main() -> None:
    """Write the two pages of Bawaslu's form for a fictional report."""
    jurisdiction = default_jurisdiction()
    today = dt.date(2024, 11, 20)
    facts = ReportFacts(
        category="service_conditioning", person="asn", public_service="yes",
        province_code="36", regency_code="36.73", event_date=dt.date(2024, 11, 19),
        report_date=today, complained="yes", identity="open",
    )  # fmt: skip
    decision = jurisdiction.decide(facts)
    moment = dt.datetime(2024, 11, 20, 3, tzinfo=dt.UTC)
    case = CaseRow(
        id=1, ticket="LN-7K3M-Q9TX-W2HC", status="diterima", status_changed_at=moment,
        created_at=moment, category=facts.category, person_kind="asn",
        person_details="Pak Rudi (contoh), petugas loket, Disdukcapil Kota Serang",
        province_code="36", regency_code="36.73",
        place_detail="Kantor Disdukcapil, Jl. Jenderal Sudirman", event_date=facts.event_date,
        learned_date=None, public_service="yes", service_name="pembuatan KTP",
        complained="yes",
        description="Petugas loket menahan KTP warga yang memasang stiker pasangan calon"
        " nomor 2 di rumahnya. Warga diminta mencabut stiker dulu, baru KTP diberikan."
        " Kejadian disaksikan tiga warga yang antre.",
        identity="open", reporter_name="Siti Aminah (contoh)", reporter_phone="+6281311112222",
        reporter_chat="telegram:1", language="id", decision_json=decision.model_dump_json(),
        evidence_count=2,
        bodies={office.agency: office.name for office in decision.offices},
    )  # fmt: skip
    evidence = [
        EvidenceLine("photo", today, "3f" * 32, "3f" * 32, None),
        EvidenceLine("document", today, "a9c1" * 16, "0d7e" * 16, None),
    ]
    witnesses = "Budi Santoso (contoh), Jl. Melati 3, Serang, 0812-0000-1111"
    document = packet_document(
        case, "bawaslu", jurisdiction, shipped_packets(),
        answers=PacketAnswers(witnesses=witnesses),
        evidence=evidence, language="id", own_copy=True, made_on=today,
    )  # fmt: skip
    pdf = pypdfium2.PdfDocument(render_packet(document))
    for number in range(len(pdf)):
        out = Path(__file__).parent / f"packet-bawaslu-page-{number + 1}.png"
        pdf[number].render(scale=1.4).to_pil().convert("RGB").save(out, optimize=True)
        print(out)


if __name__ == "__main__":
    main()
