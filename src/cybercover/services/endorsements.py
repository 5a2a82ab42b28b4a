"""Mid-term changes (異動): quote an endorsement, then apply it.

The new terms are re-rated exactly as new business (services.pricing); the additional
(or returned) premium is the change in annual premium pro rata for the days left, floored
to the yen. A quoted endorsement is applied only while the policy still has the terms it
was quoted on; otherwise it must be quoted again.

Endorsements are underwriting (issue #17, rule 3): a change of limits, options, revenue,
industry or disclosure answers runs the same rules as new business
(:func:`~cybercover.services.submissions.evaluate_options`) on the facts after the
change. The issues raised are stored against the endorsement's transaction and decided
on like new business's (``decide_issue``, with the same authority); a clearance given
earlier on the policy for the same facts carries over. The endorsement is ``referred``
while an issue is open, ``declined`` while one is declined, and is applied only when
none is (docs/policies.md, "Changes"; docs/underwriting.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from cybercover.companies import industry
from cybercover.companies.profile import GroupText
from cybercover.errors import ConflictError, InputError, NotFoundError, Problem
from cybercover.policies.lifecycle import Action, allowed, require
from cybercover.policies.premium import days_between, pro_rata
from cybercover.product.catalogue import sold_under
from cybercover.services.authz import Actor
from cybercover.services.policies import _blocked, bill, effective_moment, jst_date
from cybercover.services.pricing import company_facts, parse_options, price_option
from cybercover.services.scope import load, load_policy
from cybercover.services.snapshots import (
    company_view,
    policy_view,
    submission_view,
    transaction_view,
)
from cybercover.services.submissions import (
    ENDORSEMENT_OPEN,
    blocking_issues,
    endorsement_status,
    evaluate_options,
    issue_rows,
    issue_view,
    parse_disclosure,
    sync_issues,
)
from cybercover.services.terms_versions import add_terms_version, latest_version_start
from cybercover.services.uow import Database
from cybercover.services.visibility import shape
from cybercover.storage.models import (
    Company,
    Policy,
    PolicyTransaction,
    Submission,
    UnderwritingIssueRow,
)
from cybercover.underwriting import facts_digest, isms_valid
from cybercover.validation import problems_from_validation_error

__all__ = [
    "apply_endorsement",
    "get_endorsement",
    "list_endorsements",
    "parse_company_changes",
    "quote_endorsement",
]


class CompanyChangesIn(BaseModel):
    """What an endorsement may change of the company: revenue and industry, checked as
    a company's profile is (``CompanyIn``: revenue a whole number ≥ 0, the industry a
    JSIC major group)."""

    model_config = ConfigDict(extra="forbid")

    annual_revenue: int | None = Field(default=None, ge=0)
    industry_group: GroupText | None = None


def parse_company_changes(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The company fields an endorsement changes (problems named ``company.<field>``);
    the industry's division follows from its group."""
    try:
        parsed = CompanyChangesIn.model_validate(dict(data or {}))
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, ("company",))) from None
    out = parsed.model_dump(exclude_none=True)
    if "industry_group" in out:
        out["industry_division"] = industry(out["industry_group"]).division.code
    return out


def _company_after(company: Company, changes: Mapping[str, Any]) -> Company:
    """A copy of the company with the changes, never stored: what the rules and the
    rate table read for the endorsement."""
    after = Company(
        **{a.key: getattr(company, a.key) for a in inspect(Company).column_attrs if a.key != "id"}
    )
    for key, value in changes.items():
        setattr(after, key, value)
    return after


def _facts_digest(company: Company, disclosure: Mapping[str, Any]) -> str:
    """The digest of the facts an endorsement is underwritten against (the company as
    the rules read it and the answers), to see at apply time that they still hold."""
    return facts_digest(
        {
            **{f"company.{k}": v for k, v in company_facts(company).items()},
            **{f"disclosure.{k}": v for k, v in disclosure.items()},
        }
    )


def _clearances(
    session: Session, submission_id: int
) -> dict[tuple[str, str], UnderwritingIssueRow]:
    """Clearances given on the policy (its submission and its endorsements), by rule
    and facts digest: an endorsement's issue on the same facts starts cleared."""
    out: dict[tuple[str, str], UnderwritingIssueRow] = {}
    for row in session.execute(
        select(UnderwritingIssueRow)
        .where(
            UnderwritingIssueRow.submission_id == submission_id,
            UnderwritingIssueRow.status == "cleared",
            UnderwritingIssueRow.cleared_facts_digest.is_not(None),
        )
        .order_by(UnderwritingIssueRow.id)
    ).scalars():
        assert row.cleared_facts_digest is not None
        out[(row.rule_code, row.cleared_facts_digest)] = row
    return out


def _endorsement_view(
    actor: Actor, tx: PolicyTransaction, rows: list[UnderwritingIssueRow]
) -> dict[str, Any]:
    return shape(
        actor,
        "endorsement",
        {**transaction_view(tx), "issues": [issue_view(r) for r in rows]},
    )


def quote_endorsement(
    db: Database,
    actor: Actor,
    policy_id: int,
    *,
    effective_date: date,
    option: dict[str, Any] | None = None,
    company: Mapping[str, Any] | None = None,
    disclosure: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Quote a change of the terms (``option``; none: the terms in force), of the
    company's revenue or industry (``company``) and of disclosure answers
    (``disclosure``, merged over the answers given), and run underwriting on the facts
    after the change. Returns the endorsement with its issues."""
    problems: list[Problem] = []
    parsed = None
    try:
        if option is not None:
            (parsed,) = parse_options([option], path="option")
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        company_changes = parse_company_changes(company)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        session = uow.session
        policy = load_policy(session, actor, policy_id, "policy.change")
        require(policy.status, Action.ENDORSE)
        moment = effective_moment(policy, effective_date)
        since = latest_version_start(session, policy.id)
        if since is not None and moment < since:
            raise InputError(
                [
                    Problem(
                        "effective_date",
                        "before_current_version",
                        f"現在の契約内容の適用開始日（{jst_date(since)}）より前には異動できません",
                        f"must not be before the current terms' effective date {jst_date(since)}",
                    )
                ]
            )
        product = sold_under(policy)
        company_now = session.get(Company, policy.company_id)
        submission = session.get(Submission, policy.submission_id)
        assert company_now is not None and submission is not None
        if parsed is None:
            (parsed,) = parse_options([policy.terms], path="option")
        today = jst_date(uow.now)
        # the answers after the change, checked as a submission's are
        answer_changes = dict(disclosure or {})
        answers, isms = parse_disclosure(
            product, {**submission.disclosure, **answer_changes}, submission.isms, today
        )
        company_after = _company_after(company_now, company_changes)
        # the same rules as new business, on the facts after the change
        raised = evaluate_options(
            session,
            product,
            submission,
            company=company_facts(company_after),
            answers=answers,
            isms=isms,
            options=[parsed],
            on=today,
        )
        priced = price_option(
            product,
            company_after,
            parsed,
            start=jst_date(policy.period_start),
            disclosure=answers,
            isms=isms,
            isms_counts=isms_valid(isms, jst_date(policy.period_start)),
            path=("option",),
        )
        period_days = days_between(policy.period_start, policy.period_end)
        remaining_days = days_between(moment, policy.period_end)
        delta_annual = priced.premium.premium - policy.annual_premium
        sign = 1 if delta_annual >= 0 else -1
        delta = sign * pro_rata(abs(delta_annual), remaining_days, period_days)
        tx = PolicyTransaction(
            policy_id=policy.id,
            kind="endorsement",
            status="quoted",
            effective_at=moment,
            changes={
                "terms_before": policy.terms,
                "terms_after": parsed.stored(),
                "annual_premium_before": policy.annual_premium,
                "annual_premium_after": priced.premium.premium,
                "remaining_days": remaining_days,
                "period_days": period_days,
                **_fact_changes(company_now, company_changes, submission, answer_changes),
            },
            premium_delta=delta,
            factors=[f.as_dict() for f in priced.premium.factors],
            created_by=actor.user_id,
            created_at=uow.now,
        )
        session.add(tx)
        session.flush()
        rows = sync_issues(
            session,
            submission,
            raised,
            uow.now,
            transaction_id=tx.id,
            carried=_clearances(session, submission.id),
        )
        tx.status = endorsement_status(rows)
        session.flush()
        uow.audit(
            actor.user_id,
            "policy.endorsement_quote",
            ("policy_transaction", tx.id),
            after={
                **transaction_view(tx),
                "issues": [r.rule_code for r in blocking_issues(rows)],
            },
        )
        return _endorsement_view(actor, tx, rows)


def _fact_changes(
    company: Company,
    company_changes: Mapping[str, Any],
    submission: Submission,
    answer_changes: Mapping[str, Any],
) -> dict[str, Any]:
    """What an endorsement records of the facts: the digest of those it was quoted on,
    and the company fields and answers it changes, before and after."""
    out: dict[str, Any] = {"facts_digest": _facts_digest(company, submission.disclosure)}
    if company_changes:
        out["company_before"] = {k: getattr(company, k) for k in company_changes}
        out["company_after"] = dict(company_changes)
    if answer_changes:
        out["disclosure_before"] = {k: submission.disclosure.get(k) for k in answer_changes}
        out["disclosure_after"] = dict(answer_changes)
    return out


def apply_endorsement(db: Database, actor: Actor, transaction_id: int) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        session = uow.session
        tx = load(session, actor, PolicyTransaction, transaction_id, "policy.change")
        if tx.kind != "endorsement":
            raise NotFoundError("endorsement", transaction_id)
        policy = session.get(Policy, tx.policy_id)  # reached with its transaction
        assert policy is not None
        _check_underwriting(session, policy, tx)  # issue #17: endorsements are underwriting
        if tx.status != "quoted":
            raise ConflictError(
                "not_quoted", f"この異動は{tx.status}です", f"the endorsement is {tx.status}"
            )
        endorsable = Action.ENDORSE in allowed(policy.status)
        if not endorsable or policy.terms != tx.changes["terms_before"]:
            tx.status = "superseded"
            raise ConflictError(
                "requote",
                "契約内容が変わったため再見積が必要です",
                "the policy changed since this quote: quote the endorsement again",
            )
        before = policy_view(policy)
        policy.terms = tx.changes["terms_after"]
        # the new terms are a new version from the effective date; the old one stays in
        # force before it (an accident then is judged under the old terms)
        add_terms_version(
            session,
            policy,
            effective_from=tx.effective_at,
            terms=tx.changes["terms_after"],
            annual_premium=tx.changes["annual_premium_after"],
            transaction_id=tx.id,
            now=uow.now,
        )
        policy.annual_premium = tx.changes["annual_premium_after"]
        policy.written_premium += tx.premium_delta
        tx.status = "applied"
        _apply_fact_changes(uow, actor, policy, tx)
        for other in session.execute(
            select(PolicyTransaction).where(
                PolicyTransaction.policy_id == policy.id,
                PolicyTransaction.status == "quoted",
                PolicyTransaction.id != tx.id,
            )
        ).scalars():
            other.status = "superseded"
        session.flush()
        if tx.premium_delta:
            bill(uow, policy, tx, tx.premium_delta, jst_date(tx.effective_at), 1)
        uow.audit(
            actor.user_id,
            "policy.endorse",
            ("policy", policy.id),
            before=before,
            after=policy_view(policy),
        )
        return {**policy_view(policy), "transaction": transaction_view(tx)}


def _check_underwriting(session: Session, policy: Policy, tx: PolicyTransaction) -> None:
    """Refuse an endorsement while one of its issues is open or declined (every
    blocking point: an endorsement applied is bound and issued at once), or when the
    facts it was underwritten on changed since its quote (the company's profile or the
    answers, by another change): it must be quoted again."""
    if tx.status not in ENDORSEMENT_OPEN:
        return  # an applied or superseded one: the status check says so
    blocking = blocking_issues(issue_rows(session, policy.submission_id, tx.id))
    if blocking:
        raise _blocked(blocking, "applying the endorsement")
    quoted_on = tx.changes.get("facts_digest")
    if quoted_on is not None:
        company = session.get(Company, policy.company_id)
        submission = session.get(Submission, policy.submission_id)
        assert company is not None and submission is not None
        if _facts_digest(company, submission.disclosure) != quoted_on:
            raise ConflictError(
                "requote",
                "会社の情報または告知内容が変わったため再見積が必要です",
                "the company's profile or the disclosure changed since this quote: "
                "quote the endorsement again",
            )


def _apply_fact_changes(uow: Any, actor: Actor, policy: Policy, tx: PolicyTransaction) -> None:
    """An applied endorsement's changes of the company's revenue or industry and of the
    answers become the company's and the policy's (the submission's answers, which a
    renewal carries over), each with its audit row; other endorsements of the policy
    still waiting on underwriting are superseded like the quoted ones."""
    session: Session = uow.session
    company_after = tx.changes.get("company_after")
    if company_after:
        company = session.get(Company, policy.company_id)
        assert company is not None
        before = company_view(company)
        for key, value in company_after.items():
            setattr(company, key, value)
        company.updated_at = uow.now
        uow.audit(
            actor.user_id,
            "company.update",
            ("company", company.id),
            before=before,
            after=company_view(company),
        )
    answers = tx.changes.get("disclosure_after")
    if answers:
        submission = session.get(Submission, policy.submission_id)
        assert submission is not None
        before = submission_view(submission)
        submission.disclosure = {**submission.disclosure, **answers}
        submission.updated_at = uow.now
        uow.audit(
            actor.user_id,
            "submission.update",
            ("submission", submission.id),
            before=before,
            after=submission_view(submission),
        )
    for other in session.execute(
        select(PolicyTransaction).where(
            PolicyTransaction.policy_id == policy.id,
            PolicyTransaction.kind == "endorsement",
            PolicyTransaction.status.in_(("referred", "declined")),
        )
    ).scalars():
        other.status = "superseded"


def get_endorsement(db: Database, actor: Actor, transaction_id: int) -> dict[str, Any]:
    """An endorsement with its underwriting issues (what each role sees of them:
    services/visibility.py)."""
    with db.sessions() as session:
        tx = load(session, actor, PolicyTransaction, transaction_id, "policy.read")
        if tx.kind != "endorsement":
            raise NotFoundError("endorsement", transaction_id)
        policy = session.get(Policy, tx.policy_id)  # reached with its transaction
        assert policy is not None
        return _endorsement_view(actor, tx, issue_rows(session, policy.submission_id, tx.id))


def list_endorsements(db: Database, actor: Actor, policy_id: int) -> list[dict[str, Any]]:
    """The policy's endorsements still to be applied (quoted, referred or declined),
    oldest first, each with its issues: the policy page offers to apply a quoted one."""
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        return [
            _endorsement_view(actor, tx, issue_rows(session, policy.submission_id, tx.id))
            for tx in session.execute(
                select(PolicyTransaction)
                .where(
                    PolicyTransaction.policy_id == policy.id,
                    PolicyTransaction.kind == "endorsement",
                    PolicyTransaction.status.in_(ENDORSEMENT_OPEN),
                )
                .order_by(PolicyTransaction.id)
            ).scalars()
        ]
