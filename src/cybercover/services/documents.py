"""Documents (issue #9): gather a document's data with authorisation, then render it.

Each ``*_pdf`` function loads its object through the same scoped loaders the JSON API
uses (so an outsider gets *not found* or *forbidden* and no byte of the document),
reads every term from the product version the object was sold under, and hands a plain
data object to :mod:`cybercover.documents`. Reads only: no audit row is written.

Who may download what (services/authz.py):
quote — ``submission.read``; schedule — ``policy.read``; settlement — ``claim.read``;
incident report — ``incident.read`` except partners, who see only their dispatch (the
same rule as the timeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import quote as url_quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.claims.ledger import Posting, erosion
from cybercover.companies.industry import group as industry_group
from cybercover.documents import (
    Lang,
    render_incident,
    render_quote,
    render_schedule,
    render_settlement,
)
from cybercover.documents import model as m
from cybercover.documents.facts import hearing_answer, isms_text, terms_of, text
from cybercover.documents.labels import code_label, desk_contact, event_detail
from cybercover.documents.terms import circled
from cybercover.errors import ConflictError, InputError, NotFoundError, Problem
from cybercover.product.catalogue import sold_under
from cybercover.product.model import Product
from cybercover.services.authz import Actor
from cybercover.services.catalogue import incident_product
from cybercover.services.people import _actor as user_actor  # the one user → actor mapping
from cybercover.services.policies import policy_terms
from cybercover.services.scope import load_claim, load_incident, load_policy, load_submission
from cybercover.services.uow import Database
from cybercover.services.visibility import event_visible
from cybercover.storage.models import (
    Claim,
    ClaimAdjudication,
    ClaimPayment,
    Company,
    CostDocument,
    Deadline,
    Dispatch,
    IncidentEvent,
    Organisation,
    Policy,
    PolicyAgency,
    PolicyTransaction,
    Quote,
    User,
)
from cybercover.terms import build_policy_terms, remaining
from cybercover.terms.model import PolicyTerms
from cybercover.timeutil import add_years, period_start

__all__ = [
    "Rendered",
    "actor_for_email",
    "content_disposition",
    "incident_pdf",
    "parse_lang",
    "quote_pdf",
    "schedule_pdf",
    "settlement_pdf",
]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered document: the PDF and its file name (UTF-8, and an ASCII fallback)."""

    content: bytes
    filename: str
    ascii_filename: str


def actor_for_email(db: Database, email: str) -> Actor:
    """The CLI's ``--as-user``: that active user's actor (no password: the CLI already
    holds the database's credentials; the point is to apply the user's access rules)."""
    with db.sessions() as session:
        user = session.execute(select(User).where(User.email == email.strip().lower())).scalar()
        if user is None or not user.active:
            raise InputError(
                [
                    Problem(
                        "as_user",
                        "unknown_user",
                        "このメールアドレスの有効な利用者はいません",
                        "no active user has this e-mail",
                    )
                ]
            )
        return user_actor(user)


def parse_lang(value: str | None) -> Lang:
    if value in (None, "", "ja"):
        return "ja"
    if value == "en":
        return "en"
    raise InputError(
        [Problem("lang", "one_of", "ja または en を指定してください", "must be ja or en")]
    )


def content_disposition(doc: Rendered) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266)."""
    return (
        f'attachment; filename="{doc.ascii_filename}"; '
        f"filename*=UTF-8''{url_quote(doc.filename, safe='')}"
    )


def _rendered(content: bytes, ja: str, ascii_name: str, lang: Lang) -> Rendered:
    return Rendered(
        content, f"{ja}.pdf" if lang == "ja" else f"{ascii_name}.pdf", f"{ascii_name}.pdf"
    )


def _insured(company: Company) -> m.Insured:
    postal = (
        f"〒{company.postal_code[:3]}-{company.postal_code[3:]} " if company.postal_code else ""
    )
    return m.Insured(company.name, company.corporate_number, f"{postal}{company.address}")


# -- quote ----------------------------------------------------------------------------------


def _stored_terms(product: Product, data: dict[str, Any], start: datetime) -> PolicyTerms:
    """Terms of a quoted option as stored (the same JSON a policy keeps)."""
    wp = data.get("waiting_period") or {}
    return build_policy_terms(
        product,
        start=start,
        limits=data["limits"],
        deductibles=data.get("deductibles") or {},
        options={"business_interruption": bool(data.get("business_interruption"))},
        waiting_hours=Fraction(Decimal(wp["hours"])) if wp.get("hours") else None,
        waiting_mode=wp.get("mode"),
    )


def quote_pdf(db: Database, actor: Actor, submission_id: int, lang: Lang = "ja") -> Rendered:
    """見積書 of the submission's current quotes (its latest version), side by side."""
    with db.sessions() as session:
        submission = load_submission(session, actor, submission_id, "submission.read")
        quotes = list(
            session.execute(
                select(Quote)
                .where(
                    Quote.submission_id == submission.id,
                    Quote.submission_version == submission.version,
                    Quote.status.in_(("quoted", "bound")),
                )
                .order_by(Quote.id)
            ).scalars()
        )
        if not quotes:
            raise ConflictError(
                "no_quote",
                "この申込にはまだ有効な見積りがありません",
                "the submission has no current quote yet",
            )
        product = sold_under(submission)
        company = session.get(Company, submission.company_id)
        assert company is not None
        start = period_start(submission.start_date)
        options = []
        for q in quotes:
            factors = [
                m.Factor(f["code"], m.T(f["ja"], f["en"]), f["factor"], f["amount"])
                for f in q.factors
            ]
            options.append(
                m.QuoteOption(
                    q.label,
                    q.premium,
                    terms_of(product, _stored_terms(product, q.options, start)),
                    tuple(factors),
                    q.status,
                )
            )
        group = industry_group(company.industry_group)
        info = product.product
        doc = m.Quote(
            reference=f"Q-{submission.id}-{submission.version}",
            issued_at=db.clock(),
            product=text(info.name),
            approval_number=info.approval_number,
            insurer=text(info.insurer),
            agencies=tuple(text(a.name) for a in info.agencies),
            company=_insured(company),
            industry=m.T(f"{group.code} {group.ja}", f"{group.code} {group.en}"),
            annual_revenue=company.annual_revenue,
            start=start,
            end=add_years(start, product.period.years),
            valid_until=min(q.valid_until for q in quotes),
            options=tuple(options),
            isms=isms_text(product, submission.isms, list(options[0].factors)),
            notes=(text(product.eligibility.note),) if product.eligibility.note else (),
        )
    return _rendered(
        render_quote(doc, lang), f"見積書_{doc.reference}", f"quote-{doc.reference}", lang
    )


# -- policy schedule -----------------------------------------------------------------------


def _desk_name(session: Session) -> str | None:
    """The incident desk organisation registered in the system (PRODUCT.md §6)."""
    return session.execute(
        select(Organisation.name).where(Organisation.kind == "desk").order_by(Organisation.id)
    ).scalar()


def _desk(session: Session, product: Product) -> m.T:
    """How to reach the desk: the desk organisation registered in the system (else the
    product's desk), and what the desk does in the product file's words (PRODUCT.md §6)."""
    registered = _desk_name(session)
    desk = product.emergency_support.desk
    if registered is not None:
        name = m.T.same(registered)
    elif desk is not None:
        name = text(desk.name)
    else:
        name = m.T("インシデントサポートデスク", "the incident support desk")
    return desk_contact(name, text(desk.role) if desk is not None else None)


def schedule_pdf(db: Database, actor: Actor, policy_id: int, lang: Lang = "ja") -> Rendered:
    """保険証券 of an issued policy."""
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        if policy.number is None:
            raise ConflictError(
                "not_issued",
                "保険証券は契約の発行後に作成できます",
                "a schedule exists once the policy is issued",
            )
        product = sold_under(policy)
        company = session.get(Company, policy.company_id)
        assert company is not None
        issued = session.execute(
            select(PolicyTransaction.created_at)
            .where(PolicyTransaction.policy_id == policy.id, PolicyTransaction.kind == "issue")
            .order_by(PolicyTransaction.id)
        ).scalar()
        by_code = {a.code: a for a in product.product.agencies}
        agencies = []
        for share, org in session.execute(
            select(PolicyAgency, Organisation)
            .join(Organisation, Organisation.id == PolicyAgency.agency_id)
            .where(PolicyAgency.policy_id == policy.id)
            .order_by(PolicyAgency.share_bp.desc(), Organisation.code)
        ).all():
            known = by_code.get(org.code)
            agencies.append(
                m.AgencyShare(
                    text(known.name) if known else m.T.same(org.name),
                    known.address if known else "",
                    tuple(code_label("task", t) for t in share.tasks),
                    f"{Decimal(share.share_bp) / 100:g}",
                    bool(known and known.enquiries),
                )
            )
        labels = {c.code: c for c in product.coverages}
        exclusions = tuple(
            (
                text(e.label),
                tuple(
                    m.T(
                        f"{circled(labels[p].number)}{labels[p].short.ja}",
                        labels[p].short.en,
                    )
                    for p in e.applies_to
                ),
            )
            for e in product.exclusions
        )
        support = product.emergency_support
        paid_from = product.coverage(support.paid_from)
        info = product.product
        doc = m.PolicySchedule(
            number=policy.number,
            status=code_label("policy_status", policy.status),
            issued_at=issued or policy.created_at,
            product=text(info.name),
            product_version=info.version,
            approval_number=info.approval_number,
            insurer=text(info.insurer),
            company=_insured(company),
            insured_note=text(product.insured.liability_note) if product.insured else m.T("", ""),
            start=policy.period_start,
            end=policy.period_end,
            retroactive_date=policy.retroactive_date,
            terms=terms_of(product, policy_terms(policy)),
            exclusions=exclusions,
            emergency_label=text(support.label),
            emergency_services=tuple(text(s.label) for s in support.services),
            emergency_paid_from=m.T(
                f"{circled(paid_from.number)}{paid_from.short.ja}", paid_from.short.en
            ),
            desk=_desk(session, product),
            agencies=tuple(agencies),
            annual_premium=policy.annual_premium,
            written_premium=policy.written_premium,
            payment=m.T(
                f"{code_label('plan', policy.payment_plan).ja}・{code_label('method', policy.payment_method).ja}",
                f"{code_label('plan', policy.payment_plan).en}, {code_label('method', policy.payment_method).en}",
            ),
            notes=(
                m.T(
                    "本証券の補償内容は商品版 "
                    f"{info.version}（承認番号 {info.approval_number}）の約款によります。",
                    f"Cover is as worded in product version {info.version} "
                    f"(approval {info.approval_number}).",
                ),
            ),
        )
    return _rendered(
        render_schedule(doc, lang), f"保険証券_{doc.number}", f"schedule-{doc.number}", lang
    )


# -- settlement letter ---------------------------------------------------------------------


def _paid_payments(session: Session, claim: Claim, payment_id: int | None) -> list[ClaimPayment]:
    payments = list(
        session.execute(
            select(ClaimPayment)
            .where(ClaimPayment.claim_id == claim.id, ClaimPayment.status == "paid")
            .order_by(ClaimPayment.paid_at, ClaimPayment.id)
        ).scalars()
    )
    if payment_id is None:
        if not payments:
            raise ConflictError(
                "no_payment",
                "この請求にはまだ支払がありません",
                "nothing has been paid on this claim yet",
            )
        return payments
    chosen = [p for p in payments if p.id == payment_id]
    if not chosen:
        row = session.execute(  # only a payment of this (already reached) claim
            select(ClaimPayment).where(
                ClaimPayment.id == payment_id, ClaimPayment.claim_id == claim.id
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFoundError("payment", payment_id)
        raise ConflictError(
            "payment_not_paid",
            f"この支払は{row.status}です（支払済みのものだけ通知できます）",
            f"the payment is {row.status}; only a paid payment has a letter",
        )
    return chosen


def _remaining_after(
    session: Session, policy: Policy, terms: PolicyTerms, last: ClaimPayment
) -> dict[str, int]:
    """Each limit less every payment on the policy up to and including ``last``, in the
    order they were paid (the erosion ledger as it stood right after ``last``)."""
    assert last.paid_at is not None
    upto = [
        Posting(p.claim_id, part, p.head, amount)
        for p in session.execute(
            select(ClaimPayment)
            .join(Claim, Claim.id == ClaimPayment.claim_id)
            .where(Claim.policy_id == policy.id, ClaimPayment.status == "paid")
            .order_by(ClaimPayment.paid_at, ClaimPayment.id)
        ).scalars()
        if p.paid_at is not None and (p.paid_at, p.id) <= (last.paid_at, last.id)
        for part, amount in p.by_part.items()
    ]
    return remaining(terms, erosion(upto, [], {p.code: p.shared for p in terms.parts}))


def settlement_pdf(
    db: Database, actor: Actor, claim_id: int, lang: Lang = "ja", payment_id: int | None = None
) -> Rendered:
    """支払通知 for one payment, or (default) for every payment made on the claim so far.

    The items are the adjudication worksheet stored last at or before the (last)
    payment, so the letter shows what was decided when the money was paid.
    """
    with db.sessions() as session:
        claim = load_claim(session, actor, claim_id, "claim.read")
        payments = _paid_payments(session, claim, payment_id)
        last = payments[-1]
        assert last.paid_at is not None
        sheet = session.execute(
            select(ClaimAdjudication)
            .where(ClaimAdjudication.claim_id == claim.id, ClaimAdjudication.at <= last.paid_at)
            .order_by(ClaimAdjudication.at.desc(), ClaimAdjudication.id.desc())
        ).scalar()
        if sheet is None:
            raise ConflictError("no_adjudication", "査定の記録がありません", "no adjudication")
        policy = session.get(Policy, claim.policy_id)
        company = session.get(Company, policy.company_id) if policy else None
        assert policy is not None and company is not None and policy.number is not None
        product = sold_under(policy)
        terms = policy_terms(policy)
        heads = {h.code: text(h.label) for h in product.cost_heads} | {
            f"partner:{s.code}": text(s.label) for s in product.emergency_support.services
        }
        parts = {c.code: text(c.short) for c in product.coverages}
        items = sorted(sheet.worksheet["items"], key=lambda i: i["id"])
        paid_to_date = sum(
            p.amount
            for p in session.execute(
                select(ClaimPayment).where(
                    ClaimPayment.claim_id == claim.id, ClaimPayment.status == "paid"
                )
            ).scalars()
        )
        left = _remaining_after(session, policy, terms, last)
        limits = {"aggregate": terms.aggregate} | {p.code: p.limit for p in terms.parts if p.bought}
        limits |= {
            s.code: s.limit for s in terms.shared if any(terms.part(p).bought for p in s.parts)
        }
        doc = m.SettlementLetter(
            claim_number=claim.number,
            policy_number=policy.number,
            issued_at=db.clock(),
            insurer=text(product.product.insurer),
            company=_insured(company),
            accident_at=claim.accident_at,
            payments=tuple(
                m.PaymentLine(
                    p.paid_at or last.paid_at,
                    p.amount,
                    tuple(
                        (parts.get(k, m.T.same(k)), v) for k, v in sorted(p.by_part.items()) if v
                    ),
                    f"P-{p.id}",
                )
                for p in payments
            ),
            items=tuple(
                m.SettlementItem(
                    i["description"],
                    parts.get(i["coverage"], m.T.same(i["coverage"])),
                    heads.get(i["category"]),
                    i["claimed"],
                    i["payable"],
                    tuple(
                        m.Withheld(w["amount"], w["clause"], m.T(w["ja"], w["en"]))
                        for w in i["withheld"]
                    ),
                )
                for i in items
            ),
            paid_to_date=paid_to_date,
            remaining=tuple(
                (m.T(*terms.label(key)), limit, left[key]) for key, limit in limits.items()
            ),
            notes=(
                m.T(
                    "お支払額は約款・お支払限度額・自己負担額に基づき査定した額です。",
                    "Amounts paid are as adjudicated under the policy wording, limits and deductibles.",
                ),
            ),
        )
    name = doc.claim_number + (f"-P{payment_id}" if payment_id is not None else "")
    return _rendered(
        render_settlement(doc, lang), f"保険金支払通知書_{name}", f"settlement-{name}", lang
    )


# -- incident report -----------------------------------------------------------------------


def incident_pdf(db: Database, actor: Actor, incident_id: int, lang: Lang = "ja") -> Rendered:
    """The incident report: hearing, triage, advice, deadlines, dispatches, timeline."""
    from cybercover.incidents import hearing

    with db.sessions() as session:
        # the whole case: a partner reads only its dispatch (services/authz.py)
        incident = load_incident(session, actor, incident_id, "incident.case")
        policy = session.get(Policy, incident.policy_id) if incident.policy_id else None
        product = incident_product(session, incident)
        company = session.get(Company, incident.company_id) if incident.company_id else None
        now = db.clock()
        questions = [q for q in hearing().questions if q.code in incident.hearing]
        families = {f.code: text(f.label) for f in product.event_families}
        triage: list[tuple[m.T, m.T]] = []
        if incident.triage:
            family = incident.triage.get("family", "")
            triage.append((m.T("事故の類型", "Family"), families.get(family, m.T.same(family))))
            triage.append(
                (
                    m.T("重大度", "Severity"),
                    code_label("severity", incident.triage.get("severity", "")),
                )
            )
            for reason in incident.triage.get("reasons", []):
                triage.append((m.T("判断理由", "Why"), m.T(reason["ja"], reason["en"])))
        deadlines = []
        for d in session.execute(
            select(Deadline).where(Deadline.incident_id == incident.id).order_by(Deadline.due_at)
        ).scalars():
            state = "overdue" if d.status == "open" and now >= d.due_at else d.status
            deadlines.append(
                m.DeadlineLine(
                    m.T(d.name_ja, d.name_en),
                    d.source,
                    d.due_at,
                    d.target_at,
                    code_label("deadline", state),
                    d.done_at,
                )
            )
        services = {s.code: text(s.label) for s in product.emergency_support.services}
        dispatches = []
        for sent, partner in session.execute(
            select(Dispatch, Organisation)
            .join(Organisation, Organisation.id == Dispatch.partner_id)
            .where(Dispatch.incident_id == incident.id)
            .order_by(Dispatch.id)
        ).all():
            costs = session.execute(
                select(CostDocument)
                .where(CostDocument.dispatch_id == sent.id)
                .order_by(CostDocument.id)
            ).scalars()
            dispatches.append(
                m.DispatchLine(
                    partner.name,
                    services.get(sent.service, m.T.same(sent.service)),
                    code_label("dispatch", sent.status),
                    sent.requested_at,
                    sent.responded_at,
                    tuple(
                        m.CostLine(
                            code_label("cost_kind", c.kind),
                            c.description,
                            c.amount_ex_tax,
                            c.tax,
                            c.total,
                            code_label("cost", c.status),
                        )
                        for c in costs
                    ),
                )
            )
        events = [
            e
            for e in session.execute(
                select(IncidentEvent)
                .where(IncidentEvent.incident_id == incident.id)
                .order_by(IncidentEvent.at, IncidentEvent.id)
            ).scalars()
            if event_visible(actor, e.kind)  # the insured's steps, not the insurer's notes
        ]
        ids = {e.actor_user_id for e in events if e.actor_user_id is not None}
        names = (
            dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
            if ids
            else {}
        )
        doc = m.IncidentReport(
            number=incident.number,
            issued_at=now,
            status=code_label("incident", incident.status),
            company=company.name if company else incident.caller_organisation,
            policy_number=policy.number if policy else None,
            insured=incident.insured,
            channel=code_label("channel", incident.channel),
            caller=" / ".join(
                x
                for x in (
                    incident.caller_name,
                    incident.caller_organisation,
                    incident.caller_contact,
                )
                if x
            ),
            summary=incident.summary,
            occurred_at=incident.occurred_at,
            aware_at=incident.aware_at,
            reported_at=incident.reported_at,
            first_response_at=incident.first_response_at,
            handed_over_at=incident.handed_over_at,
            triage=tuple(triage),
            hearing=tuple(
                (text(q.text), hearing_answer(q, incident.hearing[q.code])) for q in questions
            ),
            advice=tuple(
                (
                    m.T(a["ja"], a["en"]),
                    datetime.fromisoformat(a["given_at"]) if a.get("given_at") else None,
                )
                for a in incident.advice
            ),
            deadlines=tuple(deadlines),
            dispatches=tuple(dispatches),
            timeline=tuple(
                m.TimelineLine(
                    e.at,
                    code_label("event", e.kind),
                    names.get(e.actor_user_id, "") if e.actor_user_id else "",
                    event_detail(e.data),
                )
                for e in events
            ),
            desk=m.T.same(_desk_name(session) or ""),
        )
    return _rendered(
        render_incident(doc, lang), f"事故対応報告書_{doc.number}", f"incident-{doc.number}", lang
    )
