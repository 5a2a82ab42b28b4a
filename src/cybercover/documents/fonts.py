"""The one font of every document: IPAex Gothic, from the PyPI package matplotlib-fontja.

The .ttf is found through the installed package's file list (no matplotlib import) and
registered with ReportLab as a TrueType font, so each PDF embeds the subset it uses with
a ToUnicode map: every viewer shows the same glyphs, and the text can be searched and
extracted (tests read it back with pypdf).
"""

from __future__ import annotations

import importlib.metadata
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["FONT", "font_path", "register_fonts"]

FONT = "IPAexGothic"
_DISTRIBUTION = "matplotlib-fontja"
_FILE = "ipaexg.ttf"


def font_path() -> Path:
    """Where the installed package keeps ``ipaexg.ttf``; a clear error when it is missing."""
    try:
        dist = importlib.metadata.distribution(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError(
            f"the font package {_DISTRIBUTION} is not installed (pip install {_DISTRIBUTION})"
        ) from None
    for file in dist.files or ():
        if file.name == _FILE:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    raise RuntimeError(f"{_FILE} not found in the installed package {_DISTRIBUTION}")


@cache
def register_fonts() -> str:
    """Register IPAex Gothic once per process; returns the font name to use."""
    pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
    return FONT
