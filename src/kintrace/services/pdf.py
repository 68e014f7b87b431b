"""PDF documents for authorities, lawyers and courts: one look, Cyrillic-safe, plots from matplotlib.

ReportLab's platypus lays the document out; the DejaVu fonts come from matplotlib's own data (so
Ukrainian and Russian text needs no system font), and a plot is drawn by matplotlib into a PNG in
memory. Documents are deterministic for the same input (fixed creation date and document id), so a
SHA-256 recorded in the audit log identifies a copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

import kintrace

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(_FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = getSampleStyleSheet()
    made = {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=FONT_BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=12.5, leading=16),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=FONT_BOLD, fontSize=10.5, leading=14),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=base["BodyText"], fontName=FONT_BOLD, fontSize=8, leading=10),
    }
    return made


def para(text: str, style: str = "body") -> Paragraph:
    """Plain text as a paragraph (escaped: a name with "<" or "&" is text, never markup)."""
    return Paragraph(escape(text), styles()[style])


def table(
    header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float] | None = None
) -> Table:
    """A table whose cells wrap; numbers and dates are written as text."""
    data = [[para(str(h), "head") for h in header]]
    data += [[para("" if cell is None else str(cell), "cell") for cell in row] for row in rows]
    made = Table(data, colWidths=[w * mm for w in widths] if widths else None, repeatRows=1)
    made.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return made


def figure_image(figure: Any, width_mm: float = 170) -> Image:
    """A matplotlib figure as a PNG flowable, scaled to `width_mm`."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    w, h = figure.get_size_inches()
    buffer.seek(0)
    return Image(buffer, width=width_mm * mm, height=width_mm * mm * h / w)


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def render(title: str, story: Sequence[Flowable], *, made_on: dt.date, author: str = "kintrace") -> bytes:
    """The document as bytes: A4, page numbers and the software version in the footer."""
    _register_fonts()
    buffer = io.BytesIO()
    footer = f"kintrace {kintrace.__version__} · {made_on.isoformat()} · {title}"

    def decorate(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 10 * mm, footer[:150])
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, str(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        creator=f"kintrace {kintrace.__version__}",
        invariant=1,  # fixed timestamps and id: the same input gives the same bytes
    )
    document.build(list(story), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
