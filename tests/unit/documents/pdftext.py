"""Reading documents back: the text of a PDF (via pypdf, so only an embedded font with a
ToUnicode map gives the Japanese back), and the first page as PNG (poppler's pdftoppm)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader


def text_of(pdf: bytes) -> str:
    """Every page's text, whitespace removed (table cells wrap where they like)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def has(text: str, *needles: str) -> None:
    for needle in needles:
        assert re.sub(r"\s+", "", needle) in text, needle


def first_page_png(pdf: Path, stem: Path, dpi: int) -> Path:
    """Rasterise page 1 of ``pdf`` to ``stem``.png."""
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")
