"""Submissions: the application (告知 included), underwriting issues, quotes, pre-bind
records and renewals. One use case, one transaction, its audit row inside it.

A submission is versioned: any edit (disclosure, ISMS, start date, a lowered limit)
raises the version, sends it back to ``draft`` and supersedes its open quotes, which
must then be quoted again (Guidewire/Socotra style, STYLE.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cybercover.errors import ConflictError, InputError, Problem
from cybercover.policies.lifecycle import Action, require
from cybercover.product.catalogue import on_sale, sold_under
from cybercover.product.model import Product
from cybercover.services.authz import Actor, authorize, can
from cybercover.services.policies import PREBIND_KINDS, jst_date
from cybercover.services.pricing import OptionIn, company_facts, parse_options, price_option
from cybercover.services.scope import (
    load,
    load_policy,
    load_quote,
    load_submission,
    reach_filter,
    reference,
)
from cybercover.services.snapshots import quote_view, submission_view, transaction_view
from cybercover.services.uow import Database
from cybercover.services.uploads import check_upload
from cybercover.services.visibility import shape, shape_all
from cybercover.storage.models import (
    Company,
    CompanyAgency,
    Organisation,
    Policy,
    PolicyTransaction,
    PreBindRecord,
    Quote,
    Submission,
    UnderwritingIssueRow,
    Upload,
)
from cybercover.underwriting import (
    ChosenTerms,
    Decider,
    Facts,
    IsmsCertificate,
    UnderwritingIssue,
    carried_entry,
    cleared_facts,
    decide,
    evaluate,
    facts_digest,
    isms_valid,
    parse_decision,
    parse_isms,
    reopen_entry,
    stored_facts,
    validate_answers,
)

__all__ = [
    "ENDORSEMENT_OPEN",
    "blocking_issues",
    "create_submission",
    "decide_issue",
    "endorsement_status",
    "evaluate_options",
    "get_quote",
    "get_submission",
    "issue_rows",
    "issue_view",
    "list_submissions",
    "parse_disclosure",
    "quote_submission",
    "record_prebind",
    "record_prebinds",
    "referral_queue",
    "renew_policy",
    "sync_issues",
    "update_submission",
    "upload_document",
]

UPLOAD_KINDS = ("isms_certificate", "application", "other")


def _product(submission: Submission) -> Product:
    return sold_under(submission)


def issue_view(row: UnderwritingIssueRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "rule_code": row.rule_code,
        "title": {"ja": row.title_ja, "en": row.title_en},
        "message": {"ja": row.message_ja, "en": row.message_en},
        "action": row.action,
        "blocking_point": row.blocking_point,
        "authority": row.authority_name,
        "authority_level": row.authority,
        "facts": row.facts,
        "source": row.source,
        "status": row.status,
        "history": row.history,
        "policy_transaction_id": row.policy_transaction_id,
    }


def _supersede_quotes(session: Session, submission_id: int) -> None:
    """Open quotes of the submission become superseded: one UPDATE, however many quotes
    it has had (loading each made every new quote slower than the last)."""
    session.execute(
        update(Quote)
        .where(Quote.submission_id == submission_id, Quote.status == "quoted")
        .values(status="superseded")
    )


def _touch(session: Session, submission: Submission, now: Any) -> None:
    """An edit: new version, back to draft, open quotes superseded."""
    submission.version += 1
    submission.status = "draft"
    submission.updated_at = now
    _supersede_quotes(session, submission.id)


def create_submission(
    db: Database, actor: Actor, *, company_id: int, start_date: date, agency_id: int | None = None
) -> dict[str, Any]:
    authorize(actor, "submission.write")  # the role first; then what the body names
    with db.unit_of_work() as uow:
        company = reference(uow.session, actor, Company, company_id, "company_id", "company.read")
        agencies = list(
            uow.session.execute(
                select(CompanyAgency.agency_id).where(CompanyAgency.company_id == company.id)
            ).scalars()
        )
        if can(actor, "sales.as_own_agency"):
            agency_id = actor.organisation_id
        elif agency_id is not None:
            # named by the caller: an agency that handles this company (services/scope.py)
            agency = reference(uow.session, actor, Organisation, agency_id, "agency_id")
            if agency.kind != "agency" or agency.id not in agencies:
                raise InputError(
                    [
                        Problem(
                            "agency_id",
                            "not_handling_agency",
                            "この会社を取り扱う代理店を指定してください",
                            "name an agency that handles this company",
                        )
                    ]
                )
        elif not agencies:
            raise InputError(
                [
                    Problem(
                        "agency_id",
                        "required",
                        "取扱代理店を指定してください",
                        "name the agency that handles the application",
                    )
                ]
            )
        else:
            agency_id = agencies[0]
        if start_date < jst_date(uow.now):
            raise InputError(
                [
                    Problem(
                        "start_date",
                        "in_the_past",
                        "保険始期は本日以降にしてください",
                        "the policy cannot start in the past",
                    )
                ]
            )
        product = on_sale()  # new business is quoted on the version on sale
        submission = Submission(
            company_id=company.id,
            agency_id=agency_id,
            kind="new",
            renewal_of_id=None,
            product_code=product.product.code,
            product_version=product.product.version,
            status="draft",
            start_date=start_date,
            disclosure={},
            isms=None,
            options=[],
            offered_limits={},
            version=1,
            created_by=actor.user_id,
            created_at=uow.now,
            updated_at=uow.now,
        )
        uow.session.add(submission)
        uow.session.flush()
        view = submission_view(submission)
        uow.audit(actor.user_id, "submission.create", ("submission", submission.id), after=view)
        return view


def parse_disclosure(
    product: Product, answers: dict[str, Any], isms_data: dict[str, Any] | None, on: date
) -> tuple[dict[str, Any], IsmsCertificate | None]:
    problems: list[Problem] = []
    isms: IsmsCertificate | None = None
    try:
        isms = parse_isms(product, isms_data)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        validate_answers(product, answers, "quote", isms, on=on)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return answers, isms


def update_submission(
    db: Database,
    actor: Actor,
    submission_id: int,
    *,
    disclosure: dict[str, Any] | None = None,
    isms: dict[str, Any] | None = None,
    start_date: date | None = None,
) -> dict[str, Any]:
    """Record answers (告知) and the ISMS declaration; an edit needs a new quote."""
    with db.unit_of_work() as uow:
        submission = load_submission(uow.session, actor, submission_id, "submission.write")
        if submission.status in ("bound", "issued", "declined"):
            raise ConflictError(
                "submission_closed",
                f"この申込は{submission.status}です",
                f"the submission is {submission.status}",
            )
        product = _product(submission)
        before = submission_view(submission)
        answers = {**submission.disclosure, **(disclosure or {})}
        isms_data = isms if isms is not None else submission.isms
        parse_disclosure(product, answers, isms_data, jst_date(uow.now))
        submission.disclosure = answers
        submission.isms = isms_data
        if start_date is not None:
            submission.start_date = start_date
        _touch(uow.session, submission, uow.now)
        uow.session.flush()
        after = submission_view(submission)
        uow.audit(
            actor.user_id,
            "submission.update",
            ("submission", submission.id),
            before=before,
            after=after,
        )
        return after


def upload_document(
    db: Database,
    actor: Actor,
    submission_id: int,
    *,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
    max_bytes: int,
) -> dict[str, Any]:
    """Store a document (e.g. the ISMS certificate copy) with its size, type and SHA-256.

    Refused: an unknown kind, a type other than PDF/PNG/JPEG or whose bytes do not
    match it, an empty or oversize file. The file name keeps only its last part."""
    problems: list[Problem] = []
    if kind not in UPLOAD_KINDS:
        problems.append(
            Problem(
                "kind",
                "unknown_kind",
                f"指定できない種類です（{', '.join(UPLOAD_KINDS)}）",
                f"must be one of {', '.join(UPLOAD_KINDS)}",
            )
        )
    safe, file_problems = check_upload(filename, content_type, data, max_bytes)
    problems.extend(file_problems)
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        submission = load_submission(uow.session, actor, submission_id, "submission.write")
        row = Upload(
            submission_id=submission.id,
            kind=kind,
            filename=safe,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            uploaded_by=actor.user_id,
            created_at=uow.now,
        )
        uow.session.add(row)
        uow.session.flush()
        view = {
            "id": row.id,
            "kind": kind,
            "filename": safe,
            "content_type": content_type,
            "size": row.size,
            "sha256": row.sha256,
        }
        uow.audit(actor.user_id, "submission.upload", ("submission", submission.id), after=view)
        return view


ENDORSEMENT_OPEN = ("quoted", "referred", "declined")
"""An endorsement's statuses while it may still be decided on and applied."""


def blocking_issues(
    rows: Sequence[UnderwritingIssueRow], points: Sequence[str] = ("quote", "bind", "issue")
) -> list[UnderwritingIssueRow]:
    """The rows still open or declined that block one of ``points``."""
    return [r for r in rows if r.status in ("open", "declined") and r.blocking_point in points]


def endorsement_status(rows: Sequence[UnderwritingIssueRow]) -> str:
    """An endorsement's status from its issues: every blocking point of new business
    lies before an endorsement is applied, so any issue open refers it and any declined
    declines it; with none it stays ``quoted`` (may be applied)."""
    blocking = blocking_issues(rows)
    if any(r.status == "declined" for r in blocking):
        return "declined"
    return "referred" if blocking else "quoted"


def evaluate_options(
    session: Session,
    product: Product,
    submission: Submission,
    *,
    company: Mapping[str, object],
    answers: Mapping[str, Any],
    isms: IsmsCertificate | None,
    options: Sequence[OptionIn],
    on: date,
) -> list[UnderwritingIssue]:
    """The product's underwriting rules on every option of an application: new business
    and endorsements both call this, so both run the same rules (issue #17). An issue
    raised by several options is kept once, with the facts of the first.

    The certificate copy, not the declaration alone, answers the waived questions
    (PRODUCT.md §7): the copy is the one uploaded with ``submission``."""
    has_copy = (
        session.execute(
            select(Upload.id).where(
                Upload.submission_id == submission.id, Upload.kind == "isms_certificate"
            )
        ).first()
        is not None
    )
    waiver_isms = isms if has_copy else None
    raised: list[UnderwritingIssue] = []
    for option in options:
        facts = Facts(
            on=on,
            company=company,
            disclosure=answers,
            limits=dict(option.limits),
            options={"business_interruption": option.business_interruption},
            isms=waiver_isms,
        )
        for issue in evaluate(product, facts):
            if issue.rule_code not in {r.rule_code for r in raised}:
                raised.append(issue)
    return raised


def issue_rows(
    session: Session, submission_id: int, transaction_id: int | None = None
) -> list[UnderwritingIssueRow]:
    """The issues of a submission (``transaction_id`` None) or of one of its policy's
    endorsements, oldest first."""
    column = UnderwritingIssueRow.policy_transaction_id
    return list(
        session.execute(
            select(UnderwritingIssueRow)
            .where(
                UnderwritingIssueRow.submission_id == submission_id,
                column.is_(None) if transaction_id is None else column == transaction_id,
            )
            .order_by(UnderwritingIssueRow.id)
        ).scalars()
    )


def _facts_cleared(row: UnderwritingIssueRow) -> dict[str, Any]:
    return next(
        (h["facts_cleared"] for h in reversed(row.history) if "facts_cleared" in h), row.facts
    )


def sync_issues(
    session: Session,
    submission: Submission,
    raised: list[UnderwritingIssue],
    now: Any,
    *,
    transaction_id: int | None = None,
    carried: Mapping[tuple[str, str], UnderwritingIssueRow] | None = None,
) -> list[UnderwritingIssueRow]:
    """Store the issues raised (the submission's own, or an endorsement's with
    ``transaction_id``). An open or declined issue keeps its status. A cleared issue
    keeps its clearance only while the rule fires on the facts it was cleared for; on
    other facts it opens again (a ``reopen`` line in its history, issue #17). An open
    issue no longer raised is closed as ``not_applicable``.

    ``carried``: clearances given earlier on the same policy, by (rule, facts digest); a
    new issue whose rule and facts match one starts cleared (a ``carried`` line)."""
    rows = {r.rule_code: r for r in issue_rows(session, submission.id, transaction_id)}
    codes = set()
    for issue in raised:
        codes.add(issue.rule_code)
        facts = stored_facts(issue.facts)
        digest = facts_digest(facts)
        row = rows.get(issue.rule_code)
        if row is not None and row.status in ("declined", "open"):
            row.facts = facts
            continue
        if row is not None and row.status == "cleared":
            if (row.cleared_facts_digest or facts_digest(row.facts)) == digest:
                row.facts = facts
                continue
            row.history = [
                *row.history,
                reopen_entry(
                    at=now,
                    status_after=issue.initial_status,
                    facts_cleared=_facts_cleared(row),
                    facts_now=facts,
                ),
            ]
            row.cleared_facts_digest = None
        if row is None:
            row = UnderwritingIssueRow(
                submission_id=submission.id,
                policy_transaction_id=transaction_id,
                rule_code=issue.rule_code,
                history=[],
                created_at=now,
            )
            session.add(row)
            rows[issue.rule_code] = row
        row.title_ja, row.title_en = issue.title_ja, issue.title_en
        row.message_ja, row.message_en = issue.message_ja, issue.message_en
        row.action, row.blocking_point = issue.action, issue.blocking_point
        row.authority, row.authority_name = issue.authority_level, issue.authority
        row.facts = facts
        row.source = issue.source
        row.status = issue.initial_status
        earlier = (carried or {}).get((issue.rule_code, digest))
        if earlier is not None and row.status != "cleared":
            row.history = [
                *row.history,
                carried_entry(at=now, status_before=row.status, from_issue=earlier.id, facts=facts),
            ]
            row.status, row.cleared_facts_digest = "cleared", digest
    for code, row in rows.items():
        if code not in codes and row.status == "open":
            row.status = "not_applicable"
    session.flush()
    return list(rows.values())


def quote_submission(
    db: Database, actor: Actor, submission_id: int, options: list[dict[str, Any]]
) -> dict[str, Any]:
    """Run underwriting on the submission and, when nothing blocks the quote, rate each
    option side by side. Issues raised are stored either way."""
    parsed = parse_options(options)
    with db.unit_of_work() as uow:
        session = uow.session
        submission = load_submission(session, actor, submission_id, "quote.create")
        if submission.status in ("bound", "issued"):
            raise ConflictError(
                "submission_closed",
                f"この申込は{submission.status}です",
                f"the submission is {submission.status}",
            )
        product = _product(submission)
        company = session.get(Company, submission.company_id)
        assert company is not None
        today = jst_date(uow.now)
        answers, isms = parse_disclosure(product, submission.disclosure, submission.isms, today)
        problems: list[Problem] = []
        for i, option in enumerate(parsed):
            for key, cap in submission.offered_limits.items():
                if option.limits.get(key, 0) > cap:
                    problems.append(
                        Problem(
                            f"options[{i}].limits.{key}",
                            "above_offered_limit",
                            f"引受者が提示した上限 {cap:,}円 を超えています",
                            f"above the limit of {cap:,} yen the underwriter offered",
                        )
                    )
        if problems:
            raise InputError(problems)
        raised = evaluate_options(
            session,
            product,
            submission,
            company=company_facts(company),
            answers=answers,
            isms=isms,
            options=parsed,
            on=today,
        )
        rows = sync_issues(session, submission, raised, uow.now)
        submission.options = [o.stored() for o in parsed]
        blocking = blocking_issues(rows, ("quote",))
        quotes: list[Quote] = []
        if blocking:
            submission.status = (
                "declined" if any(r.status == "declined" for r in blocking) else "referred"
            )
        else:
            counts = isms_valid(isms, today)
            priced = [
                price_option(
                    product,
                    company,
                    o,
                    start=submission.start_date,
                    disclosure=answers,
                    isms=isms,
                    isms_counts=counts,
                    path=("options", i),
                )
                for i, o in enumerate(parsed)
            ]
            _supersede_quotes(session, submission.id)
            for i, p in enumerate(priced):
                quote = Quote(
                    submission_id=submission.id,
                    submission_version=submission.version,
                    label=p.option.label or f"option {i + 1}",
                    options=p.option.stored(),
                    premium=p.premium.premium,
                    factors=[f.as_dict() for f in p.premium.factors],
                    status="quoted",
                    valid_until=today + timedelta(days=product.policy.quote_validity_days),
                    created_at=uow.now,
                )
                session.add(quote)
                quotes.append(quote)
            submission.status = "quoted"
        session.flush()
        result = shape(
            actor,
            "submission",
            {
                **submission_view(submission),
                "issues": [issue_view(r) for r in rows],
                "quotes": [quote_view(q) for q in quotes],
            },
        )
        uow.audit(
            actor.user_id,
            "submission.quote",
            ("submission", submission.id),
            after={
                "status": submission.status,
                "quotes": [q.id for q in quotes],
                "issues": [r.rule_code for r in rows if r.status in ("open", "declined")],
            },
        )
        return result


def decide_issue(
    db: Database, actor: Actor, issue_id: int, decision: dict[str, Any]
) -> dict[str, Any]:
    """An underwriter clears, declines or lowers the limits (PRODUCT.md §3 ※1), on a
    submission's issue or an endorsement's alike. A clearance records the digest of the
    facts it is given for (as lowered, for ``lower_limits``): see :func:`sync_issues`."""
    parsed = parse_decision(decision)
    with db.unit_of_work() as uow:
        session = uow.session
        row = load(session, actor, UnderwritingIssueRow, issue_id, "underwriting.decide")
        submission = session.get(Submission, row.submission_id)
        assert submission is not None
        product = _product(submission)
        issue = UnderwritingIssue(
            rule_code=row.rule_code,
            action=row.action,  # type: ignore[arg-type]
            blocking_point=row.blocking_point,  # type: ignore[arg-type]
            authority=row.authority_name,
            authority_level=row.authority,
            title_ja=row.title_ja,
            title_en=row.title_en,
            message_ja=row.message_ja,
            message_en=row.message_en,
            facts=row.facts,
            source=row.source,
        )
        chosen = None
        tx = None
        if row.policy_transaction_id is not None:
            tx = session.get(PolicyTransaction, row.policy_transaction_id)  # with its issue
            assert tx is not None
            if tx.status not in ENDORSEMENT_OPEN:
                raise ConflictError(
                    "endorsement_closed",
                    f"この異動は{tx.status}です",
                    f"the endorsement is {tx.status}",
                )
            chosen = _endorsement_terms(session, tx)
        elif submission.options:
            first = parse_options(submission.options)[0]
            chosen = ChosenTerms(
                start=submission.start_date,
                limits=first.limits,
                deductibles=first.deductibles,
                options={"business_interruption": first.business_interruption},
                waiting_hours=first.hours(),
                waiting_mode=first.waiting_period.mode,
            )
        outcome = decide(
            product,
            issue,
            parsed,
            decider=Decider(actor.user_id, actor.underwriting_authority, actor.display_name),
            at=uow.now,
            status=row.status,
            chosen=chosen,
        )
        before = issue_view(row)
        entry = outcome.entry.as_dict()
        if outcome.status == "cleared":
            lowered = dict(outcome.terms.limits) if outcome.terms is not None else None
            entry["facts_cleared"] = cleared_facts(row.facts, lowered)
            row.cleared_facts_digest = facts_digest(entry["facts_cleared"])
        else:
            row.cleared_facts_digest = None
        row.status = outcome.status
        row.history = [*row.history, entry]
        if tx is not None:
            if outcome.terms is not None:
                # the endorsement is quoted again at the limits offered; the clearance,
                # for the facts as lowered, carries over to that quote
                tx.changes = {**tx.changes, "offered_limits": dict(outcome.terms.limits)}
                tx.status = "superseded"
            else:
                session.flush()
                tx.status = endorsement_status(issue_rows(session, submission.id, tx.id))
        elif outcome.terms is not None:
            submission.offered_limits = {**submission.offered_limits, **dict(outcome.terms.limits)}
            _touch(session, submission, uow.now)
        elif submission.status in ("referred", "declined"):
            submission.status = "draft"
        session.flush()
        after = issue_view(row)
        uow.audit(
            actor.user_id,
            f"underwriting.{parsed.kind}",
            ("underwriting_issue", row.id),
            before=before,
            after=after,
        )
        return after


def _endorsement_terms(session: Session, tx: PolicyTransaction) -> ChosenTerms:
    """The terms an endorsement asks for, as ``lower_limits`` takes them."""
    policy = session.get(Policy, tx.policy_id)  # reached with its transaction
    assert policy is not None
    (option,) = parse_options([tx.changes["terms_after"]])
    return ChosenTerms(
        start=jst_date(policy.period_start),
        limits=option.limits,
        deductibles=option.deductibles,
        options={"business_interruption": option.business_interruption},
        waiting_hours=option.hours(),
        waiting_mode=option.waiting_period.mode,
    )


def record_prebind(
    db: Database,
    actor: Actor,
    submission_id: int,
    *,
    kind: str,
    result: str,
    note: str | None = None,
) -> dict[str, Any]:
    """重要事項説明, 意向確認, 申込書, 反社会的勢力チェック: recorded before binding."""
    if kind not in PREBIND_KINDS:
        raise InputError(
            [
                Problem(
                    "kind",
                    "unknown_kind",
                    f"指定できない種類です（{', '.join(PREBIND_KINDS)}）",
                    f"must be one of {', '.join(PREBIND_KINDS)}",
                )
            ]
        )
    with db.unit_of_work() as uow:
        submission = load_submission(uow.session, actor, submission_id, "submission.write")
        return _record_prebind(uow, actor, submission, kind, result, note)


def record_prebinds(
    db: Database, actor: Actor, submission_id: int, kinds: list[str]
) -> list[dict[str, Any]]:
    """Several pre-bind steps done, each with its expected result (the page's checklist),
    in one transaction; at least one must be named."""
    with db.unit_of_work() as uow:
        submission = load_submission(uow.session, actor, submission_id, "submission.write")
        unknown = [k for k in kinds if k not in PREBIND_KINDS]
        if unknown or not kinds:
            raise InputError(
                [
                    Problem(
                        "kinds",
                        "unknown_kind" if unknown else "required",
                        "確認した項目を選んでください",
                        "choose the steps that were done",
                    )
                ]
            )
        return [
            _record_prebind(uow, actor, submission, kind, PREBIND_KINDS[kind], None)
            for kind in kinds
        ]


def _record_prebind(
    uow: Any, actor: Actor, submission: Submission, kind: str, result: str, note: str | None
) -> dict[str, Any]:
    row = uow.session.execute(
        select(PreBindRecord).where(
            PreBindRecord.submission_id == submission.id, PreBindRecord.kind == kind
        )
    ).scalar_one_or_none()
    before = {"result": row.result, "note": row.note} if row else None
    if row is None:
        row = PreBindRecord(
            submission_id=submission.id,
            kind=kind,
            result=result,
            note=note,
            recorded_by=actor.user_id,
            recorded_at=uow.now,
        )
        uow.session.add(row)
    else:
        row.result, row.note, row.recorded_by, row.recorded_at = (
            result,
            note,
            actor.user_id,
            uow.now,
        )
    uow.session.flush()
    view = {
        "submission_id": submission.id,
        "kind": kind,
        "result": result,
        "note": note,
        "complete": result == PREBIND_KINDS[kind],
    }
    uow.audit(
        actor.user_id,
        "submission.prebind",
        ("submission", submission.id),
        before=before,
        after=view,
    )
    return view


def renew_policy(db: Database, actor: Actor, policy_id: int) -> dict[str, Any]:
    """Open the renewal: a new submission from the policy's end, answers carried over to
    be confirmed (new disclosure), options as the expiring terms, to be re-rated."""
    with db.unit_of_work() as uow:
        session = uow.session
        policy = load_policy(session, actor, policy_id, "policy.change")
        require(policy.status, Action.RENEW)
        previous = session.get(Submission, policy.submission_id)
        assert previous is not None
        if session.execute(
            select(Submission.id).where(
                Submission.renewal_of_id == policy.id, Submission.status != "declined"
            )
        ).first():
            raise ConflictError(
                "renewal_exists", "更新の申込が既にあります", "a renewal is already open"
            )
        product = on_sale()  # a renewal too: the version on sale at renewal
        terms = dict(policy.terms)
        submission = Submission(
            company_id=policy.company_id,
            agency_id=previous.agency_id,
            kind="renewal",
            renewal_of_id=policy.id,
            product_code=product.product.code,
            product_version=product.product.version,
            status="draft",
            start_date=jst_date(policy.period_end),
            disclosure=dict(previous.disclosure),
            isms=previous.isms,
            options=[terms],
            offered_limits={},
            version=1,
            created_by=actor.user_id,
            created_at=uow.now,
            updated_at=uow.now,
        )
        session.add(submission)
        session.flush()
        view = submission_view(submission)
        uow.audit(actor.user_id, "policy.renew", ("submission", submission.id), after=view)
        return view


def get_submission(db: Database, actor: Actor, submission_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        submission = load_submission(session, actor, submission_id, "submission.read")
        issues = issue_rows(session, submission.id)  # its own: not its policy's endorsements'
        quotes = session.execute(
            select(Quote).where(Quote.submission_id == submission.id).order_by(Quote.id)
        ).scalars()
        return shape(
            actor,
            "submission",
            {
                **submission_view(submission),
                "options": submission.options,
                "offered_limits": submission.offered_limits,
                "issues": [issue_view(r) for r in issues],
                "quotes": [quote_view(q) for q in quotes],
            },
        )


def list_submissions(db: Database, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
    """Scoped list; an underwriter's referral queue is ``status=referred``."""
    authorize(actor, "submission.read")
    with db.sessions() as session:
        query = select(Submission).where(reach_filter(actor, Submission)).order_by(Submission.id)
        if status is not None:
            query = query.where(Submission.status == status)
        return shape_all(
            actor, "submission", [submission_view(s) for s in session.execute(query).scalars()]
        )


def get_quote(db: Database, actor: Actor, quote_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        quote, _submission = load_quote(session, actor, quote_id, "submission.read")
        return quote_view(quote)


def referral_queue(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The underwriter's queue: submissions with an issue still open, oldest first, each
    with its company's name and every issue it raised; then the endorsements still to be
    applied with an issue open (``endorsement``: the transaction, with its policy's
    number), oldest first."""
    authorize(actor, "underwriting.decide")
    with db.sessions() as session:
        open_ids = (
            select(UnderwritingIssueRow.submission_id)
            .where(
                UnderwritingIssueRow.status == "open",
                UnderwritingIssueRow.policy_transaction_id.is_(None),
            )
            .distinct()
        )
        out = []
        for submission in session.execute(
            select(Submission).where(Submission.id.in_(open_ids)).order_by(Submission.id)
        ).scalars():
            company = session.get(Company, submission.company_id)
            issues = issue_rows(session, submission.id)
            out.append(
                {
                    **submission_view(submission),
                    "company_name": company.name if company else "",
                    "options": submission.options,
                    "issues": [issue_view(r) for r in issues],
                }
            )
        open_tx = (
            select(UnderwritingIssueRow.policy_transaction_id)
            .where(UnderwritingIssueRow.status == "open")
            .distinct()
        )
        for tx in session.execute(
            select(PolicyTransaction)
            .where(
                PolicyTransaction.id.in_(open_tx), PolicyTransaction.status.in_(ENDORSEMENT_OPEN)
            )
            .order_by(PolicyTransaction.id)
        ).scalars():
            policy = session.get(Policy, tx.policy_id)
            assert policy is not None
            company = session.get(Company, policy.company_id)
            issues = issue_rows(session, policy.submission_id, tx.id)
            out.append(
                {
                    "endorsement": transaction_view(tx),
                    "policy_id": policy.id,
                    "policy_number": policy.number,
                    "company_name": company.name if company else "",
                    "issues": [issue_view(r) for r in issues],
                }
            )
        return out
