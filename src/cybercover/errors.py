"""The one exception tree of cybercover.

Every error a user can cause is an :class:`InputError`: it carries one or more
:class:`Problem` rows, each naming the field path (``policy.limits.response_costs``), a
stable rule code and a sentence in Japanese and English. Adapters (CLI, API, pages) turn
these into exit status 2, RFC 9457 problem JSON or a message next to the field; they never
show a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AuthenticationError",
    "AuthorityError",
    "ConfigurationError",
    "ConflictError",
    "CybercoverError",
    "ForbiddenError",
    "InputError",
    "NotFoundError",
    "Problem",
    "ProductFileError",
    "format_path",
]


def format_path(parts: Iterable[str | int]) -> str:
    """Render a location as ``policy.limits.liability`` or ``accidents[0].losses[1].amount``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where, which rule, and why in both languages."""

    path: str
    rule: str
    ja: str
    en: str

    def __str__(self) -> str:
        where = self.path or "(input)"
        return f"{where}: {self.ja} / {self.en} [{self.rule}]"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.path, "rule": self.rule, "ja": self.ja, "en": self.en}


class CybercoverError(Exception):
    """Root of every error raised on purpose by cybercover."""


class InputError(CybercoverError):
    """Input that breaks a rule; holds every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ProductFileError(InputError):
    """A product definition file that cannot be loaded or breaks a product rule."""


class NotFoundError(CybercoverError):
    """No such object, or one the actor may not know exists (cross-tenant reads)."""

    def __init__(self, what: str, ident: object) -> None:
        self.what = what
        self.ident = ident
        super().__init__(f"{what} {ident} not found")


class ForbiddenError(CybercoverError):
    """The actor is known but may not do this."""

    def __init__(self, action: str, ja: str = "この操作の権限がありません", en: str = "") -> None:
        self.action = action
        self.ja = ja
        self.en = en or f"not allowed: {action}"
        super().__init__(self.en)


class AuthorityError(ForbiddenError):
    """The role may do this, but not this one: above the person's payment or
    underwriting authority, or an approval of one's own request. A page shows it at the
    form (the step is right, the person is not); a role that may never do the step gets
    a plain :class:`ForbiddenError` instead."""


class AuthenticationError(CybercoverError):
    """No valid credentials (wrong password, expired session or token)."""


class ConfigurationError(CybercoverError):
    """The service is set up wrongly (a setting, or a file or folder it relies on, such as
    an unsafe kernel cache folder): no user input can fix it, an operator must. Adapters
    answer it as a server error and print the message, which names the path and the rule
    broken, in Japanese then English."""

    def __init__(self, ja: str, en: str) -> None:
        self.ja = ja
        self.en = en
        super().__init__(f"{ja} / {en}")


class ConflictError(CybercoverError):
    """The object is not in a state that allows this step (e.g. binding an expired quote)."""

    def __init__(self, rule: str, ja: str, en: str) -> None:
        self.rule = rule
        self.ja = ja
        self.en = en
        super().__init__(f"{rule}: {en}")
