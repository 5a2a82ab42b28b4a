"""The renderers on hand-written data: the text reads back with pypdf (so the font is
embedded with a ToUnicode map), each first page rasterised by pdftoppm is not blank,
and the same data gives the same bytes."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from cybercover.documents import Lang, render_quote
from cybercover.documents.fonts import FONT, font_path
from tests.unit.documents import samples
from tests.unit.documents.pdftext import first_page_png, has, text_of

Render = Callable[[Lang], bytes]


def test_the_font_comes_from_the_installed_package() -> None:
    path = font_path()
    assert path.name == "ipaexg.ttf" and path.stat().st_size > 1_000_000


@pytest.mark.parametrize("name", sorted(samples.RENDERERS))
def test_every_document_embeds_ipaex_gothic_with_a_tounicode_map(name: str) -> None:
    reader = PdfReader(io.BytesIO(samples.RENDERERS[name]("ja")))
    fonts: list[Any] = []
    for page in reader.pages:
        resources = page["/Resources"]["/Font"]
        fonts.extend(resources[key].get_object() for key in resources)
    ours = [f for f in fonts if FONT in str(f["/BaseFont"])]
    assert ours, [str(f["/BaseFont"]) for f in fonts]
    for font in ours:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType subset is embedded
        assert "/ToUnicode" in font  # so text can be searched and extracted
    assert all(FONT in str(f["/BaseFont"]) for f in fonts)  # no other (unembedded) font


def test_the_quote_shows_options_side_by_side_with_every_factor() -> None:
    text = text_of(samples.RENDERERS["quote"]("ja"))
    has(
        text,
        "見積書",
        "株式会社サンプル精工",
        "プラン1",
        "プラン2＋BI",
        "1億円（100,000,000円）",
        "5億円（500,000,000円）",
        "5,000万円（50,000,000円）",
        "付帯なし",  # plan 1 has no BI option
        "3.5時間（免責時間を超えて継続した場合に初時間から支払）",
        "70,000円",  # the base premium, as an amount
        "×0.95→66,500円",
        "×2.46→163,590円",  # 66,500 × 2.46
        "×0.70→114,513円",  # 163,590 × 0.70, floored by the sample
        "46,550円",
        "2026年4月1日（令和8年4月1日）午前0時から",
        "JQA第12345号",
    )
    assert text_of(samples.RENDERERS["quote"]("en")).count("Quotation") >= 1


def test_a_quote_with_four_options_turns_the_page_to_landscape() -> None:
    sample = samples.quote()
    wide = render_quote(dataclasses.replace(sample, options=sample.options * 2), "ja")
    page = PdfReader(io.BytesIO(wide)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    narrow = PdfReader(io.BytesIO(render_quote(sample, "ja"))).pages[0]
    assert float(narrow.mediabox.width) < float(narrow.mediabox.height)


def test_the_schedule_and_the_letter_read_back_their_figures() -> None:
    schedule = text_of(samples.RENDERERS["schedule"]("ja"))
    has(
        schedule,
        "CY-2026-000123-7",
        "2027年4月1日（令和9年4月1日）午前0時まで（1年間）",
        "株式会社ラック（お問い合わせ窓口）",
        "60%",
        "40%",
        "ネットワークの使用不能が3.5時間を超えて継続した場合に限り",
    )
    letter = text_of(samples.RENDERERS["settlement"]("ja"))
    has(
        letter,
        "顧客への損害賠償金<和解>",  # typed text is printed as typed, not read as markup
        "1名あたり1,000円まで（500名）",
        "400,000円",
        "3,000,000円",
        # claimed 5,900,000, paid 2,400,000, withheld 3,500,000
        "5,900,000円",
        "2,400,000円",
        "3,500,000円",
        "497,600,000円",
    )
    english = text_of(samples.RENDERERS["settlement"]("en"))
    has(english, "Notice of insurance payment", "ransom payments are not paid", "3,500,000 yen")


def test_the_incident_report_shows_deadline_status_and_partner_costs() -> None:
    text = text_of(samples.RENDERERS["incident"]("ja"))
    has(
        text,
        "INC-2026-000005",
        "期限超過",
        "完了",
        "フォレンジック株式会社",
        "1,100,000円",
        "承認済みの請求額合計1,100,000円（税込）",
    )


@pytest.mark.parametrize("name", sorted(samples.RENDERERS))
def test_the_same_data_gives_the_same_bytes(name: str) -> None:
    render: Render = samples.RENDERERS[name]
    assert render("ja") == render("ja")
    assert render("ja") != render("en")


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None and not os.environ.get("CI"),
    reason="poppler-utils missing (scripts/test.sh installs it; under CI this test runs)",
)
@pytest.mark.parametrize("name", sorted(samples.RENDERERS))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_first_page_rasterises_to_a_page_that_is_not_blank(
    name: str, lang: Lang, tmp_path: Path
) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(samples.RENDERERS[name](lang))
    png = first_page_png(pdf, tmp_path / "p", 40)
    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    inked = sum(histogram[:200])  # pixels clearly darker than paper
    total = sum(histogram)
    # a full page of tables and text: several per cent of the page is ink, not 0
    assert inked / total > 0.03, inked / total
