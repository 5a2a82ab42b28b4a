"""Text of any length flows across pages in every document: what people typed (a summary,
an item's description, a note, a company's name) is never too long for a table cell.

Each document is rendered from the hand-written samples with every free-text field made
very long: 20,000 characters of Japanese and English, one unbroken 5,000-character token,
300 lines. Each text ends with a marker of its own; the PDF must have more than one page
and every marker must be read back, so nothing was cut off (for the 300 lines, every
line). A last test lengthens every string of the data, labels from the product file too.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader

from cybercover.documents import (
    IncidentReport,
    Lang,
    PolicySchedule,
    Quote,
    SettlementLetter,
    T,
    render_incident,
    render_quote,
    render_schedule,
    render_settlement,
)
from cybercover.documents import model as m
from tests.unit.documents import samples
from tests.unit.documents.pdftext import text_of

_MIXED = "ランサムウェアでファイルサーバーが暗号化され、取引先への連絡を始めた。The file server was encrypted and we called our customers. "


class Texts:
    """Long texts of one kind, each ending with a marker of its own (``ZZ<field>ZZ``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.markers: list[str] = []
        self.lines: list[str] = []  # for "lines": every line of every text

    def __call__(self, field: str) -> str:
        marker = f"ZZ{field}ZZ"
        self.markers.append(marker)
        if self.kind == "mixed":
            body = (_MIXED * (20_000 // len(_MIXED) + 1))[: 20_000 - len(marker)]
            return body + marker
        if self.kind == "token":  # no space, no Japanese: a word wider than any column
            return ("A1b2C3d4E5" * 500)[: 5_000 - len(marker)] + marker
        assert self.kind == "lines"
        # short lines, so that none wraps in a narrow column (a wrapped line may break
        # across pages, its halves apart in the text read back)
        lines = [f"L{len(self.markers):02d}{i:03d}行" for i in range(300)]
        self.lines.extend(lines)
        return "\n".join([*lines, marker])  # 300 newlines

    def t(self, field: str) -> T:
        return T.same(self(field))


def long_quote(x: Texts) -> Quote:
    doc = samples.quote()
    return dataclasses.replace(
        doc,
        company=m.Insured(x("company"), doc.company.corporate_number, x("address")),
        isms=x.t("isms"),
        notes=(x.t("note"),),
        options=tuple(
            dataclasses.replace(o, label=x(f"option{i}")) for i, o in enumerate(doc.options)
        ),
    )


def long_schedule(x: Texts) -> PolicySchedule:
    doc = samples.schedule()
    return dataclasses.replace(
        doc,
        company=m.Insured(x("company"), doc.company.corporate_number, x("address")),
        insured_note=x.t("insurednote"),
        desk=x.t("desk"),
        agencies=tuple(
            dataclasses.replace(a, name=x.t(f"agency{i}"), address=x(f"agencyaddress{i}"))
            for i, a in enumerate(doc.agencies)
        ),
        notes=(x.t("note"),),
    )


def long_settlement(x: Texts) -> SettlementLetter:
    doc = samples.settlement()
    return dataclasses.replace(
        doc,
        company=dataclasses.replace(doc.company, name=x("company")),  # the address is not shown
        items=tuple(
            dataclasses.replace(
                item,
                description=x(f"item{i}"),
                withheld=tuple(
                    dataclasses.replace(w, text=x.t(f"reason{i}{j}"))
                    for j, w in enumerate(item.withheld)
                ),
            )
            for i, item in enumerate(doc.items)
        ),
        notes=(x.t("note"),),
    )


def long_incident(x: Texts) -> IncidentReport:
    doc = samples.incident()
    return dataclasses.replace(
        doc,
        company=x("company"),
        caller=x("caller"),
        summary=x("summary"),
        desk=x.t("desk"),
        hearing=tuple((q, x.t(f"answer{i}")) for i, (q, _) in enumerate(doc.hearing)),
        advice=tuple((x.t(f"advice{i}"), at) for i, (_, at) in enumerate(doc.advice)),
        dispatches=tuple(
            dataclasses.replace(
                d,
                partner=x(f"partner{i}"),
                costs=tuple(
                    dataclasses.replace(c, description=x(f"cost{i}{j}"))
                    for j, c in enumerate(d.costs)
                ),
            )
            for i, d in enumerate(doc.dispatches)
        ),
        timeline=tuple(
            dataclasses.replace(e, actor=x(f"actor{i}"), detail=x(f"detail{i}"))
            for i, e in enumerate(doc.timeline)
        ),
    )


def _quote(x: Texts, lang: Lang) -> bytes:
    return render_quote(long_quote(x), lang)


def _schedule(x: Texts, lang: Lang) -> bytes:
    return render_schedule(long_schedule(x), lang)


def _settlement(x: Texts, lang: Lang) -> bytes:
    return render_settlement(long_settlement(x), lang)


def _incident(x: Texts, lang: Lang) -> bytes:
    return render_incident(long_incident(x), lang)


DOCUMENTS: dict[str, Callable[[Texts, Lang], bytes]] = {
    "quote": _quote,
    "schedule": _schedule,
    "settlement": _settlement,
    "incident": _incident,
}


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("kind", "lang"), [("mixed", "ja"), ("token", "en"), ("lines", "ja")])
def test_long_free_text_flows_across_pages_and_nothing_is_cut_off(
    name: str, kind: str, lang: Lang
) -> None:
    texts = Texts(kind)
    pdf = DOCUMENTS[name](texts, lang)
    assert pdf.startswith(b"%PDF-")
    assert pages(pdf) > 1
    text = text_of(pdf)
    assert len(texts.markers) >= 5
    missing = [marker for marker in texts.markers if marker not in text]
    assert not missing, missing
    missing = [line for line in texts.lines if line not in text]
    assert not missing, missing[:5]


def test_the_incident_summary_of_the_schemathesis_case_renders_in_both_languages() -> None:
    """The 500 found: a summary longer than a page in the summary's table cell."""
    summary = "長い概要 " * 2_000 + "ZZendZZ"
    doc = dataclasses.replace(samples.incident(), summary=summary)
    for lang in ("ja", "en"):
        pdf = render_incident(doc, lang)
        assert pages(pdf) > 1 and "ZZendZZ" in text_of(pdf)


def test_a_long_text_starts_on_the_page_where_its_table_begins() -> None:
    """A row too tall for any page breaks where it stands: the first page holds the
    start of the summary, not only the title (ReportLab would move the table whole)."""
    doc = dataclasses.replace(samples.incident(), summary="START" + "概要の続き" * 4_000)
    first = PdfReader(io.BytesIO(render_incident(doc, "ja"))).pages[0].extract_text()
    assert "START" in first


def test_long_option_names_head_the_columns_as_numbered_options_named_above() -> None:
    quote = samples.quote()
    names = ("とても長いプラン名" * 10, "another very long option name " * 5)
    doc = dataclasses.replace(
        quote,
        options=tuple(
            dataclasses.replace(o, label=n) for o, n in zip(quote.options, names, strict=True)
        ),
    )
    text = text_of(render_quote(doc, "ja"))
    assert "案1：" + names[0] in text and "案2：" + names[1].replace(" ", "") in text
    assert "プラン1" in text_of(render_quote(quote, "ja"))  # short names head the columns


def _every_string(value: Any, make: Callable[[], str]) -> Any:
    """``value`` with every string in it (a T's both texts) replaced by ``make()``."""
    if isinstance(value, T):
        return T(make(), make())
    if isinstance(value, str):
        return make()
    if isinstance(value, tuple):
        return tuple(_every_string(v, make) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _every_string(getattr(value, f.name), make) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


@pytest.mark.parametrize(
    ("build", "render"),
    [
        (samples.quote, render_quote),
        (samples.schedule, render_schedule),
        (samples.settlement, render_settlement),
        (samples.incident, render_incident),
    ],
    ids=["quote", "schedule", "settlement", "incident"],
)
def test_every_string_of_the_data_may_be_long(
    build: Callable[[], Any], render: Callable[[Any, Lang], bytes]
) -> None:
    """Labels from the product file, numbers and names too: 2,000 characters each."""
    numbers = itertools.count()

    def make() -> str:
        return (_MIXED * 20)[:2_000] + f"ZZ{next(numbers)}ZZ"

    pdf = render(_every_string(build(), make), "ja")
    assert pages(pdf) > 1
    assert "ZZ0ZZ" in text_of(pdf)
