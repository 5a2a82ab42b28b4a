"""Turn pydantic's validation errors into :class:`~cybercover.errors.Problem` rows.

Messages are Japanese first and English second, and always name the rule broken, so the
CLI, the API and the pages can show the same sentence next to the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from cybercover.errors import InputError, Problem, format_path

__all__ = [
    "decode_json",
    "exact_decimal",
    "problems_from_errors",
    "problems_from_validation_error",
]

_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必須項目です", "is required"),
    "extra_forbidden": ("不明な項目です", "is not a known field"),
    "int_type": ("整数で指定してください", "must be an integer"),
    "int_from_float": (
        "整数で指定してください（小数は不可）",
        "must be a whole number, not a fraction",
    ),
    "int_parsing": ("整数で指定してください", "must be an integer"),
    "bool_type": ("true または false で指定してください", "must be true or false"),
    "string_type": ("文字列で指定してください", "must be a string"),
    "decimal_type": ("数値で指定してください", "must be a number"),
    "decimal_parsing": ("数値で指定してください", "must be a number"),
    "float_type": ("数値で指定してください", "must be a number"),
    "list_type": ("配列で指定してください", "must be a list"),
    "tuple_type": ("配列で指定してください", "must be a list"),
    "dict_type": ("オブジェクトで指定してください", "must be an object"),
    "model_type": ("オブジェクトで指定してください", "must be an object"),
    "date_type": ("日付（YYYY-MM-DD）で指定してください", "must be a date (YYYY-MM-DD)"),
    "date_parsing": (
        "日付（YYYY-MM-DD）の形式が正しくありません",
        "is not a valid date (YYYY-MM-DD)",
    ),
    "date_from_datetime_parsing": (
        "日付（YYYY-MM-DD）の形式が正しくありません",
        "is not a valid date (YYYY-MM-DD)",
    ),
    "datetime_type": ("日時で指定してください", "must be a date-time"),
    "datetime_parsing": (
        "日時の形式が正しくありません（例: 2026-06-01T10:00:00+09:00）",
        "is not a valid date-time (e.g. 2026-06-01T10:00:00+09:00)",
    ),
    "datetime_from_date_parsing": (
        "日時の形式が正しくありません（例: 2026-06-01T10:00:00+09:00）",
        "is not a valid date-time (e.g. 2026-06-01T10:00:00+09:00)",
    ),
    "timezone_aware": (
        "時差（+09:00 など）付きの日時で指定してください",
        "must carry a UTC offset (e.g. +09:00)",
    ),
    "literal_error": ("指定できない値です", "is not one of the allowed values"),
    "enum": ("指定できない値です", "is not one of the allowed values"),
    "too_short": ("要素が足りません", "has too few items"),
    "string_too_short": ("空にできません", "must not be empty"),
    "string_pattern_mismatch": ("形式が正しくありません", "does not have the required format"),
}

_BOUNDS: dict[str, tuple[str, str, str]] = {
    "greater_than_equal": ("ge", "{v} 以上で指定してください", "must be at least {v}"),
    "greater_than": ("gt", "{v} より大きい値で指定してください", "must be greater than {v}"),
    "less_than_equal": ("le", "{v} 以下で指定してください", "must be at most {v}"),
    "less_than": ("lt", "{v} 未満で指定してください", "must be less than {v}"),
}


def _problem(err: ErrorDetails | Mapping[str, Any], prefix: Sequence[str | int]) -> Problem:
    path = format_path([*prefix, *err["loc"]])
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    if kind in _MESSAGES:
        ja, en = _MESSAGES[kind]
        if kind in ("literal_error", "enum") and "expected" in ctx:
            ja = f"{ja}（{ctx['expected']}）"
            en = f"{en} ({ctx['expected']})"
        return Problem(path, kind, ja, en)
    if kind in _BOUNDS:
        key, ja, en = _BOUNDS[kind]
        bound = ctx.get(key)
        return Problem(path, kind, ja.format(v=bound), en.format(v=bound))
    if kind == "value_error":
        # Our own validators raise ValueError("ja / en"): split it back.
        message = str(ctx.get("error", err["msg"]))
        ja, _, en = message.partition(" / ")
        return Problem(path, "value_error", ja, en or ja)
    return Problem(path, kind, "値が正しくありません", err["msg"])


def problems_from_validation_error(
    exc: ValidationError, prefix: Sequence[str | int] = ()
) -> list[Problem]:
    """Every error of ``exc`` as a :class:`Problem`, paths prefixed with ``prefix``."""
    return [_problem(err, prefix) for err in exc.errors(include_url=False)]


def problems_from_errors(
    errors: Iterable[Mapping[str, Any]], *, drop: Sequence[str] = ("body", "query", "path")
) -> list[Problem]:
    """Problems from pydantic-shaped error dicts (FastAPI's request errors): the
    location parts in ``drop`` (where the value came from) are left out of the path."""
    out = []
    for err in errors:
        loc = [part for part in err.get("loc", ()) if part not in drop]
        out.append(_problem({**err, "loc": loc}, ()))
    return out


def exact_decimal(value: Any) -> Decimal:
    """A number as an exact decimal: int, decimal string, or a float read via ``repr``
    (TOML and JSON floats), so ``0.5`` is exactly ``Decimal("0.5")``."""
    if isinstance(value, bool):
        raise ValueError("数値で指定してください / must be a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("数値で指定してください / must be a number") from None
    else:
        raise ValueError("数値で指定してください / must be a number")
    if not number.is_finite():
        raise ValueError("有限の数値で指定してください / must be a finite number")
    return number


def decode_json(text: str, source: str) -> Any:
    """Decode a JSON document; numbers with a fraction become exact ``Decimal``s.
    A syntax error is an :class:`InputError` naming the line and column."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    source,
                    "json_syntax",
                    f"JSON の構文エラー（{exc.lineno}行 {exc.colno}列）: {exc.msg}",
                    f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                )
            ]
        ) from None
