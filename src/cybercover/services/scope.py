"""Load an object together with what authorisation needs to know of its owner."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.errors import NotFoundError
from cybercover.services.authz import Actor, Resource, Role, authorize
from cybercover.storage.models import Company, CompanyAgency, Policy, Quote, Submission

__all__ = [
    "company_resource",
    "load_company",
    "load_policy",
    "load_quote",
    "load_submission",
    "visible_company_ids",
]


def company_resource(
    session: Session, company: Company, kind: str = "company", ident: object = None
) -> Resource:
    agencies = session.execute(
        select(CompanyAgency.agency_id).where(CompanyAgency.company_id == company.id)
    ).scalars()
    return Resource(
        kind=kind,
        ident=ident if ident is not None else company.id,
        company_organisation_id=company.organisation_id,
        agency_ids=frozenset(agencies),
    )


def load_company(session: Session, actor: Actor, company_id: int, action: str) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFoundError("company", company_id)
    authorize(actor, action, company_resource(session, company))
    return company


def load_submission(session: Session, actor: Actor, submission_id: int, action: str) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFoundError("submission", submission_id)
    company = session.get(Company, submission.company_id)
    assert company is not None
    authorize(actor, action, company_resource(session, company, "submission", submission_id))
    return submission


def load_quote(
    session: Session, actor: Actor, quote_id: int, action: str
) -> tuple[Quote, Submission]:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFoundError("quote", quote_id)
    try:
        submission = load_submission(session, actor, quote.submission_id, action)
    except NotFoundError:
        raise NotFoundError("quote", quote_id) from None
    return quote, submission


def load_policy(session: Session, actor: Actor, policy_id: int, action: str) -> Policy:
    policy = session.get(Policy, policy_id)
    if policy is None:
        raise NotFoundError("policy", policy_id)
    company = session.get(Company, policy.company_id)
    assert company is not None
    authorize(actor, action, company_resource(session, company, "policy", policy_id))
    return policy


def visible_company_ids(session: Session, actor: Actor) -> list[int] | None:
    """The companies a list may show: None means every company (insurer-side roles)."""
    if actor.role is Role.POLICYHOLDER:
        return list(
            session.execute(
                select(Company.id).where(Company.organisation_id == actor.organisation_id)
            ).scalars()
        )
    if actor.role is Role.AGENT:
        return list(
            session.execute(
                select(CompanyAgency.company_id).where(
                    CompanyAgency.agency_id == actor.organisation_id
                )
            ).scalars()
        )
    if actor.role is Role.PARTNER:
        return []
    return None
