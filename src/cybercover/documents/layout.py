"""Shared layout of every document: A4, IPAex Gothic, a title block, key–value tables,
grid tables with a repeated header, and a footer with the document number and page.

Everything drawn goes through :func:`para`, which escapes the text, so what a person
typed (``<``, ``&``) is printed as typed and never read as markup.

Text of any length flows: every table here splits between rows and, for a row too tall
to end the page it starts on (a long summary, a long note), inside the row, each cell's
paragraphs continuing on the next page (:class:`_Table`); a word longer than its column
is broken. Nothing is cut off and no document fails for the length of what was typed.
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
from reportlab.pdfbase.pdfmetrics import stringWidth
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


# Free text of any length flows across pages. A table row or a kept-together group taller
# than this may break across pages instead of moving whole to the next one (where it
# might not fit either). A normal document's rows are a few lines, far below it, so they
# keep together exactly as before.
_BREAKABLE = 60 * mm
# ... and breaks only where at least this much of the page is left for its first part.
_MIN_PART = 12 * mm


class _Table(Table):  # type: ignore[misc]  # reportlab ships no type information
    """ReportLab's table, which splits between rows, and also inside a row too tall to be
    kept whole (:data:`_BREAKABLE`): a long summary starts where the row before it ends
    and its cells' paragraphs continue on the next pages. Without it a row taller than the
    page is a ``LayoutError``. This is ReportLab's own in-row split (what its
    ``splitInRow`` option does), called here for tall rows only: with ``splitInRow`` on,
    ReportLab would also split a two-line row across pages whenever no row boundary fits,
    and normal documents would lay out differently.

    Every cell must be a list of flowables: ReportLab splits the flowables of a list, and
    would drop a bare flowable when splitting inside a row.
    """

    def tall_row(self) -> bool:
        """Whether a row (as last wrapped) is too tall to be kept whole."""
        heights: list[float] = getattr(self, "_rowHeights", None) or []
        return any(h > _BREAKABLE for h in heights)

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        self._calc(availWidth, availHeight)
        heights: list[float] = list(self._rowHeights)
        used, row = 0.0, 0
        while row < len(heights) and used + heights[row] <= availHeight:
            used += heights[row]
            row += 1
        if row < len(heights) and heights[row] > _BREAKABLE and availHeight - used >= _MIN_PART:
            parts: list[Any] = self._splitRows(availHeight, doInRowSplit=1)
            if parts:
                return parts
        between_rows: list[Any] = super().split(availWidth, availHeight)
        return between_rows


class _Keep(KeepTogether):  # type: ignore[misc]  # reportlab ships no type information
    """ReportLab's KeepTogether (a heading with what follows it, a note with its space),
    which moves its content to the next page when it does not fit what is left of this
    one, except when the last flowable is too tall to be kept whole (a table with a tall
    row, a long paragraph): moving it would only leave this page blank, so it starts here
    when its first part fits."""

    def split(self, aW: float, aH: float) -> list[Any]:
        content: list[Any] = list(self._content)
        last = content[-1]
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        tall = (isinstance(last, _Table) and last.tall_row()) or (
            isinstance(last, Paragraph) and last.height > _BREAKABLE
        )
        if tall:
            before = 0.0
            for f in content[:-1]:
                before += f.wrap(aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter()
            room = aH - before - last.getSpaceBefore()
            if room >= _MIN_PART and last.split(aW, room):
                return content
        kept: list[Any] = super().split(aW, aH)
        return kept


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
    return _Keep([Spacer(1, 1.2 * mm), para(text, 7.5, color=colors.HexColor("#4a5368"))])


def heading(text: str) -> Flowable:
    """A section heading: a shaded band (the font has no bold face)."""
    table = _Table([[[para(text, 10.5, color=colors.white)]]], colWidths=["100%"])
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
    table = _Table([[left, right]], colWidths=["50%", "50%"])
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


def _cell(value: Cell, size: float, right: bool = False) -> list[Flowable]:
    """A cell as a list of flowables, the form a table can split inside a row."""
    if isinstance(value, list | tuple):
        return list(value)
    return [value if isinstance(value, Flowable) else para(value, size, right=right)]


def key_values(rows: Sequence[tuple[str, Cell]], label_width: str = "30%") -> Table:
    """Two columns: a shaded label and its value."""
    data = [[_cell(k, 8.5), _cell(v, 9)] for k, v in rows]
    rest = f"{100 - int(label_width.rstrip('%'))}%"
    table = _Table(data, colWidths=[label_width, rest])
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
    data: list[list[list[Flowable]]] = [[_cell(h, size) for h in header]]
    for row in rows:
        data.append([_cell(v, size, right=i in numeric) for i, v in enumerate(row)])
    table = _Table(data, colWidths=list(widths), repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
        ("GRID", (0, 0), (-1, -1), 0.4, _RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    style += [("BACKGROUND", (0, r + 1), (-1, r + 1), _SHADE) for r in emphasis]
    table.setStyle(_style_of(style))
    return table


def _shortened(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line of at most ``width`` points: cut with "…" when longer."""
    line = " ".join(text.split())
    if stringWidth(line, font, size) <= width:
        return line
    low, high = 0, len(line)  # the longest prefix that fits with the ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(line[:mid] + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return line[:low].rstrip() + "…"


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
    doc.keepTogetherClass = _Keep  # a heading is kept with what follows it (keepWithNext)

    # the footer names the document on one line: a long name (the company's) is shortened
    # there, never in the body, and the page number keeps its place on the right
    footer_line = _shortened(footer, font, 7.5, size[0] - 2 * 16 * mm - 20 * mm)

    def on_page(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(_RULE)
        canvas.drawString(16 * mm, 9 * mm, footer_line)
        canvas.drawRightString(size[0] - 16 * mm, 9 * mm, f"{document.page}")
        canvas.restoreState()

    hook: Callable[[Canvas, SimpleDocTemplate], None] = on_page
    doc.build(story, onFirstPage=hook, onLaterPages=hook)
    return buffer.getvalue()
