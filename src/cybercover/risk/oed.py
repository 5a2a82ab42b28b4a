"""Open Exposure Data (OED v4) cyber account files in and out (docs/risk-model.md §OED).

One row per policy, account-level cyber fields. How each maps to our terms:

===========================  ====================================================
OED field                    ours
===========================  ====================================================
``PolNumber`` (else          the insured's key
``AccNumber``)
``PolInceptionDate``         the period start (ISO date)
``PolExpiryDate``            **inclusive** last day in OED; our period is half-open,
                             so ``end = PolExpiryDate + 1 day``; it must make the
                             product's one-year period
``AnnualRevenue`` +          revenue in yen (``AnnualRevenueCurrency`` must be JPY)
``AnnualRevenueCurrency``
``IndustryScheme1`` +        ``JSIC`` (2-digit middle group, mapped by the rate
``IndustryCode1``            table) or ``CYBERCOVER`` (our class key)
``PolLimitLIA``/``PolDedLIA``    ① liability (``LayerLimit`` when absent)
``PolLimitINRE``/``PolDedINRE``  ② incident response costs
``PolLimitNPBI``/``PolDedNPBI``  ③ loss of profit; > 0 means the BI option is bought
``FlexiPolLimitCONT``/           ④ business continuation costs (no OED field: a Flexi)
``FlexiPolDedCONT``
``FlexiPolLimitBI``          the shared ③ + ④ limit (default: the product's)
``LayerAggLimit``            the period aggregate (default: the product's)
``PolDed``                   the deductible of any part without its own
``BIWaitingPeriod``          waiting period in hours; ``FlexiPolBIWaitingMode``
                             ``qualifying`` / ``time_deductible``
``CloudVendor``              a vendor name of the model, or an OED code mapped by the
                             model's ``vendors.oed_codes``
``GrossProfitMargin``        the insured's profit rate (0.25 = 25%)
``FlexiAcc<code>``           a disclosure answer (``FlexiAccmfa = 1``); ``ISMS`` = 1 when
                             certified
``PolGrossPremium``          the written premium (kept, for loss ratios)
===========================  ====================================================
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from cybercover.errors import InputError, Problem
from cybercover.product.model import Product
from cybercover.risk.exposure import Insured
from cybercover.risk.model import LossModel
from cybercover.terms.build import build_policy_terms
from cybercover.terms.model import PolicyTerms
from cybercover.timeutil import JST, add_years, period_start

__all__ = ["OED_COLUMNS", "OedPolicy", "read_oed", "write_oed"]

_LIMITS = {
    "liability": ("PolLimitLIA", "PolDedLIA"),
    "response_costs": ("PolLimitINRE", "PolDedINRE"),
    "profit_loss": ("PolLimitNPBI", "PolDedNPBI"),
    "continuation_costs": ("FlexiPolLimitCONT", "FlexiPolDedCONT"),
}

OED_COLUMNS = (
    "PortNumber",
    "AccNumber",
    "PolNumber",
    "InsuredName",
    "OEDVersion",
    "AccCurrency",
    "PolInceptionDate",
    "PolExpiryDate",
    "CountryCode",
    "IndustryScheme1",
    "IndustryCode1",
    "AnnualRevenue",
    "AnnualRevenueCurrency",
    "GrossProfitMargin",
    "PolGrossPremium",
    "PolDed",
    "PolLimitLIA",
    "PolDedLIA",
    "PolLimitINRE",
    "PolDedINRE",
    "PolLimitNPBI",
    "PolDedNPBI",
    "FlexiPolLimitCONT",
    "FlexiPolDedCONT",
    "FlexiPolLimitBI",
    "LayerAggLimit",
    "LimitCurrency",
    "DedCurrency",
    "BIWaitingPeriod",
    "FlexiPolBIWaitingMode",
    "CloudVendor",
)


@dataclass(frozen=True, slots=True)
class OedPolicy:
    """One policy for the OED writer."""

    key: str
    name: str
    revenue: int
    jsic: str | None
    industry: str
    terms: PolicyTerms
    premium: int | None = None
    cloud_vendor: str | None = None
    profit_rate: float | None = None


class _Row:
    def __init__(self, row: Mapping[str, str | None], index: int, problems: list[Problem]):
        self.row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        self.index = index
        self.problems = problems

    def fail(self, field: str, code: str, ja: str, en: str) -> None:
        self.problems.append(Problem(f"rows[{self.index}].{field}", code, ja, en))

    def text(self, field: str) -> str:
        return self.row.get(field, "")

    def amount(self, field: str, *, required: bool = False) -> int | None:
        raw = self.text(field).replace(",", "")
        if not raw:
            if required:
                self.fail(field, "required", "必須の項目です", "is required")
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.fail(field, "not_a_number", "数値ではありません", f"is not a number ({raw!r})")
            return None
        if value != value.to_integral_value() or value < 0:
            self.fail(
                field,
                "not_whole_yen",
                "0以上の整数（円）で指定してください",
                f"must be a whole, non-negative yen amount ({raw})",
            )
            return None
        return int(value)

    def day(self, field: str) -> date | None:
        raw = self.text(field)
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.fail(
                field,
                "not_a_date",
                "日付（YYYY-MM-DD）で指定してください",
                f"must be a date YYYY-MM-DD (got {raw!r})",
            )
            return None


def _currency_ok(r: _Row, field: str) -> None:
    value = r.text(field)
    if value and value != "JPY":
        r.fail(field, "currency", "円建て（JPY）のみ扱えます", f"only JPY is supported ({value})")


def read_oed(
    source: str | Path | Iterable[str], product: Product, model: LossModel
) -> tuple[list[Insured], list[int | None]]:
    """Read an OED cyber account CSV into insureds (and their written premiums).

    Every problem of every row is collected; an :class:`InputError` names each as
    ``rows[i].Field``."""
    if isinstance(source, str | Path) and Path(source).exists():
        text = Path(source).read_text(encoding="utf-8-sig")
        lines: Iterable[str] = io.StringIO(text)
    elif isinstance(source, str | Path):
        raise InputError(
            [Problem(str(source), "not_found", "ファイルがありません", "no such file")]
        )
    else:
        lines = source
    reader = csv.DictReader(lines)
    problems: list[Problem] = []
    insureds: list[Insured] = []
    premiums: list[int | None] = []
    for i, raw in enumerate(reader):
        r = _Row(raw, i, problems)
        before = len(problems)
        key = r.text("PolNumber") or r.text("AccNumber")
        if not key:
            r.fail(
                "PolNumber", "required", "証券番号が必要です", "PolNumber or AccNumber is required"
            )
        start = r.day("PolInceptionDate")
        expiry = r.day("PolExpiryDate")
        if start is not None and expiry is not None:
            end = expiry + timedelta(days=1)  # OED's expiry day is inclusive
            expected = add_years(period_start(start), product.period.years).date()
            if end != expected:
                r.fail(
                    "PolExpiryDate",
                    "period_length",
                    f"保険期間は{product.period.years}年です（満了日は {expected - timedelta(days=1)}）",
                    f"the period must be {product.period.years} year(s): the inclusive expiry "
                    f"day is {expected - timedelta(days=1)}",
                )
        revenue = r.amount("AnnualRevenue", required=True)
        for field in ("AnnualRevenueCurrency", "AccCurrency", "LimitCurrency", "DedCurrency"):
            _currency_ok(r, field)
        industry = _industry(r, product, model)
        limits: dict[str, int] = {}
        deductibles: dict[str, int] = {}
        default_ded = r.amount("PolDed")
        for part, (lim_f, ded_f) in _LIMITS.items():
            lim = r.amount(lim_f)
            if part == "liability" and lim is None:
                lim = r.amount("LayerLimit")
            if lim is not None and lim > 0:
                limits[part] = lim
            ded = r.amount(ded_f)
            if ded is None:
                ded = default_ded
            if ded is not None:
                deductibles[part] = ded
        bi = "profit_loss" in limits or "continuation_costs" in limits
        shared = r.amount("FlexiPolLimitBI")
        if shared is not None and bi:
            limits["business_interruption"] = shared
        agg = r.amount("LayerAggLimit")
        if agg is not None:
            limits["aggregate"] = agg
        waiting_raw = r.text("BIWaitingPeriod")
        waiting: Fraction | None = None
        if waiting_raw:
            try:
                waiting = Fraction(waiting_raw)
            except (ValueError, ZeroDivisionError):
                r.fail(
                    "BIWaitingPeriod", "not_a_number", "時間数で指定してください", "must be hours"
                )
        mode = r.text("FlexiPolBIWaitingMode") or None
        vendor = _vendor(r, model)
        margin_raw = r.text("GrossProfitMargin")
        margin: float | None = None
        if margin_raw:
            try:
                margin = float(margin_raw)
                if not 0 < margin <= 1:
                    raise ValueError
            except ValueError:
                r.fail(
                    "GrossProfitMargin",
                    "range",
                    "0より大きく1以下の割合で指定してください",
                    "must be a share in (0, 1]",
                )
                margin = None
        answers: dict[str, object] = {}
        for name, value in r.row.items():
            if name.startswith("FlexiAcc") and value and name != "FlexiAccISMS":
                answers[name.removeprefix("FlexiAcc")] = _answer(value)
        isms = r.text("FlexiAccISMS") in {"1", "true", "True"}
        premium = r.amount("PolGrossPremium")
        if len(problems) > before or start is None or revenue is None or industry is None:
            continue
        try:
            terms = build_policy_terms(
                product,
                start=start,
                limits=limits,
                deductibles=deductibles,
                options={"business_interruption": bi},
                waiting_hours=waiting,
                waiting_mode=mode,
                path=(f"rows[{i}]",),
            )
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        insureds.append(
            Insured(
                key=key,
                revenue=revenue,
                industry=industry,
                terms=terms,
                answers=answers,
                isms=isms,
                cloud_vendor=vendor,
                profit_rate=margin,
            )
        )
        premiums.append(premium)
    if problems:
        raise InputError(problems)
    if not insureds:
        raise InputError([Problem("rows", "empty", "契約の行がありません", "no policy rows")])
    return insureds, premiums


def _answer(value: str) -> object:
    if value.lower() in {"true", "yes"}:
        return True
    if value.lower() in {"false", "no"}:
        return False
    try:
        return int(value)
    except ValueError:
        return value


def _industry(r: _Row, product: Product, model: LossModel) -> str | None:
    scheme = r.text("IndustryScheme1").upper()
    code = r.text("IndustryCode1")
    if scheme == "CYBERCOVER":
        if code in model.industries:
            return code
        r.fail("IndustryCode1", "unknown_industry", "業種区分がありません", f"unknown class {code}")
        return None
    if scheme == "JSIC":
        try:
            return product.rating.industry_for_jsic(code[:2])
        except (KeyError, ValueError):
            r.fail(
                "IndustryCode1",
                "unknown_industry",
                "JSIC中分類（2桁）ではありません",
                f"is not a JSIC middle group ({code})",
            )
            return None
    r.fail(
        "IndustryScheme1",
        "unsupported_scheme",
        "JSIC または CYBERCOVER を指定してください",
        f"use JSIC or CYBERCOVER (got {scheme or 'nothing'})",
    )
    return None


def _vendor(r: _Row, model: LossModel) -> str | None:
    raw = r.text("CloudVendor")
    if not raw:
        return None
    mapped = model.vendors.resolve(raw) or model.vendors.oed_codes.get(raw)
    if mapped is None:
        r.fail(
            "CloudVendor",
            "unknown_vendor",
            "クラウド事業者のコードが不明です",
            f"unknown vendor {raw!r} (names: {', '.join(model.vendors.names)})",
        )
    return mapped


def write_oed(policies: Sequence[OedPolicy], out: io.TextIOBase | Path) -> None:
    """Write policies as an OED v4 cyber account CSV (inclusive ``PolExpiryDate``)."""
    rows = []
    for p in policies:
        t = p.terms
        parts = {part.code: part for part in t.parts}
        shared = {s.code: s.limit for s in t.shared}
        row: dict[str, object] = {
            "PortNumber": "cybercover",
            "AccNumber": p.key,
            "PolNumber": p.key,
            "InsuredName": p.name,
            "OEDVersion": "4.0.0",
            "AccCurrency": "JPY",
            "PolInceptionDate": t.start.astimezone(JST).date().isoformat(),
            "PolExpiryDate": _inclusive_expiry(t),
            "CountryCode": "JP",
            "IndustryScheme1": "JSIC" if p.jsic else "CYBERCOVER",
            "IndustryCode1": p.jsic or p.industry,
            "AnnualRevenue": p.revenue,
            "AnnualRevenueCurrency": "JPY",
            "GrossProfitMargin": "" if p.profit_rate is None else p.profit_rate,
            "PolGrossPremium": "" if p.premium is None else p.premium,
            "LayerAggLimit": t.aggregate,
            "LimitCurrency": "JPY",
            "DedCurrency": "JPY",
            "BIWaitingPeriod": _hours(t.waiting.hours),
            "FlexiPolBIWaitingMode": t.waiting.mode,
            "CloudVendor": p.cloud_vendor or "",
            "FlexiPolLimitBI": shared.get("business_interruption", "")
            if parts["profit_loss"].bought
            else "",
        }
        for code, (lim_f, ded_f) in _LIMITS.items():
            part = parts[code]
            row[lim_f] = part.limit if part.bought else ""
            row[ded_f] = part.deductible if part.bought else ""
        rows.append(row)
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8", newline="") as fh:
            _write_rows(fh, rows)
    else:
        _write_rows(out, rows)


def _write_rows(fh: io.TextIOBase | io.TextIOWrapper, rows: list[dict[str, object]]) -> None:
    writer = csv.DictWriter(fh, fieldnames=list(OED_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)


def _inclusive_expiry(terms: PolicyTerms) -> str:
    return (terms.end.astimezone(JST).date() - timedelta(days=1)).isoformat()


def _hours(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))
