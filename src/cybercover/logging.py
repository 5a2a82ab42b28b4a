"""Redaction of personal data and secrets from every log record (docs/operations.md).

:func:`install_redaction` wraps the logging record factory, so that every record made by
any logger (ours, uvicorn's access log, SQLAlchemy's SQL echo with its parameters, httpx)
has its message, and its traceback text, rewritten before any handler sees it:

- e-mail addresses → ``[email]``; telephone numbers → ``[phone]``;
- twelve-digit numbers (a My Number, 個人番号) → ``[my-number]``; card-like numbers of 14
  to 19 digits, with or without separators → ``[card]``;
- the value after a sensitive key (``password``, ``token``, ``secret``, ``my_number``,
  ``handles_card_data``, ``email``, ``phone``, ``contact``…) → ``[redacted]``;
- Argon2 hashes and bearer tokens → ``[secret]``.

Thirteen-digit 法人番号 (public corporate numbers) are left as they are.
"""

from __future__ import annotations

import logging
import numbers
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["install_redaction", "redact"]

_SENSITIVE_KEYS = (
    r"password|passwd|secret(?:_key)?|token|csrf_token|authorization|cookie|"
    r"my_?number|handles_my_number|handles_card_data|card_number|"
    r"e-?mail|contact_email|phone|tel|caller_contact|contact"
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # key=value, "key": "value", 'key': value (JSON, repr, query strings, form bodies)
    (
        re.compile(
            rf"""(?ix)(["']?\b(?:{_SENSITIVE_KEYS})\b["']?\s*[:=]\s*)
            (?:"[^"]*"|'[^']*'|[^\s,;&}}\])]+)"""
        ),
        r"\1[redacted]",
    ),
    (re.compile(r"\$argon2(?:id|i|d)\$[^\s'\",)]+"), "[secret]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [secret]"),
    (re.compile(r"\bcc_[A-Za-z0-9_-]{20,}"), "[secret]"),
    (re.compile(r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"(?<![\d-])(?:\d[ -]?){13,18}\d(?![\d-])"), "[card]"),
    (re.compile(r"(?<![\d-])\d{4}[ -]?\d{4}[ -]?\d{4}(?![\d-])"), "[my-number]"),
    (
        re.compile(r"(?<![\d-])(?:\+81[ -]?\d{1,4}|0\d{1,4})[ -]\d{1,4}[ -]\d{3,4}(?![\d-])"),
        "[phone]",
    ),
    (re.compile(r"(?<![\d-])0[5789]0\d{8}(?!\d)"), "[phone]"),
)


def redact(text: str) -> str:
    """``text`` with personal data and secrets replaced by placeholders."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


class _Shown:
    """An argument that is neither text nor a number, shown redacted by ``%s`` or ``%r``."""

    def __init__(self, value: object) -> None:
        self._str, self._repr = redact(str(value)), redact(repr(value))

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        return self._repr


def _arg(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, numbers.Number):  # %d and %.2f need numbers
        return value
    return _Shown(value)


class _Redacting:
    """A record factory that redacts what the wrapped one made. The arguments stay
    arguments (uvicorn's access formatter unpacks them), each one redacted."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        else:
            record.msg = _Shown(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: _arg(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_arg(v) for v in record.args)
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record


def install_redaction() -> None:
    """Redact every log record made from now on in this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _Redacting):
        logging.setLogRecordFactory(_Redacting(factory))
