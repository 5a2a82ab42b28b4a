"""Shared layout of every document: A4, IPAex Gothic, a title block, key–value tables,
grid tables with a repeated header, and a footer with the document number and page.

Everything drawn goes through :func:`para`, which escapes the text, so what a person
typed (``<``, ``&``) is printed as typed and never read as markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cybercover.documents.fonts import register_fonts
from cybercover.documents.formats import Lang

__all__ = [
    "Cell",
    "Story",
    "build_pdf",
    "grid",
    "heading",
    "key_values",
    "para",
    "small",
    "title_block",
]

Story: TypeAlias = list[Any]
"""ReportLab flowables, in order."""
Cell: TypeAlias = Any
"""A table cell: plain text (escaped into a paragraph) or a flowable."""

_INK = colors.HexColor("#1f2a44")
_SHADE = colors.HexColor("#e8ecf4")
_RULE = colors.HexColor("#8a94a8")


def _style(name: str, size: float, **kw: object) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=register_fonts(), fontSize=size, leading=size * 1.45, **kw)


def _style_of(commands: list[Any]) -> TableStyle:
    """A table style whose default font is ours (ReportLab's is Helvetica, which would
    put an unembedded font in the file even when no cell uses it)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), register_fonts()), *commands])


def para(text: str, size: float = 9, *, right: bool = False, color: object = None) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept). Text with Japanese in it
    may break between any two characters, as Japanese is set; other text breaks at spaces."""
    cjk = any(ord(c) >= 0x2E80 for c in text)
    style = _style(
        f"p{size}{right}{cjk}",
        size,
        alignment=TA_RIGHT if right else 0,
        textColor=color or _INK,
        wordWrap="CJK" if cjk else None,
    )
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def small(text: str) -> Flowable:
    """A note under a table."""
    return KeepTogether([Spacer(1, 1.2 * mm), para(text, 7.5, color=colors.HexColor("#4a5368"))])


def heading(text: str) -> Flowable:
    """A section heading: a shaded band (the font has no bold face)."""
    table = Table([[para(text, 10.5, color=colors.white)]], colWidths=["100%"])
    table.setStyle(
        _style_of(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _INK),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    table.spaceBefore, table.spaceAfter = 4 * mm, 1.5 * mm
    table.keepWithNext = True  # never a heading alone at the foot of a page
    return table


def title_block(title: str, subtitle: str, right_lines: Sequence[str]) -> Story:
    """The document's name, a line under it, and its number and date on the right."""
    left = [para(title, 18), para(subtitle, 9)]
    right = [para(line, 8.5, right=True) for line in right_lines]
    table = Table([[left, right]], colWidths=["50%", "50%"])
    table.setStyle(
        _style_of(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, _INK),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [table, Spacer(1, 3 * mm)]


def _cell(value: Cell, size: float, right: bool = False) -> Flowable:
    return value if isinstance(value, Flowable) else para(value, size, right=right)


def key_values(rows: Sequence[tuple[str, Cell]], label_width: str = "30%") -> Table:
    """Two columns: a shaded label and its value."""
    data = [[_cell(k, 8.5), _cell(v, 9)] for k, v in rows]
    rest = f"{100 - int(label_width.rstrip('%'))}%"
    table = Table(data, colWidths=[label_width, rest])
    table.setStyle(
        _style_of(
            [
                ("BACKGROUND", (0, 0), (0, -1), _SHADE),
                ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def grid(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[str],
    *,
    numeric: Sequence[int] = (),
    size: float = 8.5,
    emphasis: Sequence[int] = (),
) -> Table:
    """A table with a shaded header repeated on each page; ``numeric`` columns are
    right-aligned, ``emphasis`` rows shaded (totals)."""
    data: list[list[Flowable]] = [[_cell(h, size) for h in header]]
    for row in rows:
        data.append([_cell(v, size, right=i in numeric) for i, v in enumerate(row)])
    table = Table(data, colWidths=list(widths), repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
        ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    style += [("BACKGROUND", (0, r + 1), (-1, r + 1), _SHADE) for r in emphasis]
    table.setStyle(_style_of(style))
    return table


def build_pdf(
    story: Story,
    *,
    title: str,
    footer: str,
    lang: Lang,
    wide: bool = False,
) -> bytes:
    """Lay ``story`` out on A4 (landscape when ``wide``) and return the PDF bytes.

    ``invariant`` keeps the same input giving the same bytes (no creation time, fixed
    document id), so a document can be regenerated and compared.
    """
    buffer = io.BytesIO()
    size = landscape(A4) if wide else A4
    font = register_fonts()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="cybercover",
        subject=footer,
        creator="cybercover",
        lang="ja-JP" if lang == "ja" else "en-GB",
        invariant=1,
        initialFontName=font,  # no standard font in the file: every glyph is embedded
    )

    def on_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(_RULE)
        canvas.drawString(16 * mm, 9 * mm, footer)
        canvas.drawRightString(size[0] - 16 * mm, 9 * mm, f"{document.page}")
        canvas.restoreState()

    hook: Callable[[Canvas, SimpleDocTemplate], None] = on_page
    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buffer.getvalue()
