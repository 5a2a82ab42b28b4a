"""Message catalogs: English message ids in the templates, a Japanese catalog.

The catalog is the Babel ``.po`` file under ``i18n/ja/LC_MESSAGES/``; it is compiled to
``.mo`` in memory at startup with ``babel.messages.mofile``, so a fresh clone needs no
build step and no compiled file is committed. English needs no catalog (the ids are
English). Japanese is the default; the choice sticks in a cookie.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LANG", "LANGS", "LANG_COOKIE", "catalog_path", "translations"]

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
LANG_COOKIE = "cc_lang"
DOMAIN = "messages"


def catalog_path(lang: str) -> Path:
    return Path(__file__).parent / "i18n" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGS))
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English: the ids themselves)."""
    if lang == "en":
        return gettext.NullTranslations()
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
