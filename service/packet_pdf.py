"""A filled filing packet as a PDF: A4, DejaVu fonts embedded, one body per document.

fpdf2 writes the PDF (pure Python, embeds TrueType subsets, lays out tables across pages);
the fonts ship in `service/fonts/` so Indonesian text prints the same on every machine.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from conversations.bilingual import long_date
from conversations.packet import KIND_LABELS, PacketDocument

# fpdf2 names the characters a font lacks (a reporter's CJK name, an emoji in a description)
# in a warning, and fontTools logs ~150 lines per subset: no case text in the logs, ever.
for _name in ("fpdf", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)

FONTS = Path(__file__).parent / "fonts"
SANS, MONO = "DejaVu", "DejaVuMono"
BLANK = "." * 60
GREY = (90, 90, 90)
LABEL_WIDTH = 55  # mm, the fields' label column
ROW_LINES = 30  # a table row never grows past this many lines: a longer value flows on
CONTINUED = "(lanjutan / continued)"


class _Packet(FPDF):
    """A4 pages with the packet's footer."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(SANS, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


@cache
def _font_files() -> dict[tuple[str, str], str]:
    return {
        (SANS, ""): str(FONTS / "DejaVuSans.ttf"),
        (SANS, "B"): str(FONTS / "DejaVuSans-Bold.ttf"),
        (SANS, "I"): str(FONTS / "DejaVuSans-Oblique.ttf"),
        (MONO, ""): str(FONTS / "DejaVuSansMono.ttf"),
    }


def render_packet(document: PacketDocument) -> bytes:
    """The document as PDF bytes."""
    pdf = _Packet(format="A4", unit="mm")
    for (family, style), path in _font_files().items():
        pdf.add_font(family, style, path)
    labels = document.labels
    pdf.set_title(f"{document.title} - {document.ticket}")
    pdf.set_author("Lapor Netral")
    pdf.set_creator("Lapor Netral")
    pdf.set_lang("id")
    pdf.footer_text = f"Lapor Netral · {document.ticket} · {labels['page']}"
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(SANS, "B", 12)
    pdf.multi_cell(width, 6, document.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SANS, "", 8)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 4, document.basis, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font(SANS, "", 10)
    pdf.multi_cell(
        width,
        5,
        f"{labels['to']}\n**{document.office}**",
        markdown=True,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)
    pdf.set_font(SANS, "", 8.5)
    made = labels["made"].format(ticket=document.ticket, date=long_date(document.made_on, "id"))
    notes = [document.intro, made, labels["blank_note"]]
    if not document.own_copy:
        notes.append(labels["staff_copy"])
    pdf.multi_cell(width, 4.2, "\n".join(notes), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for section in document.sections:
        if pdf.will_page_break(22):  # a heading never stands alone at the foot of a page
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(SANS, "B", 10.5)
        title = section.title + (f" / {section.gloss}" if section.gloss else "")
        pdf.multi_cell(width, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(SANS, "", 9.5)
        with pdf.table(
            col_widths=(LABEL_WIDTH, width - LABEL_WIDTH),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            first_row_as_headings=False,
            line_height=5,
            text_align="LEFT",
            v_align="TOP",
            padding=1.2,
        ) as table:
            for item in section.fields:
                label = item.label + (f"\n{item.gloss}" if item.gloss else "")
                value = item.value or (f"{BLANK}\n{BLANK}" if item.paragraph else BLANK)
                # fpdf2 cannot split one row across pages: a long value is cut into rows of
                # at most ROW_LINES lines, each of which fits a page
                for number, piece in enumerate(_pieces(pdf, value, width - LABEL_WIDTH - 2.4)):
                    row = table.row()
                    row.cell(
                        label if number == 0 else CONTINUED,
                        style=FontFace(emphasis="BOLD", size_pt=9),
                    )
                    row.cell(piece)

    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(SANS, "B", 10.5)
    pdf.multi_cell(width, 6, labels["evidence"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(SANS, "", 9)
    if not document.evidence:
        pdf.multi_cell(width, 5, labels["no_evidence"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        hashes = FontFace(family=MONO, size_pt=6.8)
        with pdf.table(
            col_widths=(9, 24, 27, width - 60),
            borders_layout=TableBordersLayout.SINGLE_TOP_LINE,
            line_height=4.2,
            text_align="LEFT",
            padding=1,
            headings_style=FontFace(emphasis="BOLD", size_pt=8.5),
        ) as table:
            heading = table.row()
            for key in ("col_no", "col_kind", "col_received", "col_hash"):
                heading.cell(labels[key])
            for number, line in enumerate(document.evidence, start=1):
                row = table.row()
                row.cell(str(number))
                row.cell(KIND_LABELS.get(line.kind, line.kind))
                row.cell(long_date(line.received, "id") if line.received else "-")
                if line.url:
                    row.cell(line.url, style=FontFace(size_pt=7.5))
                else:
                    text = line.sha256_stored or "-"
                    if line.sha256_received and line.sha256_received != line.sha256_stored:
                        text += f"\n{labels['original']}\n{line.sha256_received}"
                    row.cell(text, style=hashes)
        pdf.ln(1.5)
        pdf.set_font(SANS, "", 7.5)
        pdf.set_text_color(*GREY)
        pdf.multi_cell(width, 3.6, labels["hash_note"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)

    if pdf.will_page_break(42):
        pdf.add_page()
    pdf.ln(8)
    pdf.set_font(SANS, "", 9.5)
    left = pdf.l_margin + width * 0.55
    pdf.set_x(left)
    block = width * 0.45
    for text in (f"{labels['place_date']}:", BLANK[:40], labels["signature"]):
        pdf.set_x(left)
        pdf.multi_cell(block, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(16)
    pdf.set_x(left)
    signer = document.signer or BLANK[:40]
    pdf.multi_cell(block, 5, f"( {signer} )", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _pieces(pdf: FPDF, text: str, width: float) -> list[str]:
    """The text as the cell will wrap it (in the current font), in pieces of ROW_LINES lines."""
    wrapped = pdf.multi_cell(width, 5, text, dry_run=True, output=MethodReturnValue.LINES)
    assert isinstance(wrapped, list)
    lines: list[str] = wrapped
    if len(lines) <= ROW_LINES:
        return [text]
    return ["\n".join(lines[at : at + ROW_LINES]) for at in range(0, len(lines), ROW_LINES)]
