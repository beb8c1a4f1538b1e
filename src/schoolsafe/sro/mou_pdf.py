"""The MOU as a PDF: a title page naming both parties with their addresses and the dates, every section in the
order of the SECURe rubric, and the signatories with the dates they signed. Drawn with ReportLab, in the
project's Unicode fonts (schoolsafe.core.pdffonts), so every name prints."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from schoolsafe.core.pdffonts import SANS, SANS_BOLD, markup, register
from schoolsafe.sro.models.mou import SECTIONS, Mou

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("mou-body", parent=_styles["BodyText"], fontName=SANS, fontSize=10.5, leading=14)
SMALL = ParagraphStyle("mou-small", parent=BODY, fontSize=8.5, leading=11)
TITLE = ParagraphStyle("mou-title", parent=_styles["Title"], fontName=SANS_BOLD, fontSize=22, leading=27)
H2 = ParagraphStyle("mou-h2", parent=_styles["Heading2"], fontName=SANS_BOLD, fontSize=14, leading=18,
                    spaceBefore=12, spaceAfter=4)
CELL = ParagraphStyle("mou-cell", parent=BODY, fontSize=9.5, leading=12)


def _p(text: Any, style: ParagraphStyle = BODY) -> Paragraph:
    # Paragraph reads a small markup language: what the parties typed is escaped so "<" cannot break it.
    return Paragraph(markup(text), style)


def _date(value: Any) -> str:
    return f"{value:%B %d, %Y}" if value else "not set"


def _agency_address(agency: Any) -> str:
    place = ", ".join(x for x in [agency.address, agency.city, agency.state] if x)
    return place or "address not recorded"


def _district_address(district: Any) -> str:
    # A district has no street address of its own in the register: its county and state.
    place = ", ".join(x for x in [f"{district.county} County" if district.county else "", district.state] if x)
    return place or "address not recorded"


def mou_filename(mou: Mou) -> str:
    return f"mou-{slugify(mou.title)[:60] or mou.pk}.pdf"


def mou_pdf(mou: Mou) -> bytes:
    """The MOU as PDF bytes."""
    register()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=0.9 * inch, rightMargin=0.9 * inch,
                            topMargin=0.9 * inch, bottomMargin=0.8 * inch, title=mou.title, author="SchoolSafe",
                            subject=f"Memorandum of understanding: {mou.agency.name} and {mou.district.name}")
    story: list[Any] = [
        Spacer(1, 1.2 * inch),
        _p("MEMORANDUM OF UNDERSTANDING", SMALL),
        _p(mou.title, TITLE),
        Spacer(1, 0.2 * inch),
        _p("Between", BODY),
        _p(mou.agency.name, H2),
        _p(_agency_address(mou.agency), BODY),
        _p("and", BODY),
        _p(mou.district.name, H2),
        _p(_district_address(mou.district), BODY),
        Spacer(1, 0.3 * inch),
        _p(f"Status: {mou.get_status_display()}", BODY),
        _p(f"Effective: {_date(mou.effective_date)}", BODY),
        _p(f"Expires: {_date(mou.expiry_date)}", BODY),
        _p(f"Next review by the parties: {_date(mou.review_date)}", BODY),
        Spacer(1, 0.3 * inch),
        _p("Its sections follow the SECURe rubric (Safe School-based Enforcement through Collaboration, "
           "Understanding, and Respect) of the U.S. Departments of Education and Justice.", SMALL),
        PageBreak(),
    ]
    texts = {s.key: s.text for s in mou.sections.all()}
    for number, (key, heading) in enumerate(SECTIONS, start=1):
        story.append(_p(f"{number}. {heading}", H2))
        paragraphs = [p.strip() for p in (texts.get(key) or "").split("\n\n") if p.strip()]
        for paragraph in paragraphs or ["(No text agreed yet.)"]:
            story.append(_p(paragraph, BODY))
    story.append(_p("Signatories", H2))
    rows = [[_p(h, CELL) for h in ("Name", "Title", "For", "Date signed")]]
    for signatory in mou.signatories.all():
        party = mou.agency.name if signatory.side == "agency" else mou.district.name
        rows.append([_p(signatory.name, CELL), _p(signatory.title, CELL), _p(party, CELL),
                     _p(_date(signatory.signed_on) if signatory.signed_on else "not signed", CELL)])
    if len(rows) > 1:
        table = Table(rows, colWidths=[doc.width * 0.28, doc.width * 0.27, doc.width * 0.27, doc.width * 0.18],
                      repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.96))]))
        story.append(table)
    else:
        story.append(_p("No signatories recorded.", BODY))
    generated = timezone.localtime()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 7.5)
        canvas.drawString(doc.leftMargin, 0.45 * inch, f"{mou.title}: generated {generated:%Y-%m-%d %H:%M} by SchoolSafe")
        canvas.drawRightString(doc.leftMargin + doc.width, 0.45 * inch, f"Page {doc.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
