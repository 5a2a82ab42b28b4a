"""Disclosure answers (告知) and the ISMS certificate: validation and waivers.

Pure: values in, values out. An answer of the wrong type, to a question the product
does not ask, or a choice it does not offer is an :class:`~cybercover.errors.InputError`
naming ``disclosure.<code>``. An answer that is *missing* is not an input error: an
application may be saved unfinished. Missing required answers are reported in
:class:`CheckedAnswers` and become underwriting issues that block the quote or the bind
(rules ``answers_missing_at_quote`` / ``answers_missing_at_bind``, docs/underwriting.md).

ISMS (PRODUCT.md §7): submitting a copy of an ISMS certificate from JQA or BSI-J
greatly simplifies the documents needed; we read it as answering every question marked
``waived_by_isms_certificate``. A certificate expired at the quote date does not count,
nor does one from another body (our reading: the page names only these two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)

from cybercover.errors import InputError, Problem, format_path
from cybercover.underwriting.model import QuestionDef, Stage
from cybercover.validation import exact_decimal, problems_from_validation_error

if TYPE_CHECKING:
    from cybercover.product.model import Product

__all__ = [
    "CheckedAnswers",
    "IsmsCertificate",
    "answer_problems",
    "isms_valid",
    "isms_waives",
    "missing_answers",
    "parse_isms",
    "validate_answers",
    "waived_questions",
]

Answer = bool | int | Decimal | str | date
"""A normalised answer: bool, int, Decimal (decimal questions), str (text, choice), date."""


class IsmsCertificate(BaseModel):
    """What the applicant declares about its ISMS certificate (ISO/IEC 27001).

    ``body`` is one of the product's ``disclosure.isms.bodies`` (checked by
    :func:`parse_isms`); a certified company gives the body, the certificate number and
    the expiry date (from the copy it submits), and optionally the scope.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    certified: StrictBool
    body: StrictStr | None = None
    certificate_number: StrictStr | None = Field(default=None, min_length=1)
    expires_on: date | None = None
    scope: StrictStr | None = None

    @model_validator(mode="after")
    def _certified_gives_details(self) -> IsmsCertificate:
        if self.certified and (
            self.body is None or self.certificate_number is None or self.expires_on is None
        ):
            raise ValueError(
                "認証取得の場合は認証機関・登録番号・有効期限が必要です / "
                "a certified company gives the body, the certificate number and the expiry date"
            )
        return self


def parse_isms(
    product: Product, data: Mapping[str, Any] | None, path: Sequence[str | int] = ("isms",)
) -> IsmsCertificate | None:
    """The ISMS declaration of a request (``None``: not given); raises ``InputError``."""
    if data is None:
        return None
    try:
        cert = IsmsCertificate.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, path)) from None
    bodies = product.disclosure.isms.bodies
    if cert.body is not None and cert.body not in bodies:
        raise InputError(
            [
                Problem(
                    format_path([*path, "body"]),
                    "unknown_isms_body",
                    f"指定できない認証機関です（{', '.join(bodies)}）",
                    f"is not a certification body of the product ({', '.join(bodies)})",
                )
            ]
        )
    return cert


def isms_valid(isms: IsmsCertificate | None, on: date) -> bool:
    """Certified, with a certificate not expired at ``on`` (the quote date; a certificate
    that expires on that day still counts that day)."""
    return (
        isms is not None
        and isms.certified
        and isms.expires_on is not None
        and isms.expires_on >= on
    )


def isms_waives(product: Product, isms: IsmsCertificate | None, on: date) -> bool:
    """A valid certificate of a body whose copy answers the waivable questions."""
    return (
        isms_valid(isms, on)
        and isms is not None
        and isms.body in product.disclosure.isms.waiver_bodies
    )


def waived_questions(product: Product, isms: IsmsCertificate | None, *, on: date) -> frozenset[str]:
    """Codes answered by the certificate copy (PRODUCT.md §7); empty when it does not count."""
    if not isms_waives(product, isms, on):
        return frozenset()
    return frozenset(q.code for q in product.disclosure.questions if q.waived_by_isms_certificate)


def _bad(path: str, rule: str, ja: str, en: str) -> Problem:
    return Problem(path, rule, ja, en)


def _normalise(q: QuestionDef, raw: object, path: str) -> tuple[Answer | None, Problem | None]:
    """One answer checked against its question; JSON forms are accepted (a decimal as a
    string or number, a date as ``YYYY-MM-DD``)."""
    if q.type == "bool":
        if isinstance(raw, bool):
            return raw, None
        return None, _bad(
            path,
            "bool_type",
            "はい（true）またはいいえ（false）で回答してください",
            "must be true or false",
        )
    if q.type in ("int", "decimal"):
        number: int | Decimal
        if q.type == "int":
            if not isinstance(raw, int) or isinstance(raw, bool):
                return None, _bad(
                    path, "int_type", "整数で回答してください", "must be a whole number"
                )
            number = raw
        else:
            if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
                return None, _bad(
                    path, "decimal_type", "数値で回答してください", "must be a number"
                )
            try:
                number = exact_decimal(raw)
            except ValueError:
                return None, _bad(
                    path, "decimal_type", "数値で回答してください", "must be a number"
                )
        if q.min is not None and number < q.min:
            return None, _bad(
                path,
                "greater_than_equal",
                f"{q.min} 以上で回答してください",
                f"must be at least {q.min}",
            )
        if q.max is not None and number > q.max:
            return None, _bad(
                path,
                "less_than_equal",
                f"{q.max} 以下で回答してください",
                f"must be at most {q.max}",
            )
        return number, None
    if q.type in ("text", "choice"):
        if not isinstance(raw, str):
            return None, _bad(path, "string_type", "文字列で回答してください", "must be a string")
        text = raw.strip()
        if q.type == "choice" and text not in q.option_values:
            allowed = ", ".join(q.option_values)
            return None, _bad(
                path,
                "choice_not_allowed",
                f"選択できない値です（{allowed}）",
                f"is not one of the choices ({allowed})",
            )
        if q.max_length is not None and len(text) > q.max_length:
            return None, _bad(
                path,
                "string_too_long",
                f"{q.max_length} 文字以内で回答してください",
                f"must be at most {q.max_length} characters",
            )
        if not text:
            return None, None  # an empty text is no answer
        return text, None
    # date
    if isinstance(raw, date):
        return raw, None
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw), None
        except ValueError:
            pass
    return None, _bad(
        path, "date_type", "日付（YYYY-MM-DD）で回答してください", "must be a date (YYYY-MM-DD)"
    )


def answer_problems(
    product: Product, answers: Mapping[str, object], path: Sequence[str | int] = ("disclosure",)
) -> tuple[dict[str, Answer], list[Problem]]:
    """Normalised answers and every problem: unknown question, wrong type, choice not
    offered, out of bounds. ``None`` (or an empty text) is no answer."""
    out: dict[str, Answer] = {}
    problems: list[Problem] = []
    known = product.disclosure.codes
    for code, raw in answers.items():
        where = format_path([*path, code])
        if code not in known:
            problems.append(
                _bad(
                    where,
                    "unknown_question",
                    "この商品の告知項目ではありません",
                    "is not a disclosure question of the product",
                )
            )
            continue
        if raw is None:
            continue
        value, problem = _normalise(product.disclosure.question(code), raw, where)
        if problem is not None:
            problems.append(problem)
        elif value is not None:
            out[code] = value
    return out, problems


_STAGES: Mapping[Stage, tuple[Stage, ...]] = {"quote": ("quote",), "bind": ("quote", "bind")}


def missing_answers(
    product: Product, answers: Mapping[str, object], stages: Sequence[Stage], waived: frozenset[str]
) -> tuple[str, ...]:
    """Codes required at one of ``stages``, unanswered and not waived, in question order."""
    return tuple(
        q.code
        for q in product.disclosure.questions
        if q.required_at in stages and answers.get(q.code) is None and q.code not in waived
    )


@dataclass(frozen=True, slots=True)
class CheckedAnswers:
    """Answers that passed :func:`validate_answers`.

    ``values``: normalised answers by code; ``waived``: codes answered by the ISMS
    certificate copy; ``missing``: codes required by ``stage`` (at the quote, or at the
    quote or the bind) that are still unanswered and not waived.
    """

    stage: Stage
    values: Mapping[str, Answer] = field(default_factory=dict)
    waived: frozenset[str] = frozenset()
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


def validate_answers(
    product: Product,
    answers: Mapping[str, object],
    stage: Stage,
    isms: IsmsCertificate | None,
    *,
    on: date,
) -> CheckedAnswers:
    """Check ``answers`` for ``stage`` on the quote date ``on``.

    Raises :class:`InputError` listing every wrong answer (``disclosure.<code>``); a
    missing answer is reported in :attr:`CheckedAnswers.missing`, not raised.
    """
    values, problems = answer_problems(product, answers)
    if problems:
        raise InputError(problems)
    waived = waived_questions(product, isms, on=on)
    return CheckedAnswers(
        stage=stage,
        values=values,
        waived=waived,
        missing=missing_answers(product, values, _STAGES[stage], waived),
    )
