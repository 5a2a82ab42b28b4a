"""A policy's statuses and the one table of what may happen to it in each (issue #18:
lifecycle as types). The services refuse a step the table does not allow, with its rule;
the pages offer only the steps the table allows (``allowed``), never deciding themselves.

    bound ──issue──▶ in_force ──cancel──▶ cancelled ──reinstate──▶ in_force
                         │  └──lapse───▶ lapsed    ──reinstate──▶ in_force
                         └─ endorse, renew (renew also once expired)
"""

from __future__ import annotations

from enum import StrEnum

from cybercover.errors import ConflictError

__all__ = ["Action", "Status", "allowed", "next_status", "require"]


class Status(StrEnum):
    BOUND = "bound"  # bound, not yet issued
    IN_FORCE = "in_force"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"  # unpaid past grace
    EXPIRED = "expired"  # its period ended


class Action(StrEnum):
    ISSUE = "issue"
    ENDORSE = "endorse"
    CANCEL = "cancel"
    LAPSE = "lapse"
    REINSTATE = "reinstate"
    RENEW = "renew"


# action → (the statuses it may start from, the status it leads to (None: unchanged),
# the rule code of its refusal)
_TABLE: dict[Action, tuple[frozenset[Status], Status | None, str]] = {
    Action.ISSUE: (frozenset({Status.BOUND}), Status.IN_FORCE, "not_bound"),
    Action.ENDORSE: (frozenset({Status.IN_FORCE}), None, "not_in_force"),
    Action.CANCEL: (frozenset({Status.IN_FORCE}), Status.CANCELLED, "not_in_force"),
    Action.LAPSE: (frozenset({Status.IN_FORCE}), Status.LAPSED, "not_in_force"),
    Action.REINSTATE: (
        frozenset({Status.CANCELLED, Status.LAPSED}),
        Status.IN_FORCE,
        "not_cancelled",
    ),
    Action.RENEW: (frozenset({Status.IN_FORCE, Status.EXPIRED}), None, "not_renewable"),
}


def allowed(status: str) -> tuple[Action, ...]:
    """The steps a policy in ``status`` allows, in the table's order."""
    return tuple(a for a, (starts, _, _) in _TABLE.items() if status in starts)


def require(status: str, action: Action) -> None:
    """Refuse ``action`` on a policy in ``status`` unless the table allows it (409 with
    the action's rule, naming the status)."""
    starts, _, rule = _TABLE[action]
    if status not in starts:
        raise ConflictError(rule, f"この契約は{status}です", f"the policy is {status}")


def next_status(status: str, action: Action) -> Status:
    """The status ``action`` leads to (refused as :func:`require` refuses)."""
    require(status, action)
    target = _TABLE[action][1]
    return target if target is not None else Status(status)
