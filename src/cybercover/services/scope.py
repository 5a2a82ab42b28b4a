"""The one scoping layer: which of the tenants' rows an actor can reach.

Every read and write of a tenant's data starts here. An object named by the caller (an
id in the path, an identifier in a body) is fetched by :func:`load` or :func:`reference`
with the actor's *reach* in the same SQL statement, so a row outside it is never loaded:
it does not exist for that actor. Lists filter with :func:`reach_filter`. What an actor
may then *do* with a reached object is the role rule of ``services/authz.py``; what it
may *see* of it is the field table of ``services/visibility.py``.

Reach, by role (docs/operations.md, "Tenant isolation"):

- **policyholder**: its own company (``companies.organisation_id``) and what hangs off
  it: submissions, quotes, underwriting issues, uploads, policies, their transactions
  and invoices, incidents reported for it with their deadlines and timeline, claims with
  their payments, documents and items.
- **agent**: the companies its agency handles (``company_agencies``) and their new
  business and policies: never incidents or claims, which are between the insured and
  the insurer; and its own agency (commission).
- **partner**: the dispatches sent to it, their cost documents and the incidents they
  belong to — nothing else.
- **the insurer's staff** (underwriter, desk operator, claims handler, administrator):
  every row; the role rules narrow each to its function.

A row outside the reach is reported as *not found* — never *forbidden* — so that no
identifier leaks (docs/ARCHITECTURE.md, "Cross-tenant reads are 404"). The table is
:data:`REACH`; a model that is not in it cannot be loaded by a scoped role at all.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from cybercover.errors import InputError, NotFoundError, Problem
from cybercover.services.authz import REACH_ALL, Actor, Role, authorize
from cybercover.storage.models import (
    Base,
    Claim,
    ClaimAdjudication,
    ClaimDocument,
    ClaimPayment,
    ClaimRecovery,
    ClaimReserve,
    Company,
    CompanyAgency,
    CostDocument,
    Deadline,
    Dispatch,
    Incident,
    IncidentEvent,
    Invoice,
    LossItem,
    Organisation,
    Policy,
    PolicyTransaction,
    PreBindRecord,
    Quote,
    Submission,
    UnderwritingIssueRow,
    Upload,
)

__all__ = [
    "KIND_NAMES",
    "REACH",
    "load",
    "load_claim",
    "load_company",
    "load_incident",
    "load_policy",
    "load_quote",
    "load_submission",
    "reach_filter",
    "reachable_ids",
    "reference",
]

M = TypeVar("M", bound=Base)

# what each model is called in an error ("claim 7 not found")
KIND_NAMES: dict[type[Base], str] = {
    Company: "company",
    Submission: "submission",
    Quote: "quote",
    UnderwritingIssueRow: "underwriting issue",
    Upload: "upload",
    PreBindRecord: "pre-bind record",
    Policy: "policy",
    PolicyTransaction: "policy transaction",
    Invoice: "invoice",
    Incident: "incident",
    Deadline: "deadline",
    IncidentEvent: "incident event",
    Dispatch: "dispatch",
    CostDocument: "cost document",
    Claim: "claim",
    LossItem: "loss item",
    ClaimPayment: "payment",
    ClaimDocument: "claim document",
    ClaimReserve: "reserve",
    ClaimRecovery: "recovery",
    ClaimAdjudication: "adjudication",
    Organisation: "organisation",
}

_NEW_BUSINESS: frozenset[type[Base]] = frozenset(
    {
        Company,
        Submission,
        Quote,
        UnderwritingIssueRow,
        Upload,
        PreBindRecord,
        Policy,
        PolicyTransaction,
        Invoice,
    }
)
_CASE: frozenset[type[Base]] = frozenset(
    {
        Incident,
        Deadline,
        IncidentEvent,
        Claim,
        LossItem,
        ClaimPayment,
        ClaimDocument,
        ClaimReserve,
        ClaimRecovery,
        ClaimAdjudication,
    }
)

REACH: dict[Role, frozenset[type[Base]]] = {
    Role.POLICYHOLDER: _NEW_BUSINESS | _CASE,
    Role.AGENT: _NEW_BUSINESS | {Organisation},
    Role.PARTNER: frozenset({Incident, Dispatch, CostDocument}),
}
"""The models a scoped role can reach at all; the insurer's staff reach every model."""

# a child model → (its column naming the parent row, the parent model)
_PARENT: dict[type[Base], tuple[Any, type[Base]]] = {
    Submission: (Submission.company_id, Company),
    Policy: (Policy.company_id, Company),
    Quote: (Quote.submission_id, Submission),
    UnderwritingIssueRow: (UnderwritingIssueRow.submission_id, Submission),
    Upload: (Upload.submission_id, Submission),
    PreBindRecord: (PreBindRecord.submission_id, Submission),
    PolicyTransaction: (PolicyTransaction.policy_id, Policy),
    Invoice: (Invoice.policy_id, Policy),
    Deadline: (Deadline.incident_id, Incident),
    IncidentEvent: (IncidentEvent.incident_id, Incident),
    CostDocument: (CostDocument.dispatch_id, Dispatch),
    Claim: (Claim.policy_id, Policy),
    LossItem: (LossItem.claim_id, Claim),
    ClaimPayment: (ClaimPayment.claim_id, Claim),
    ClaimDocument: (ClaimDocument.claim_id, Claim),
    ClaimReserve: (ClaimReserve.claim_id, Claim),
    ClaimRecovery: (ClaimRecovery.claim_id, Claim),
    ClaimAdjudication: (ClaimAdjudication.claim_id, Claim),
}


def _companies(actor: Actor) -> Select[Any]:
    if actor.role is Role.POLICYHOLDER:
        return select(Company.id).where(Company.organisation_id == actor.organisation_id)
    if actor.role is Role.AGENT:
        return select(CompanyAgency.company_id).where(
            CompanyAgency.agency_id == actor.organisation_id
        )
    return select(Company.id).where(false())


def _root(actor: Actor, model: type[Base]) -> ColumnElement[bool] | None:
    """How a root of the tree is reached (None: ``model`` goes through its parent)."""
    partner = actor.role is Role.PARTNER
    if model is Company:
        return Company.id.in_(_companies(actor))
    if model is Organisation:
        return Organisation.id == actor.organisation_id
    if model is Incident:
        if partner:
            return Incident.id.in_(
                select(Dispatch.incident_id).where(Dispatch.partner_id == actor.organisation_id)
            )
        return Incident.company_id.in_(_companies(actor))
    if model is Dispatch:
        if partner:
            return Dispatch.partner_id == actor.organisation_id
        return Dispatch.incident_id.in_(_ids(actor, Incident))
    return None


def _ids(actor: Actor, model: type[Base]) -> Select[Any]:
    column: Any = model.id  # type: ignore[attr-defined]
    return select(column).where(reach_filter(actor, model))


def reach_filter(actor: Actor, model: type[Base]) -> ColumnElement[bool]:
    """The SQL condition that keeps the rows of ``model`` the actor can reach (true for
    the insurer's staff, false for a model outside the role's reach)."""
    if actor.role in REACH_ALL:
        return true()
    if model not in REACH.get(actor.role, frozenset()):
        return false()
    root = _root(actor, model)
    if root is not None:
        return root
    column, parent = _PARENT[model]
    result: ColumnElement[bool] = column.in_(_ids(actor, parent))
    return result


def reachable_ids(actor: Actor, model: type[Base]) -> Select[Any] | None:
    """A subquery of the ids of ``model`` the actor reaches; None: every row."""
    return None if actor.role in REACH_ALL else _ids(actor, model)


def _fetch(session: Session, actor: Actor, model: type[M], ident: object) -> M | None:
    if isinstance(ident, bool) or not isinstance(ident, int):
        return None
    column: Any = model.id  # type: ignore[attr-defined]
    return session.execute(
        select(model).where(column == ident, reach_filter(actor, model))
    ).scalar_one_or_none()


def load(session: Session, actor: Actor, model: type[M], ident: object, action: str) -> M:
    """The row of ``model`` with id ``ident`` if the actor reaches it and its role may do
    ``action``: ``NotFoundError`` when it does not exist *for this actor*, then
    ``ForbiddenError`` when the role may not do the action."""
    row = _fetch(session, actor, model, ident)
    if row is None:
        raise NotFoundError(KIND_NAMES[model], ident)
    authorize(actor, action)
    return row


def reference(
    session: Session,
    actor: Actor,
    model: type[M],
    ident: object,
    field: str,
    action: str | None = None,
) -> M:
    """An identifier given in a request *body* (``field``): the row it names, checked to
    exist within the actor's reach before anything is written; otherwise a 422 naming
    the field — the same answer whether the row is absent or someone else's."""
    row = _fetch(session, actor, model, ident)
    if row is None:
        name = KIND_NAMES[model]
        raise InputError(
            [
                Problem(
                    field,
                    "not_found",
                    f"指定された{_JA.get(model, 'データ')}はありません",
                    f"no such {name}",
                )
            ]
        )
    if action is not None:
        authorize(actor, action)
    return row


_JA: dict[type[Base], str] = {
    Company: "会社",
    Submission: "申込",
    Quote: "見積",
    Policy: "保険契約",
    Incident: "事案",
    Dispatch: "手配",
    Claim: "保険金請求",
    Organisation: "組織",
}


# --- typed shorthands for the loads every capability makes -----------------------------


def load_company(session: Session, actor: Actor, company_id: int, action: str) -> Company:
    return load(session, actor, Company, company_id, action)


def load_submission(session: Session, actor: Actor, submission_id: int, action: str) -> Submission:
    return load(session, actor, Submission, submission_id, action)


def load_quote(
    session: Session, actor: Actor, quote_id: int, action: str
) -> tuple[Quote, Submission]:
    quote = load(session, actor, Quote, quote_id, action)
    submission = session.get(Submission, quote.submission_id)
    assert submission is not None
    return quote, submission


def load_policy(session: Session, actor: Actor, policy_id: int, action: str) -> Policy:
    return load(session, actor, Policy, policy_id, action)


def load_incident(session: Session, actor: Actor, incident_id: int, action: str) -> Incident:
    return load(session, actor, Incident, incident_id, action)


def load_claim(session: Session, actor: Actor, claim_id: int, action: str) -> Claim:
    return load(session, actor, Claim, claim_id, action)
