"""The JSON form of ``cybercover rate``: a quote request in, a :class:`RateRequest` out.

Input shape::

    {"company": {"annual_revenue": yen, "industry": key, "prefecture": "東京都",
                 "overseas_sales_ratio"?: number 0–1, "name"?: text},
     "options": {"limits": {...}, "deductibles"?: {...}, "business_interruption"?: bool,
                 "waiting_period"?: {"hours", "mode"}},
     "disclosure"?: {code: answer},
     "isms"?: {"certified": bool, "body"?: "JQA"}}

``options`` is read exactly as ``policy`` in ``cybercover adjudicate`` and validated by
:func:`~cybercover.terms.build.build_policy_terms` (problems under ``options.…``).
Disclosure codes the rate table does not use are left to underwriting and ignored here.
Shape errors, product rules and rating checks are gathered into one :class:`InputError`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

from cybercover.companies.address import Prefecture
from cybercover.errors import InputError, Problem
from cybercover.product.model import Product
from cybercover.rating.engine import (
    Answer,
    Premium,
    RateRequest,
    company_problems,
    disclosure_problems,
    rate,
    request_problems,
)
from cybercover.terms.build import build_policy_terms
from cybercover.terms.model import PolicyTerms
from cybercover.terms.scenario import WaitingIn
from cybercover.validation import decode_json, problems_from_validation_error

__all__ = ["load_rate_request", "parse_rate_request", "run_rate_request"]


# The terms need a start; rating does not depend on it (one-year period whatever the day).
_ANY_START = date(2000, 1, 1)


def _ratio(value: Any) -> Decimal:
    """A JSON number as an exact decimal (the JSON is decoded with Decimal floats)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise ValueError("数値で指定してください / must be a number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or not 0 <= number <= 1:
        raise ValueError(
            "0以上1以下の割合で指定してください（例: 0.15） / must be a share between 0 and 1 (e.g. 0.15)"
        )
    return number


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class CompanyIn(_In):
    name: str | None = None
    annual_revenue: StrictInt = Field(ge=0)
    industry: StrictStr
    prefecture: StrictStr
    overseas_sales_ratio: Annotated[Decimal, BeforeValidator(_ratio)] = Decimal(0)


class OptionsIn(_In):
    limits: dict[str, StrictInt]
    deductibles: dict[str, StrictInt] = {}
    business_interruption: StrictBool = False
    waiting_period: WaitingIn = WaitingIn()


class IsmsIn(_In):
    certified: StrictBool
    body: StrictStr | None = None


class RateRequestIn(_In):
    description: str | None = None
    company: CompanyIn
    options: OptionsIn
    disclosure: dict[str, Any] = {}
    isms: IsmsIn | None = None


def _is_prefecture(name: str) -> bool:
    """One of the 47 prefectures (the companies domain's table, JIS X 0401)."""
    try:
        Prefecture.parse(name)
    except ValueError:
        return False
    return True


def parse_rate_request(data: Any, product: Product) -> RateRequest:
    """Validate a decoded request against ``product``; raise one :class:`InputError`."""
    try:
        parsed = RateRequestIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc)) from None

    problems: list[Problem] = []
    company = parsed.company
    if not _is_prefecture(company.prefecture):
        problems.append(
            Problem(
                "company.prefecture",
                "unknown_prefecture",
                "都道府県名で指定してください（例: 東京都）。日本国内に所在する企業が対象です",
                "must be one of the 47 prefectures of Japan (e.g. 東京都); "
                "only companies located in Japan are eligible",
            )
        )
    isms_body: str | None = None
    if parsed.isms is not None and parsed.isms.certified:
        if parsed.isms.body is None or not parsed.isms.body.strip():
            problems.append(
                Problem(
                    "isms.body",
                    "missing",
                    "ISMS認証の認証機関を指定してください（例: JQA）",
                    "name the certification body of the ISMS certificate (e.g. JQA)",
                )
            )
        else:
            isms_body = parsed.isms.body.strip()

    options = parsed.options
    terms: PolicyTerms | None = None
    try:
        terms = build_policy_terms(
            product,
            start=_ANY_START,
            limits=options.limits,
            deductibles=options.deductibles,
            options={"business_interruption": options.business_interruption},
            waiting_hours=options.waiting_period.hours,
            waiting_mode=options.waiting_period.mode,
            path=("options",),
        )
    except InputError as exc:
        problems.extend(exc.problems)
    disclosure: dict[str, Answer] = dict(parsed.disclosure)
    if terms is None:
        problems.extend(
            company_problems(
                product, company.annual_revenue, company.industry, company.overseas_sales_ratio
            )
        )
        problems.extend(disclosure_problems(product, disclosure))
        raise InputError(problems)

    request = RateRequest(
        annual_revenue=company.annual_revenue,
        industry=company.industry,
        terms=terms,
        overseas_sales_ratio=company.overseas_sales_ratio,
        disclosure=disclosure,
        isms_body=isms_body,
    )
    problems.extend(request_problems(product, request))
    if problems:
        raise InputError(problems)
    return request


def load_rate_request(text: str, product: Product, source: str = "request") -> RateRequest:
    """Decode JSON (numbers with a fraction become exact decimals) and parse it."""
    data = decode_json(text, source)
    return parse_rate_request(data, product)


def run_rate_request(text: str, product: Product, source: str = "request") -> dict[str, Any]:
    """The output form of ``cybercover rate``: ``{"premium": yen, "factors": [...]}``."""
    premium: Premium = rate(product, load_rate_request(text, product, source))
    return premium.as_dict()
