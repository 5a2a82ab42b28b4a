"""Reading HTML forms into the shapes the services take.

Only the transport is adapted here (text to int, a Tokyo wall-clock time to an aware
ISO time, yes/no to a boolean); every rule stays in the services, which answer with the
field path of the problem. A value that cannot be converted is passed on as typed, so
the service names the field and the rule in its own words.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.datastructures import UploadFile

from cybercover.errors import InputError
from cybercover.validation import problems_from_errors
from cybercover.web.common import Page

__all__ = [
    "as_bool",
    "as_int",
    "as_jst",
    "day",
    "form_data",
    "moment",
    "option_from_form",
    "read_upload",
    "upload",
    "whole_number",
]

LIMIT_KEYS = (
    "liability",
    "response_costs",
    "profit_loss",
    "continuation_costs",
    "business_interruption",
)
DEDUCTIBLE_KEYS = ("liability", "response_costs")


def form_data(page: Page) -> dict[str, str]:
    """The text fields of the posted form (the CSRF token left out), as ``page_user``
    read them; a copy, so that a handler may change it."""
    return dict(page.form)


def upload(page: Page, name: str) -> UploadFile | None:
    value = page.files.get(name)
    return value if value is not None and value.filename else None


def read_upload(file: UploadFile, limit: int) -> bytes:
    """Up to ``limit`` bytes of an uploaded file (the form is already spooled)."""
    return file.file.read(limit)


def as_int(text: str | None) -> int | str | None:
    """``"30,000,000"`` → ``30000000``; blank → None; anything else as typed."""
    if text is None or text == "":
        return None
    plain = text.replace(",", "").replace("_", "")
    if plain.lstrip("-").isdigit():
        return int(plain)
    return text


def whole_number(form: dict[str, str], name: str) -> int:
    """A field the service takes as ``int``: text that is not a whole number is refused
    here, with the same words the API uses for a body that is not an integer."""
    value = as_int(form.get(name))
    if isinstance(value, int):
        return value
    kind = "missing" if value is None else "int_parsing"
    raise InputError(problems_from_errors([{"type": kind, "loc": (name,), "msg": ""}]))


def day(form: dict[str, str], name: str) -> date:
    """A ``date`` field, refused as the API refuses a body's bad date."""
    text = form.get(name, "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        kind = "missing" if not text else "date_parsing"
        raise InputError(
            problems_from_errors([{"type": kind, "loc": (name,), "msg": ""}])
        ) from None


def as_bool(text: str | None) -> bool | str | None:
    if text in (None, ""):
        return None
    return {"yes": True, "true": True, "no": False, "false": False}.get(str(text), text)


def as_jst(text: str | None) -> str | None:
    """A ``datetime-local`` value (a Tokyo wall-clock time) as an aware ISO time."""
    if not text:
        return None
    if len(text) == 16 and text[10] == "T":
        return text + ":00+09:00"
    return text


def option_from_form(form: dict[str, str], prefix: str) -> dict[str, Any] | None:
    """One coverage option of a quote or endorsement form; None when left blank."""
    limits = {k: as_int(form.get(f"{prefix}.limits.{k}")) for k in LIMIT_KEYS}
    limits = {k: v for k, v in limits.items() if v not in (None, 0)}
    if not limits and not form.get(f"{prefix}.label"):
        return None
    option: dict[str, Any] = {"label": form.get(f"{prefix}.label", ""), "limits": limits}
    deductibles = {k: as_int(form.get(f"{prefix}.deductibles.{k}")) for k in DEDUCTIBLE_KEYS}
    option["deductibles"] = {k: v for k, v in deductibles.items() if v is not None}
    if form.get(f"{prefix}.business_interruption") == "yes":
        option["business_interruption"] = True
        hours = as_int(form.get(f"{prefix}.waiting_period.hours"))
        if hours is not None:
            option["waiting_period"] = {
                "hours": hours,
                "mode": form.get(f"{prefix}.waiting_period.mode") or "qualifying",
            }
    return option


def moment(form: dict[str, str], name: str) -> datetime | None:
    """An aware time from a ``datetime-local`` field (Tokyo time); blank → None."""
    text = as_jst(form.get(name))
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            problems_from_errors([{"type": "datetime_parsing", "loc": (name,), "msg": ""}])
        ) from None
    if value.tzinfo is None:
        raise InputError(
            problems_from_errors([{"type": "timezone_aware", "loc": (name,), "msg": ""}])
        )
    return value
