"""Claims: one accident (1事故) of a policy, its loss items adjudicated by the terms engine
against the policy's erosion ledger, reserves, and payments that are never made twice
nor beyond a limit (issue #5).

Payments lock the policy row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises
writers with BEGIN IMMEDIATE), recompute what is payable with the ledger as it stands,
pay the difference from what this claim was already paid, and erode the ledger in the
same transaction. An idempotency key makes a retried request return the first payment.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.claims import compute_profit_loss, longest_unbroken_hours, parse_profit_loss_input
from cybercover.errors import AuthorityError, ConflictError, InputError, NotFoundError, Problem
from cybercover.product import find_product
from cybercover.services.audit import jsonable
from cybercover.services.authz import Actor, authorize
from cybercover.services.policies import policy_terms
from cybercover.services.scope import load, load_claim, load_policy, reach_filter, reference
from cybercover.services.uow import Database, next_number
from cybercover.services.uploads import check_upload
from cybercover.services.visibility import shape
from cybercover.storage.db import insert_for
from cybercover.storage.models import (
    Claim,
    ClaimAdjudication,
    ClaimDocument,
    ClaimPayment,
    ClaimRecovery,
    ClaimReserve,
    CostDocument,
    Dispatch,
    Incident,
    LossItem,
    Policy,
    PolicyLedger,
)
from cybercover.terms import Accident, Ledger, LossLine, adjudicate
from cybercover.terms.model import Adjudication, PolicyTerms
from cybercover.timeutil import JST

RANSOM = "ransom"
"""Loss-item category never paid (Japanese cyber products generally exclude ransom
payments; ours, to confirm against the 約款)."""

__all__ = [
    "add_loss_item",
    "add_profit_loss_item",
    "adjudicate_claim",
    "approve_payment",
    "attach_document",
    "complete_documents",
    "get_claim",
    "latest_worksheet",
    "limits_left",
    "list_claims",
    "open_claim",
    "record_recovery",
    "request_payment",
    "set_reserve",
    "submit_claim_document",
]


def _claim_number(session: Session, at: datetime) -> str:
    year = at.astimezone(JST).year
    return f"CLM-{year}-{next_number(session, f'claim/CLM-{year}'):06d}"


def _outage(value: Any) -> str | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InputError(
            [
                Problem(
                    "outage_hours", "decimal_parsing", "数値で指定してください", "must be a number"
                )
            ]
        ) from None
    if number < 0 or not number.is_finite():
        raise InputError(
            [Problem("outage_hours", "negative", "0以上で指定してください", "must not be negative")]
        )
    return str(number)


def open_claim(
    db: Database,
    actor: Actor,
    *,
    policy_id: int | None = None,
    incident_id: int | None = None,
    accident_at: datetime | None = None,
    outage_hours: Any = None,
    causes: list[str] | None = None,
    act_at: datetime | None = None,
    claim_made_at: datetime | None = None,
    grounds: str = "",
    outages: list[tuple[datetime, datetime]] | None = None,
) -> dict[str, Any]:
    """Open a claim from an incident (its policy, its time, the partners' approved
    invoices as loss items) or directly on a policy."""
    authorize(actor, "claim.manage")
    with db.unit_of_work() as uow:
        session = uow.session
        incident = (
            reference(session, actor, Incident, incident_id, "incident_id")
            if incident_id is not None
            else None
        )
        if incident is not None and incident.policy_id is None:
            raise InputError(
                [
                    Problem(
                        "incident_id",
                        "not_insured",
                        "保険契約のある事案を指定してください",
                        "name an incident of an insured",
                    )
                ]
            )
        pid = incident.policy_id if incident is not None else policy_id
        if pid is None:
            raise InputError(
                [
                    Problem(
                        "policy_id",
                        "required",
                        "証券または事案を指定してください",
                        "name a policy or an incident",
                    )
                ]
            )
        policy = (
            load_policy(session, actor, pid, "policy.read")
            if incident is not None
            else reference(session, actor, Policy, pid, "policy_id", "policy.read")
        )
        when = incident.occurred_at if incident is not None else accident_at
        if when is None or when.tzinfo is None:
            raise InputError(
                [
                    Problem(
                        "accident_at",
                        "timezone_aware",
                        "時差付きの事故日時が必要です",
                        "an aware accident time is needed",
                    )
                ]
            )
        known = {c for p in policy_terms(policy).parts for c in p.excluded_by}
        for i, cause in enumerate(causes or []):
            if cause not in known:
                raise InputError(
                    [
                        Problem(
                            f"causes[{i}]",
                            "unknown_cause",
                            "不明な事由コードです",
                            f"{cause!r} is not a cause code of the product",
                        )
                    ]
                )
        if causes and not grounds.strip():
            raise InputError(
                [
                    Problem(
                        "grounds",
                        "grounds_required",
                        "免責事由の認定には書面の根拠が必要です",
                        "an exclusion finding needs written grounds",
                    )
                ]
            )
        claim = Claim(
            number=_claim_number(session, uow.now),
            policy_id=policy.id,
            incident_id=incident.id if incident else None,
            status="open",
            accident_at=when,
            outage_hours=str(longest_unbroken_hours(outages)) if outages else _outage(outage_hours),
            causes=list(causes or []),
            act_at=act_at,
            claim_made_at=claim_made_at,
            findings=[],
            opened_by=actor.user_id,
            opened_at=uow.now,
        )
        session.add(claim)
        if causes:
            claim.findings = [
                {
                    "causes": list(causes),
                    "grounds": grounds.strip(),
                    "by": actor.user_id,
                    "at": uow.now.isoformat(),
                }
            ]
        session.flush()
        if incident is not None:
            for doc, service in session.execute(
                select(CostDocument, Dispatch.service)
                .join(Dispatch, Dispatch.id == CostDocument.dispatch_id)
                .where(
                    Dispatch.incident_id == incident.id,
                    CostDocument.kind == "invoice",
                    CostDocument.status == "approved",
                )
            ).all():
                session.add(
                    LossItem(
                        claim_id=claim.id,
                        coverage="response_costs",
                        category=f"partner:{service}",
                        description=doc.description,
                        amount=doc.total,
                        source=f"cost_document:{doc.id}",
                        status="active",
                        created_by=actor.user_id,
                        created_at=uow.now,
                    )
                )
        session.flush()
        uow.audit(
            actor.user_id,
            "claim.open",
            ("claim", claim.id),
            after={"number": claim.number, "policy_id": policy.id},
        )
        return _claim_view(session, claim)


def add_loss_item(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    coverage: str,
    category: str,
    description: str,
    amount: int | None = None,
    fx: dict[str, Any] | None = None,
    victims: int | None = None,
    victim_companies: int | None = None,
    consent: bool = False,
) -> dict[str, Any]:
    """A loss item in yen, or in a foreign currency converted at a recorded rate and
    date (a judgement abroad: 海外訴訟), floored once to the yen."""
    problems: list[Problem] = []
    details: dict[str, Any] = {}
    if consent:
        details["consent"] = {"by": actor.user_id}
    if victim_companies is not None:
        if (
            isinstance(victim_companies, bool)
            or not isinstance(victim_companies, int)
            or victim_companies < 0
        ):
            problems.append(
                Problem(
                    "victim_companies",
                    "non_negative",
                    "0以上の整数で指定してください",
                    "must be a whole number, not negative",
                )
            )
        details["victim_companies"] = victim_companies
    if victims is not None:
        if isinstance(victims, bool) or not isinstance(victims, int) or victims < 0:
            problems.append(
                Problem(
                    "victims",
                    "non_negative",
                    "0以上の整数で指定してください",
                    "must be a whole number, not negative",
                )
            )
        details["victims"] = victims
    if fx is not None:
        amount, fx_details, fx_problems = _convert(fx)
        details.update(fx_details)
        problems.extend(fx_problems)
    elif isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        problems.append(
            Problem(
                "amount",
                "non_negative_yen",
                "0円以上の整数で指定してください",
                "must be a whole number of yen, not negative",
            )
        )
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")
        policy = uow.session.get(Policy, claim.policy_id)
        assert policy is not None
        codes = [p.code for p in policy_terms(policy).parts]
        if coverage not in codes:
            problems.append(
                Problem(
                    "coverage",
                    "unknown_coverage",
                    f"不明な補償です（{', '.join(codes)}）",
                    f"must be one of {', '.join(codes)}",
                )
            )
        if problems:
            raise InputError(problems)
        assert amount is not None  # checked above, or converted from the foreign amount
        return _store_item(
            uow,
            claim,
            actor,
            coverage=coverage,
            category=category[:48] or "other",
            description=description[:500],
            amount=amount,
            source="handler",
            details=details,
            audit={"coverage": coverage, "category": category[:48] or "other", "amount": amount},
        )


def add_profit_loss_item(
    db: Database, actor: Actor, claim_id: int, inputs: dict[str, Any]
) -> dict[str, Any]:
    """Loss of profit is computed, not typed in (REFERENCE.md §3): the computation's
    every input and step are kept on the item."""
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")  # refuse outsiders first
        result = compute_profit_loss(parse_profit_loss_input(inputs, prefix=("profit_loss",)))
        details = jsonable(result.as_dict())
        return _store_item(
            uow,
            claim,
            actor,
            coverage="profit_loss",
            category="loss_of_profit",
            description="喪失利益（計算） / loss of profit (computed)",
            amount=result.total,
            source="profit_computation",
            details=details,
            audit={"coverage": "profit_loss", "amount": result.total, "computation": details},
        )


def _store_item(
    uow: Any,
    claim: Claim,
    actor: Actor,
    *,
    coverage: str,
    category: str,
    description: str,
    amount: int,
    source: str,
    details: dict[str, Any],
    audit: dict[str, Any],
) -> dict[str, Any]:
    """Add a loss item to an open claim, re-adjudicate, audit: one step for every kind."""
    if claim.status != "open":
        raise ConflictError("claim_closed", "この請求は終了しています", "the claim is closed")
    uow.session.add(
        LossItem(
            claim_id=claim.id,
            coverage=coverage,
            category=category,
            description=description,
            amount=amount,
            source=source,
            details=details,
            status="active",
            created_by=actor.user_id,
            created_at=uow.now,
        )
    )
    uow.session.flush()
    _readjudicate(uow, claim, actor)
    uow.audit(actor.user_id, "claim.item", ("claim", claim.id), after=audit)
    return _claim_view(uow.session, claim)


def _convert(fx: dict[str, Any]) -> tuple[int, dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    currency = str(fx.get("currency", "")).upper()
    if len(currency) != 3 or not currency.isalpha() or currency == "JPY":
        problems.append(
            Problem(
                "fx.currency",
                "currency",
                "ISO 4217 の通貨コードで指定してください（JPY以外）",
                "must be an ISO 4217 currency code other than JPY",
            )
        )
    try:
        foreign = Decimal(str(fx.get("amount")))
        rate = Decimal(str(fx.get("rate")))
        if not (foreign.is_finite() and rate.is_finite()) or foreign < 0 or rate <= 0:
            raise InvalidOperation
    except InvalidOperation:
        problems.append(
            Problem(
                "fx",
                "fx_numbers",
                "金額と為替レートを正の数で指定してください",
                "give the foreign amount and a positive rate as numbers",
            )
        )
        return 0, {}, problems
    rate_date = str(fx.get("rate_date") or "")
    try:
        date.fromisoformat(rate_date)
    except ValueError:
        problems.append(
            Problem(
                "fx.rate_date",
                "date",
                "レートの日付（YYYY-MM-DD）が必要です",
                "the rate's date (YYYY-MM-DD) is needed",
            )
        )
    yen = Fraction(foreign) * Fraction(rate)
    amount = yen.numerator // yen.denominator
    return (
        amount,
        {
            "fx": {
                "currency": currency,
                "amount": str(foreign),
                "rate": str(rate),
                "rate_date": rate_date,
                "yen": amount,
            }
        },
        problems,
    )


def attach_document(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    filename: str,
    content_type: str,
    data: bytes,
    max_bytes: int,
) -> dict[str, Any]:
    """Attach a document to the claim (PDF/PNG/JPEG, size-limited, SHA-256 kept)."""
    return _attach(db, actor, claim_id, "claim.manage", filename, content_type, data, max_bytes)


def submit_claim_document(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    filename: str,
    content_type: str,
    data: bytes,
    max_bytes: int,
) -> dict[str, Any]:
    """The insured sends a document for its own claim (保険金請求書類: invoices, reports,
    a police report); anyone who may read the claim may add to it, nobody else."""
    return _attach(db, actor, claim_id, "claim.read", filename, content_type, data, max_bytes)


def _attach(
    db: Database,
    actor: Actor,
    claim_id: int,
    action: str,
    filename: str,
    content_type: str,
    data: bytes,
    max_bytes: int,
) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, action)  # refuse outsiders first
        safe, problems = check_upload(filename, content_type, data, max_bytes)
        if problems:
            raise InputError(problems)
        doc = ClaimDocument(
            claim_id=claim.id,
            filename=safe,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            by=actor.user_id,
            at=uow.now,
        )
        uow.session.add(doc)
        uow.session.flush()
        view = {
            "id": doc.id,
            "filename": safe,
            "content_type": content_type,
            "size": doc.size,
            "sha256": doc.sha256,
        }
        uow.audit(actor.user_id, "claim.document", ("claim", claim.id), after=view)
        return view


def complete_documents(db: Database, actor: Actor, claim_id: int) -> dict[str, Any]:
    """The claim documents are complete: the payment clock starts (product ``[policy]
    claim_payment_days``)."""
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")
        if claim.documents_complete_at is not None:
            raise ConflictError(
                "already_complete", "書類は既に揃っています", "the documents are already complete"
            )
        claim.documents_complete_at = uow.now
        uow.audit(actor.user_id, "claim.documents_complete", ("claim", claim.id))
        return _claim_view(uow.session, claim)


def record_recovery(
    db: Database, actor: Actor, claim_id: int, *, amount: int, from_party: str, note: str = ""
) -> dict[str, Any]:
    """Money recovered from a party at fault (代位求償); netted in the reports."""
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or amount <= 0
        or not from_party.strip()
    ):
        raise InputError(
            [
                Problem(
                    "amount" if not (isinstance(amount, int) and amount > 0) else "from_party",
                    "recovery",
                    "1円以上の金額と相手方が必要です",
                    "a positive amount and the party are needed",
                )
            ]
        )
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")
        paid = sum(_paid_by_claim(uow.session, claim.id).values())
        recovered = sum(
            r.amount
            for r in uow.session.execute(
                select(ClaimRecovery).where(ClaimRecovery.claim_id == claim.id)
            ).scalars()
        )
        if recovered + amount > paid:
            raise InputError(
                [
                    Problem(
                        "amount",
                        "recovery_above_paid",
                        f"回収額の合計が支払額 {paid:,}円 を超えます",
                        f"recoveries would exceed the {paid:,} yen paid",
                    )
                ]
            )
        uow.session.add(
            ClaimRecovery(
                claim_id=claim.id,
                amount=amount,
                from_party=from_party.strip()[:200],
                note=note[:500],
                by=actor.user_id,
                at=uow.now,
            )
        )
        uow.session.flush()
        uow.audit(
            actor.user_id,
            "claim.recovery",
            ("claim", claim.id),
            after={"amount": amount, "from_party": from_party},
        )
        return _claim_view(uow.session, claim)


def _paid_by_claim(session: Session, claim_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for payment in session.execute(
        select(ClaimPayment).where(ClaimPayment.claim_id == claim_id, ClaimPayment.status == "paid")
    ).scalars():
        for part, amount in payment.by_part.items():
            out[part] = out.get(part, 0) + amount
    return out


def _ledger(session: Session, policy: Policy) -> PolicyLedger:
    row = session.get(PolicyLedger, policy.id)
    if row is None:
        # created on first use, by one upsert that does nothing if another transaction
        # made it first (two first payments at once both inserted it on PostgreSQL, a
        # 500 found by bench/load.py); the later one waits for it and reads it
        session.execute(
            insert_for(session, PolicyLedger)
            .values(policy_id=policy.id, parts={}, shared={}, aggregate=0)
            .on_conflict_do_nothing(index_elements=[PolicyLedger.policy_id])
        )
        row = session.get(PolicyLedger, policy.id)  # not in the identity map: a query
    assert row is not None
    return row


def _active_items(session: Session, claim_id: int) -> list[LossItem]:
    return list(
        session.execute(
            select(LossItem)
            .where(LossItem.claim_id == claim_id, LossItem.status == "active")
            .order_by(LossItem.id)
        ).scalars()
    )


def _run(
    session: Session,
    claim: Claim,
    terms: PolicyTerms,
    ledger: PolicyLedger,
    items: list[LossItem],
) -> tuple[Adjudication, dict[str, int]]:
    """Adjudicate the claim's ``items`` with the ledger *without* this claim's own
    payments, so the result is what the claim may have in all; returns it and what was
    paid."""
    paid = _paid_by_claim(session, claim.id)
    shared_of = {p.code: p.shared for p in terms.parts}
    parts = {k: v - paid.get(k, 0) for k, v in ledger.parts.items()}
    shared = dict(ledger.shared)
    for part, amount in paid.items():
        group = shared_of.get(part)
        if group is not None:
            shared[group] = shared.get(group, 0) - amount
    before = Ledger(parts=parts, shared=shared, aggregate=ledger.aggregate - sum(paid.values()))
    context = policy_context(session, claim)
    accident = Accident(
        id=claim.number,
        occurred_at=claim.accident_at,
        outage_hours=Fraction(Decimal(claim.outage_hours))
        if claim.outage_hours is not None
        else None,
        causes=tuple(claim.causes),
        losses=tuple(
            LossLine(
                i.coverage,
                i.amount,
                i.category,
                i.details.get("victims"),
                i.details.get("victim_companies"),
            )
            for i in items
            if _refusal(claim, context, i) is None
        ),
    )
    return adjudicate(terms, [accident], ledger=before), paid


def adjudicate_claim(db: Database, actor: Actor, claim_id: int) -> dict[str, Any]:
    """The worksheet: each item, what is payable, each yen withheld with its clause."""
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")
        worksheet = _readjudicate(uow, claim, actor)
        uow.audit(
            actor.user_id,
            "claim.adjudicate",
            ("claim", claim.id),
            after={"payable": worksheet["payable"]},
        )
        return worksheet


def _readjudicate(uow: Any, claim: Claim, actor: Actor) -> dict[str, Any]:
    """Adjudicate again and keep the result (every change of an item does this).

    Under the policy's lock, as a payment is: the items, the ledger and what was paid
    are then read as one state. The items are read once and that list is both
    adjudicated and shown: read twice, an item another request added in between made the
    worksheet's lines and the engine's disagree (a 500 found by bench/load.py)."""
    session = uow.session
    policy = session.execute(
        select(Policy).where(Policy.id == claim.policy_id).with_for_update()
    ).scalar_one()
    items = _active_items(session, claim.id)
    result, paid = _run(session, claim, policy_terms(policy), _ledger(session, policy), items)
    worksheet = _worksheet(session, claim, result, paid, items)
    session.add(
        ClaimAdjudication(
            claim_id=claim.id,
            at=uow.now,
            by=actor.user_id,
            payable=result.accidents[0].paid,
            worksheet=worksheet,
        )
    )
    session.flush()
    return worksheet


class ClaimContext(NamedTuple):
    """What the checks before the engine need of the claim's policy."""

    retro: date
    period: tuple[datetime, datetime]
    consent_heads: frozenset[str]  # cost heads paid only with the insurer's prior consent


def policy_context(session: Session, claim: Claim) -> ClaimContext:
    """The policy's retroactive date, period and consent-required heads (of the product
    version the policy was sold under)."""
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    product = find_product(policy.product_code, policy.product_version)
    heads = frozenset(h.code for h in product.cost_heads if h.consent_required)
    return ClaimContext(policy.retroactive_date, (policy.period_start, policy.period_end), heads)


def _refusal(claim: Claim, context: ClaimContext, item: LossItem) -> dict[str, str] | None:
    """Why an item is refused before the terms engine sees it, or None."""
    retro, period = context.retro, context.period
    if item.category in context.consent_heads and not item.details.get("consent"):
        return {
            "code": "consent_required",
            "clause": "REFERENCE.md §4 (the insurer's prior consent)",
            "ja": "この費目は保険会社の事前の同意が必要です（同意の記録がありません）",
            "en": "this cost head needs the insurer's prior consent, and none is recorded",
        }
    if item.category == RANSOM:
        return {
            "code": "ransom_not_covered",
            "clause": "ours: Japanese cyber products generally exclude ransom payments",
            "ja": "身代金の支払いは保険金の対象外です",
            "en": "ransom payments are not paid",
        }
    if (
        item.coverage == "liability"
        and claim.claim_made_at is not None
        and not (period[0] <= claim.claim_made_at < period[1])
    ):
        return {
            "code": "claim_not_made_in_period",
            "clause": "PRODUCT.md §8 (claims-made liability)",
            "ja": "損害賠償請求が保険期間中になされていません",
            "en": "the claim for damages was not first made in the policy period",
        }
    if (
        item.coverage == "liability"
        and claim.act_at is not None
        and claim.act_at.astimezone(JST).date() < retro
    ):
        return {
            "code": "before_retroactive_date",
            "clause": "PRODUCT.md §8 (claims-made liability, 遡及日)",
            "ja": f"遡及日（{retro.isoformat()}）より前の行為に起因する損害賠償請求は対象外です",
            "en": f"a claim arising from an act before the retroactive date {retro.isoformat()} is not covered",
        }
    return None


def _worksheet(
    session: Session,
    claim: Claim,
    result: Adjudication,
    paid: dict[str, int],
    items: list[LossItem],
) -> dict[str, Any]:
    acc = result.accidents[0]
    context = policy_context(session, claim)
    paid_items = [i for i in items if _refusal(claim, context, i) is None]
    refused = []
    for item in items:
        reason = _refusal(claim, context, item)
        if reason is not None:
            refused.append(
                {
                    "id": item.id,
                    "coverage": item.coverage,
                    "category": item.category,
                    "description": item.description,
                    "claimed": item.amount,
                    "payable": 0,
                    "withheld": [{**reason, "amount": item.amount}],
                }
            )
    return {
        "claim": claim.number,
        "items": refused
        + [
            {
                "id": item.id,
                "coverage": line.coverage,
                "category": item.category,
                "description": item.description,
                "claimed": line.claimed,
                "payable": line.paid,
                "withheld": [
                    {"code": r.code, "amount": r.amount, "clause": r.clause, "ja": r.ja, "en": r.en}
                    for r in line.reasons
                ],
            }
            for item, line in zip(paid_items, acc.lines, strict=True)
        ],
        "payable": acc.paid,
        "payable_total": acc.total,
        "paid": paid,
        "outstanding": {k: v - paid.get(k, 0) for k, v in acc.paid.items()},
        "remaining_limits": result.remaining,
    }


def set_reserve(
    db: Database, actor: Actor, claim_id: int, *, coverage: str, amount: int, reason: str
) -> dict[str, Any]:
    problems = []
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        problems.append(
            Problem(
                "amount",
                "non_negative_yen",
                "0円以上の整数で指定してください",
                "must be a whole number of yen, not negative",
            )
        )
    if not reason.strip():
        problems.append(Problem("reason", "required", "理由を入力してください", "give the reason"))
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")
        uow.session.add(
            ClaimReserve(
                claim_id=claim.id,
                coverage=coverage,
                amount=amount,
                reason=reason.strip()[:500],
                by=actor.user_id,
                at=uow.now,
            )
        )
        uow.session.flush()
        uow.audit(
            actor.user_id,
            "claim.reserve",
            ("claim", claim.id),
            after={"coverage": coverage, "amount": amount, "reason": reason},
        )
        return _claim_view(uow.session, claim)


def _pay(session: Session, claim: Claim, payment: ClaimPayment, now: datetime) -> None:
    """Recompute under the policy lock and pay what is due now (never more)."""
    policy = session.execute(
        select(Policy).where(Policy.id == claim.policy_id).with_for_update()
    ).scalar_one()
    terms = policy_terms(policy)
    ledger = _ledger(session, policy)
    result, paid = _run(session, claim, terms, ledger, _active_items(session, claim.id))
    due = {k: max(v - paid.get(k, 0), 0) for k, v in result.accidents[0].paid.items()}
    due = {k: v for k, v in due.items() if v}
    if not due:
        raise ConflictError(
            "nothing_due", "支払うべき金額はありません", "nothing is due on this claim"
        )
    shared_of = {p.code: p.shared for p in terms.parts}
    parts, shared = dict(ledger.parts), dict(ledger.shared)
    for part, amount in due.items():
        parts[part] = parts.get(part, 0) + amount
        group = shared_of.get(part)
        if group is not None:
            shared[group] = shared.get(group, 0) + amount
    ledger.parts, ledger.shared = parts, shared
    ledger.aggregate += sum(due.values())
    payment.by_part, payment.amount = due, sum(due.values())
    payment.status, payment.paid_at = "paid", now


def request_payment(
    db: Database, actor: Actor, claim_id: int, *, idempotency_key: str
) -> dict[str, Any]:
    """Pay what is due on the claim now. Within the handler's payment authority it is
    paid at once; above it, it waits for a second approver. The same idempotency key
    returns the same payment, never a second one."""
    if not idempotency_key.strip() or len(idempotency_key) > 100:
        raise InputError(
            [
                Problem(
                    "idempotency_key",
                    "required",
                    "1〜100文字のキーが必要です",
                    "a key of 1 to 100 characters is needed",
                )
            ]
        )
    with db.unit_of_work() as uow:
        session = uow.session
        claim = load_claim(session, actor, claim_id, "claim.manage")
        # the policy lock first: requests with the same key, or on the same policy, queue
        # here, and each then sees what the ones before it committed
        session.execute(
            select(Policy.id).where(Policy.id == claim.policy_id).with_for_update()
        ).scalar_one()
        existing = session.execute(
            select(ClaimPayment).where(ClaimPayment.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
        if existing is not None:
            if existing.claim_id != claim_id:
                raise ConflictError(
                    "idempotency_key_reused",
                    "このキーは別の請求で使われています",
                    "this idempotency key was used for another claim",
                )
            return _payment_view(existing, repeated=True)
        payment = ClaimPayment(
            claim_id=claim.id,
            idempotency_key=idempotency_key,
            amount=0,
            by_part={},
            status="pending_approval",
            requested_by=actor.user_id,
            requested_at=uow.now,
        )
        session.add(payment)
        _pay(session, claim, payment, uow.now)  # computes what is due under the lock
        authority = actor.payment_authority or 0
        if payment.amount > authority:
            # above the handler's authority: undo the erosion, wait for a second approver
            _unpay(session, claim, payment)
        session.flush()
        uow.audit(
            actor.user_id,
            f"claim.payment_{payment.status}",
            ("claim", claim.id),
            after={"amount": payment.amount, "by_part": payment.by_part, "key": idempotency_key},
        )
        return _payment_view(payment)


def _unpay(session: Session, claim: Claim, payment: ClaimPayment) -> None:
    ledger = session.get(PolicyLedger, claim.policy_id)
    policy = session.get(Policy, claim.policy_id)
    assert ledger is not None and policy is not None
    shared_of = {p.code: p.shared for p in policy_terms(policy).parts}
    parts, shared = dict(ledger.parts), dict(ledger.shared)
    for part, amount in payment.by_part.items():
        parts[part] -= amount
        group = shared_of.get(part)
        if group is not None:
            shared[group] -= amount
    ledger.parts, ledger.shared = parts, shared
    ledger.aggregate -= payment.amount
    payment.status, payment.paid_at = "pending_approval", None


def approve_payment(
    db: Database, actor: Actor, payment_id: int, *, claim_id: int | None = None
) -> dict[str, Any]:
    """A second approver with enough authority pays a payment above the requester's.
    ``claim_id``: the claim the request names it under (a page's URL), which must be its
    own — a nested resource is checked against its parent."""
    with db.unit_of_work() as uow:
        payment = load(uow.session, actor, ClaimPayment, payment_id, "claim.manage")
        if claim_id is not None and payment.claim_id != claim_id:
            raise NotFoundError("payment", payment_id)
        claim = uow.session.get(Claim, payment.claim_id)  # reached with its payment
        assert claim is not None
        if payment.status != "pending_approval":
            raise ConflictError(
                "not_pending", f"この支払は{payment.status}です", f"the payment is {payment.status}"
            )
        if payment.requested_by == actor.user_id:
            raise AuthorityError(
                "claim.approve",
                ja="依頼者本人は承認できません",
                en="the requester cannot approve their own payment",
            )
        _pay(uow.session, claim, payment, uow.now)
        if payment.amount > (actor.payment_authority or 0):
            raise AuthorityError(
                "claim.approve",
                ja="支払権限を超えています",
                en=f"{payment.amount:,} yen is above your payment authority",
            )
        payment.approved_by = actor.user_id
        uow.audit(
            actor.user_id,
            "claim.payment_approved",
            ("claim", claim.id),
            after={"payment_id": payment.id, "amount": payment.amount},
        )
        return _payment_view(payment)


def _payment_view(p: ClaimPayment, repeated: bool = False) -> dict[str, Any]:
    return {
        "id": p.id,
        "claim_id": p.claim_id,
        "amount": p.amount,
        "by_part": p.by_part,
        "status": p.status,
        "idempotency_key": p.idempotency_key,
        "repeated": repeated,
        "paid_at": p.paid_at.isoformat() if p.paid_at else None,
    }


def _claim_view(session: Session, claim: Claim) -> dict[str, Any]:
    items = session.execute(
        select(LossItem).where(LossItem.claim_id == claim.id).order_by(LossItem.id)
    ).scalars()
    reserves: dict[str, int] = {}
    for r in session.execute(
        select(ClaimReserve).where(ClaimReserve.claim_id == claim.id).order_by(ClaimReserve.id)
    ).scalars():
        reserves[r.coverage] = r.amount
    return {
        "id": claim.id,
        "number": claim.number,
        "policy_id": claim.policy_id,
        "incident_id": claim.incident_id,
        "status": claim.status,
        "accident_at": claim.accident_at.isoformat(),
        "outage_hours": claim.outage_hours,
        "causes": claim.causes,
        "items": [
            {
                "id": i.id,
                "coverage": i.coverage,
                "category": i.category,
                "description": i.description,
                "amount": i.amount,
                "source": i.source,
                "details": i.details,
                "status": i.status,
            }
            for i in items
        ],
        "reserves": reserves,
        "paid": _paid_by_claim(session, claim.id),
        "recovered": sum(
            r.amount
            for r in session.execute(
                select(ClaimRecovery).where(ClaimRecovery.claim_id == claim.id)
            ).scalars()
        ),
        "findings": claim.findings,
        **_clocks(session, claim),
    }


def _clocks(session: Session, claim: Claim) -> dict[str, Any]:
    """Payment due (product ``claim_payment_days`` after the documents are complete) and
    the limitation (保険法95条: three years, shown from the accident date)."""
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    rules = find_product(policy.product_code, policy.product_version).policy
    accident = claim.accident_at.astimezone(JST).date()
    complete = claim.documents_complete_at
    due = (
        (complete.astimezone(JST).date() + timedelta(days=rules.claim_payment_days))
        if complete
        else None
    )
    try:
        limitation = accident.replace(year=accident.year + rules.limitation_years)
    except ValueError:  # 29 February
        limitation = accident.replace(year=accident.year + rules.limitation_years, month=3, day=1)
    return {
        "documents_complete_at": complete.isoformat() if complete else None,
        "payment_due_on": due.isoformat() if due else None,
        "limitation_on": limitation.isoformat(),
    }


def _documents_of(session: Session, claim_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The documents received for each claim, oldest first: name, size, when, who sent
    it (never the content, which only the document's own download gives)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for doc in session.execute(
        select(
            ClaimDocument.claim_id,
            ClaimDocument.id,
            ClaimDocument.filename,
            ClaimDocument.content_type,
            ClaimDocument.size,
            ClaimDocument.at,
            ClaimDocument.by,
        )
        .where(ClaimDocument.claim_id.in_(claim_ids))
        .order_by(ClaimDocument.id)
    ):
        out.setdefault(doc.claim_id, []).append(
            {
                "id": doc.id,
                "filename": doc.filename,
                "content_type": doc.content_type,
                "size": doc.size,
                "at": doc.at.isoformat(),
                "by": doc.by,
            }
        )
    return out


def get_claim(db: Database, actor: Actor, claim_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        claim = load_claim(session, actor, claim_id, "claim.read")
        view = _claim_view(session, claim)
        view["documents"] = _documents_of(session, [claim.id]).get(claim.id, [])
        view["payments"] = [
            _payment_view(p)
            for p in session.execute(
                select(ClaimPayment)
                .where(ClaimPayment.claim_id == claim.id)
                .order_by(ClaimPayment.id)
            ).scalars()
        ]
        return shape(actor, "claim", view)


def list_claims(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Claims the actor may read, newest first, with what each has been paid and the
    documents received for it (name, size, when; not their content)."""
    authorize(actor, "claim.read")
    with db.sessions() as session:
        query = (
            select(Claim, Policy)
            .join(Policy, Policy.id == Claim.policy_id)
            .where(reach_filter(actor, Claim))
        )
        rows = session.execute(query.order_by(Claim.id.desc())).all()
        documents = _documents_of(session, [claim.id for claim, _ in rows])
        return [
            shape(
                actor,
                "claim_summary",
                {
                    "id": claim.id,
                    "number": claim.number,
                    "policy_id": policy.id,
                    "policy_number": policy.number,
                    "incident_id": claim.incident_id,
                    "status": claim.status,
                    "accident_at": claim.accident_at.isoformat(),
                    "paid": sum(_paid_by_claim(session, claim.id).values()),
                    "documents": documents.get(claim.id, []),
                },
            )
            for claim, policy in rows
        ]


def limits_left(db: Database, actor: Actor, policy_id: int) -> dict[str, Any]:
    """What remains of each bought part's limit and of the aggregate after the payments
    on the policy's erosion ledger (limits are per accident and per period alike)."""
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        terms = policy_terms(policy, deductibles=False)
        row = session.get(PolicyLedger, policy.id)
        used = dict(row.parts) if row is not None else {}
        aggregate_used = row.aggregate if row is not None else 0
        parts = [
            {
                "code": p.code,
                "label": dict(zip(("ja", "en"), terms.label(p.code), strict=True)),
                "limit": p.limit,
                "paid": used.get(p.code, 0),
                "left": max(p.limit - used.get(p.code, 0), 0),
            }
            for p in terms.parts
            if p.bought
        ]
        return {
            "policy_id": policy.id,
            "parts": parts,
            "aggregate": {
                "label": dict(zip(("ja", "en"), terms.label("aggregate"), strict=True)),
                "limit": terms.aggregate,
                "paid": aggregate_used,
                "left": max(terms.aggregate - aggregate_used, 0),
            },
        }


def latest_worksheet(db: Database, actor: Actor, claim_id: int) -> dict[str, Any] | None:
    """The worksheet kept by the claim's last adjudication (every item change makes
    one), with when it was made; None before the first."""
    with db.sessions() as session:
        claim = load_claim(session, actor, claim_id, "claim.read")
        row = session.execute(
            select(ClaimAdjudication)
            .where(ClaimAdjudication.claim_id == claim.id)
            .order_by(ClaimAdjudication.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        return {**row.worksheet, "at": row.at.isoformat()}
