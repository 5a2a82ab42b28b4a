"""One authorisation policy: ``authorize(actor, action)``, called by services.

Roles (DESIGN.md, Security model): a policyholder user sees only its own company; an
agent only its agency's clients; a partner only dispatches sent to it (issue #4);
underwriters, desk operators and claims handlers act for the insurer across companies,
each within their function; an admin manages users, organisations and the audit log.

This module answers one question: may this *role* do this *action* at all. Which rows an
actor reaches — its own company, its agency's clients, its dispatches — is the scoping
layer's (``services/scope.py``), which loads every object named by a caller with the
reach in the same query, so a row of another organisation is *not found*, never
*forbidden*; what an actor sees of a row is ``services/visibility.py``'s table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cybercover.errors import ForbiddenError

__all__ = [
    "PEOPLE",
    "REACH_ALL",
    "SCOPED",
    "STAFF",
    "SYSTEM",
    "Actor",
    "Role",
    "authorize",
    "can",
    "person",
    "roles_for",
]


class Role(StrEnum):
    POLICYHOLDER = "policyholder"
    AGENT = "agent"
    UNDERWRITER = "underwriter"
    DESK_OPERATOR = "desk_operator"
    PARTNER = "partner"
    CLAIMS_HANDLER = "claims_handler"
    ADMIN = "admin"
    # the insurer's reinsurance and actuarial staff (再保険・アクチュアリー): read the book —
    # policies, premiums, claims with their reserves, the reports — and run the risk model
    ACTUARY = "actuary"
    # internal audit (監査): read everything, the audit trail included, and change nothing
    AUDITOR = "auditor"
    # no person: the command line and the batch jobs (lapses, reminders, escalations, the
    # risk model, the demo), with their own permissions in the table below; no user has it
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    organisation_id: int
    role: Role
    underwriting_authority: int = 0
    payment_authority: int | None = None
    display_name: str = ""


SYSTEM = Actor(user_id=0, organisation_id=0, role=Role.SYSTEM, display_name="system")
"""The actor of the command line and of the jobs no person runs. Its permissions are its
own rows of the table below (whoever holds the database's credentials reaches every row,
so it reaches every row too), and what it does is audited without a user."""

PEOPLE: frozenset[Role] = frozenset(Role) - {Role.SYSTEM}
"""The roles a user can hold (a login never acts as the system)."""


def person(actor: Actor) -> int | None:
    """The user id to record as the one who acted: none for the system."""
    return None if actor.role is Role.SYSTEM else actor.user_id


STAFF: frozenset[Role] = frozenset(
    {
        Role.UNDERWRITER,
        Role.DESK_OPERATOR,
        Role.CLAIMS_HANDLER,
        Role.ADMIN,
        Role.ACTUARY,
        Role.AUDITOR,
    }
)
"""The insurer's own people: they reach every row, each role within its function."""

# who reads a company and its policies: its own people and agents (scoped), and every
# insurer role (not the partners)
_BOOK_READERS: frozenset[Role] = STAFF | {Role.POLICYHOLDER, Role.AGENT}

# action → roles allowed (before ownership is checked)
_RULES: dict[str, frozenset[Role]] = {
    "company.read": _BOOK_READERS,
    "company.create": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    # sells as its own agency: the companies it registers are its agency's clients, the
    # commission it reads is its agency's (others name the agency)
    "sales.as_own_agency": frozenset({Role.AGENT}),
    "company.update": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "submission.read": frozenset(
        {Role.POLICYHOLDER, Role.AGENT, Role.UNDERWRITER, Role.ADMIN, Role.AUDITOR, Role.SYSTEM}
    ),
    "submission.write": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "quote.create": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "underwriting.decide": frozenset({Role.UNDERWRITER, Role.ADMIN}),
    # the system prints documents (`cybercover documents …` without --as-user)
    "policy.read": _BOOK_READERS | {Role.SYSTEM},
    "policy.bind": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "policy.change": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "billing.read": frozenset(
        {Role.POLICYHOLDER, Role.AGENT, Role.UNDERWRITER, Role.ADMIN, Role.ACTUARY, Role.AUDITOR}
    ),
    "billing.record_payment": frozenset({Role.UNDERWRITER, Role.ADMIN}),
    # lapse the policies unpaid past grace (a nightly job, or by hand)
    "billing.lapse": frozenset({Role.UNDERWRITER, Role.ADMIN, Role.SYSTEM}),
    "commission.read": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN, Role.AUDITOR}),
    "organisation.read": frozenset({Role.ADMIN, Role.UNDERWRITER, Role.AUDITOR}),
    "organisation.manage": frozenset({Role.ADMIN, Role.SYSTEM}),
    "user.manage": frozenset({Role.ADMIN, Role.SYSTEM}),  # anyone's tokens included
    "audit.read": frozenset({Role.ADMIN, Role.AUDITOR}),
    # the incident desk (issue #4)
    "incident.report": frozenset({Role.POLICYHOLDER, Role.DESK_OPERATOR, Role.ADMIN}),
    # a report for any company, taken by phone (without it: one's own company, on the web)
    "incident.report_for_others": frozenset({Role.DESK_OPERATOR, Role.ADMIN}),
    "incident.read": frozenset(
        {
            Role.POLICYHOLDER,
            Role.DESK_OPERATOR,
            Role.CLAIMS_HANDLER,
            Role.PARTNER,
            Role.ADMIN,
            Role.AUDITOR,
        }
    ),
    # the whole case: timeline, deadlines, the incident report (a partner reads only
    # the incident's summary and triage, for its dispatch)
    "incident.case": frozenset(
        {
            Role.POLICYHOLDER,
            Role.DESK_OPERATOR,
            Role.CLAIMS_HANDLER,
            Role.ADMIN,
            Role.AUDITOR,
            Role.SYSTEM,
        }
    ),
    "incident.manage": frozenset({Role.DESK_OPERATOR, Role.ADMIN}),
    # the desk's clocks: reminders before a deadline, escalations after one (a job)
    "incident.remind": frozenset({Role.DESK_OPERATOR, Role.ADMIN, Role.SYSTEM}),
    "dispatch.respond": frozenset({Role.PARTNER}),
    "cost.approve": frozenset({Role.DESK_OPERATOR, Role.ADMIN}),
    "partner.read": frozenset({Role.DESK_OPERATOR, Role.CLAIMS_HANDLER, Role.ADMIN, Role.AUDITOR}),
    "partner.manage": frozenset({Role.ADMIN, Role.SYSTEM}),
    # claims (issue #5); reserves are seen by the money staff (services/visibility.py)
    "claim.manage": frozenset({Role.CLAIMS_HANDLER, Role.ADMIN}),
    "claim.read": frozenset(
        {
            Role.POLICYHOLDER,
            Role.CLAIMS_HANDLER,
            Role.ADMIN,
            Role.ACTUARY,
            Role.AUDITOR,
            Role.SYSTEM,
        }
    ),
    "report.read": frozenset(
        {Role.CLAIMS_HANDLER, Role.UNDERWRITER, Role.ADMIN, Role.ACTUARY, Role.AUDITOR}
    ),
    # the risk model (issue #6): the insurer's own figures
    "risk.read": frozenset({Role.UNDERWRITER, Role.ADMIN, Role.ACTUARY, Role.AUDITOR, Role.SYSTEM}),
    "risk.run": frozenset({Role.UNDERWRITER, Role.ADMIN, Role.ACTUARY, Role.SYSTEM}),
}

REACH_ALL: frozenset[Role] = STAFF | {Role.SYSTEM}
"""Roles that reach every row (what each may do with it is the table above)."""
SCOPED: frozenset[Role] = frozenset({Role.POLICYHOLDER, Role.AGENT, Role.PARTNER})
"""Roles that reach only their own organisation's rows (services/scope.py)."""


def roles_for(action: str) -> frozenset[Role]:
    """The roles that may do ``action`` (the matrix the adversarial suite is built from,
    tests/security/test_adversarial.py)."""
    return _RULES[action]


def can(actor: Actor, action: str) -> bool:
    try:
        authorize(actor, action)
    except ForbiddenError:
        return False
    return True


def authorize(actor: Actor, action: str) -> None:
    """Raise ``ForbiddenError`` unless ``actor``'s role may do ``action`` (an unknown
    action is refused: a typo never opens a door)."""
    allowed = _RULES.get(action)
    if allowed is None:
        raise ForbiddenError(action, en=f"unknown action {action}")
    if actor.role not in allowed:
        raise ForbiddenError(action)
