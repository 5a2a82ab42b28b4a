"""One authorisation policy: ``authorize(actor, action, resource)``, called by services.

Roles (DESIGN.md, Security model): a policyholder user sees only its own company; an
agent only its agency's clients; a partner only dispatches sent to it (issue #4);
underwriters, desk operators and claims handlers act for the insurer across companies,
each within their function; an admin manages users, organisations and the audit log.

A resource of another organisation is reported as *not found* to roles that may not know
it exists (policyholders, agents, partners), so that no identifier leaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cybercover.errors import ForbiddenError, NotFoundError

__all__ = ["Actor", "Resource", "Role", "authorize", "can"]


class Role(StrEnum):
    POLICYHOLDER = "policyholder"
    AGENT = "agent"
    UNDERWRITER = "underwriter"
    DESK_OPERATOR = "desk_operator"
    PARTNER = "partner"
    CLAIMS_HANDLER = "claims_handler"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    organisation_id: int
    role: Role
    underwriting_authority: int = 0
    payment_authority: int | None = None
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Resource:
    """What a rule needs to know of an object: its kind and who it belongs to."""

    kind: str
    ident: object = None
    company_organisation_id: int | None = None
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    partner_ids: frozenset[int] = field(default_factory=frozenset)


# action → roles allowed (before ownership is checked)
_RULES: dict[str, frozenset[Role]] = {
    "company.read": frozenset(
        {
            Role.POLICYHOLDER,
            Role.AGENT,
            Role.UNDERWRITER,
            Role.DESK_OPERATOR,
            Role.CLAIMS_HANDLER,
            Role.ADMIN,
        }
    ),
    "company.create": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "company.update": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "submission.read": frozenset({Role.POLICYHOLDER, Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "submission.write": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "quote.create": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "underwriting.decide": frozenset({Role.UNDERWRITER, Role.ADMIN}),
    "policy.read": frozenset(
        {
            Role.POLICYHOLDER,
            Role.AGENT,
            Role.UNDERWRITER,
            Role.DESK_OPERATOR,
            Role.CLAIMS_HANDLER,
            Role.ADMIN,
        }
    ),
    "policy.bind": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "policy.change": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "billing.read": frozenset({Role.POLICYHOLDER, Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "billing.record_payment": frozenset({Role.UNDERWRITER, Role.ADMIN}),
    "commission.read": frozenset({Role.AGENT, Role.UNDERWRITER, Role.ADMIN}),
    "organisation.read": frozenset({Role.ADMIN, Role.UNDERWRITER}),
    "organisation.manage": frozenset({Role.ADMIN}),
    "user.manage": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.ADMIN}),
    # the incident desk (issue #4)
    "incident.report": frozenset({Role.POLICYHOLDER, Role.DESK_OPERATOR, Role.ADMIN}),
    "incident.read": frozenset(
        {Role.POLICYHOLDER, Role.DESK_OPERATOR, Role.CLAIMS_HANDLER, Role.PARTNER, Role.ADMIN}
    ),
    "incident.manage": frozenset({Role.DESK_OPERATOR, Role.ADMIN}),
    "dispatch.respond": frozenset({Role.PARTNER}),
    "cost.approve": frozenset({Role.DESK_OPERATOR, Role.ADMIN}),
    "partner.read": frozenset({Role.DESK_OPERATOR, Role.CLAIMS_HANDLER, Role.ADMIN}),
    "partner.manage": frozenset({Role.ADMIN}),
    # claims (issue #5)
    "claim.manage": frozenset({Role.CLAIMS_HANDLER, Role.ADMIN}),
    "claim.read": frozenset({Role.POLICYHOLDER, Role.CLAIMS_HANDLER, Role.ADMIN}),
    "report.read": frozenset({Role.CLAIMS_HANDLER, Role.UNDERWRITER, Role.ADMIN}),
    # the risk model (issue #6): the insurer's own figures
    "risk.read": frozenset({Role.UNDERWRITER, Role.ADMIN}),
    "risk.run": frozenset({Role.UNDERWRITER, Role.ADMIN}),
}

_SCOPED_TO_OWN = {Role.POLICYHOLDER, Role.AGENT, Role.PARTNER}


def can(actor: Actor, action: str, resource: Resource | None = None) -> bool:
    try:
        authorize(actor, action, resource)
    except (ForbiddenError, NotFoundError):
        return False
    return True


def authorize(actor: Actor, action: str, resource: Resource | None = None) -> None:
    """Raise unless ``actor`` may do ``action`` on ``resource``.

    ``ForbiddenError`` when the role may never do it; ``NotFoundError`` when the object
    belongs to someone the actor may not see.
    """
    allowed = _RULES.get(action)
    if allowed is None:
        raise ForbiddenError(action, en=f"unknown action {action}")
    if resource is not None and actor.role in _SCOPED_TO_OWN and not _owns(actor, resource):
        raise NotFoundError(resource.kind, resource.ident)
    if actor.role not in allowed:
        raise ForbiddenError(action)


def _owns(actor: Actor, resource: Resource) -> bool:
    if actor.role is Role.POLICYHOLDER:
        return resource.company_organisation_id == actor.organisation_id
    if actor.role is Role.AGENT:
        return actor.organisation_id in resource.agency_ids
    if actor.role is Role.PARTNER:
        return actor.organisation_id in resource.partner_ids
    return False
