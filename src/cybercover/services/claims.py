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
from cybercover.claims.ledger import (
    PARTNER_HEAD_PREFIX,
    PAYEES,
    Commitment,
    DispatchCosts,
    Posting,
    due_by_head,
    due_by_part,
    erosion,
    lien_problem,
    needs_approval,
    overpaid,
    partner_outstanding,
    payment_problems,
    remaining_limits,
)
from cybercover.claims.lifecycle import Status
from cybercover.claims.model import initial_reserve
from cybercover.errors import (
    AuthorityError,
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    Problem,
)
from cybercover.policies.cover import Cover
from cybercover.product.catalogue import sold_under
from cybercover.services.audit import jsonable
from cybercover.services.authz import Actor, authorize, can
from cybercover.services.claim_lifecycle import ensure_open_for_money, record_money_event
from cybercover.services.policies import policy_terms
from cybercover.services.scope import load, load_claim, load_policy, reach_filter, reference
from cybercover.services.terms_versions import REASONS, cover_of, terms_of_version
from cybercover.services.uow import Database, next_number
from cybercover.services.uploads import check_upload
from cybercover.services.visibility import shape
from cybercover.storage.models import (
    CircumstanceNotice,
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
    Organisation,
    Policy,
)
from cybercover.terms import Accident, Ledger, LossLine, adjudicate
from cybercover.timeutil import JST

PARTNER_PART = "response_costs"  # partner firms' costs are ② 事故対応特別費用
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
    "correct_loss_item",
    "get_claim",
    "give_circumstance_notice",
    "latest_worksheet",
    "limits_left",
    "list_claims",
    "open_claim",
    "policy_ledger",
    "record_recovery",
    "request_payment",
    "set_reserve",
    "submit_claim_document",
    "undo_payment",
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


def _check_dates(
    now: datetime,
    notified: datetime,
    *,
    accident_at: datetime,
    claim_made_at: datetime | None,
    act_at: datetime | None,
    outages: list[tuple[datetime, datetime]] | None,
) -> None:
    """An event is never in the future, nor after the insurer was told of it; the third
    party's claim and the wrongful act likewise are never in the future."""
    problems = []
    if accident_at > now:
        problems.append(
            Problem(
                "accident_at", "not_in_future", "事故日時が未来です", "must not be in the future"
            )
        )
    elif accident_at > notified:
        problems.append(
            Problem(
                "accident_at",
                "after_notice",
                f"事故日時が保険会社への通知（{notified.astimezone(JST):%Y-%m-%d %H:%M}）より後です",
                f"must not be after the insurer was told ({notified.isoformat()})",
            )
        )
    for field, value in (("claim_made_at", claim_made_at), ("act_at", act_at)):
        if value is not None and value.tzinfo is None:
            problems.append(
                Problem(
                    field,
                    "timezone_aware",
                    "時差付きの日時で指定してください",
                    "must carry a UTC offset",
                )
            )
        elif value is not None and value > now:
            problems.append(
                Problem(
                    field,
                    "not_in_future",
                    "未来の日時は指定できません",
                    "must not be in the future",
                )
            )
    if act_at is not None and act_at.tzinfo is not None and act_at > accident_at:
        problems.append(
            Problem(
                "act_at",
                "after_accident",
                "原因となった行為が事故日時より後です",
                "the wrongful act must not be after the accident",
            )
        )
    for i, (start, end) in enumerate(outages or []):
        if start > now or end > now:
            problems.append(
                Problem(
                    f"outages[{i}]",
                    "not_in_future",
                    "未来の日時は指定できません",
                    "must not be in the future",
                )
            )
    if problems:
        raise InputError(problems)


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
    circumstance_notice_id: int | None = None,
    known_at: datetime | None = None,
) -> dict[str, Any]:
    """Open a claim from an incident (its policy, its time, the partners' approved
    invoices as loss items) or directly on a policy. ``circumstance_notice_id``: a notice
    of circumstances given under the policy, to which the claim then belongs (① is judged
    at the notice); ``known_at``: when the insured first knew the facts."""
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
        # the insurer was first told when the incident was reported, or now
        notified = incident.reported_at if incident is not None else uow.now
        _check_dates(
            uow.now,
            notified,
            accident_at=when,
            claim_made_at=claim_made_at,
            act_at=act_at,
            outages=outages,
        )
        notice = (
            reference(
                session, actor, CircumstanceNotice, circumstance_notice_id, "circumstance_notice_id"
            )
            if circumstance_notice_id is not None
            else None
        )
        if notice is not None and notice.policy_id != policy.id:
            raise InputError(
                [
                    Problem(
                        "circumstance_notice_id",
                        "notice_of_another_policy",
                        "この状況の通知は別の証券の下でなされています。請求はその証券で開いてください",
                        "the notice was given under another policy: the claim belongs to that "
                        "policy, open it there",
                    )
                ]
            )
        if known_at is not None and (known_at.tzinfo is None or known_at > uow.now):
            raise InputError(
                [
                    Problem(
                        "known_at",
                        "not_in_future",
                        "時差付きの、未来でない日時で指定してください",
                        "must carry a UTC offset and not be in the future",
                    )
                ]
            )
        if incident is not None:
            earlier = session.execute(
                select(Claim).where(Claim.incident_id == incident.id)
            ).scalar_one_or_none()
            if earlier is not None:
                # one incident is one accident: one deductible, one per-accident limit
                raise ConflictError(
                    "incident_has_claim",
                    f"この事案には請求 {earlier.number} があります（1事故1請求。追加の損害は"
                    "その請求に加えるか、終了済みなら再開してください）",
                    f"the incident already has claim {earlier.number}: one accident is one "
                    "claim — add the losses to it (reopen it if closed)",
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
            notified_at=notified,
            outage_started_at=min(a for a, _ in outages) if outages else None,
            circumstance_notice_id=notice.id if notice is not None else None,
            circumstance_noticed_at=notice.given_at if notice is not None else None,
            known_at=known_at,
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
        _take_partner_costs(session, claim, actor, uow.now)
        uow.audit(
            actor.user_id,
            "claim.open",
            ("claim", claim.id),
            after={"number": claim.number, "policy_id": policy.id},
        )
        _initial_reserves(uow, claim, policy, actor)
        return _claim_view(session, claim)


def give_circumstance_notice(
    db: Database,
    actor: Actor,
    policy_id: int,
    *,
    description: str,
    given_at: datetime | None = None,
) -> dict[str, Any]:
    """Record a notice of circumstances (事故のおそれの通知) the insured gave under a
    claims-made policy: a claim for damages first made later from them — in the renewal,
    or after the period — belongs to this policy. ``given_at`` (default now) must be in a
    span the policy was in force, and not in the future."""
    authorize(actor, "claim.manage")
    problems = []
    if not description.strip():
        problems.append(
            Problem(
                "description", "required", "状況を記載してください", "describe the circumstances"
            )
        )
    if given_at is not None and given_at.tzinfo is None:
        problems.append(
            Problem(
                "given_at",
                "timezone_aware",
                "時差付きの日時で指定してください",
                "must carry a UTC offset",
            )
        )
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        policy = load_policy(uow.session, actor, policy_id, "claim.manage")
        when = given_at or uow.now
        if when > uow.now:
            raise InputError(
                [
                    Problem(
                        "given_at",
                        "not_in_future",
                        "未来の日時は指定できません",
                        "must not be in the future",
                    )
                ]
            )
        if not cover_of(uow.session, policy, when, uow.now).in_force:
            raise InputError(
                [
                    Problem(
                        "given_at",
                        "not_in_force",
                        "この日時に証券は有効ではありません",
                        "the policy was not in force then",
                    )
                ]
            )
        notice = CircumstanceNotice(
            policy_id=policy.id,
            given_at=when,
            description=description.strip()[:2000],
            recorded_by=actor.user_id,
            recorded_at=uow.now,
        )
        uow.session.add(notice)
        uow.session.flush()
        view = {
            "id": notice.id,
            "policy_id": policy.id,
            "given_at": when.isoformat(),
            "description": notice.description,
        }
        uow.audit(actor.user_id, "claim.circumstance_notice", ("policy", policy.id), after=view)
        return view


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
    claim_made_at: datetime | None = None,
    act_at: datetime | None = None,
) -> dict[str, Any]:
    """A loss item in yen, or in a foreign currency converted at a recorded rate and
    date (a judgement abroad: 海外訴訟), floored once to the yen. A liability (①) item
    needs the date the third party first claimed damages: on the claim already, or given
    with the item (``claim_made_at``, with ``act_at`` the wrongful act)."""
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
    elif (problem := _yen_problem(amount)) is not None:
        problems.append(problem)
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
        if coverage == "liability":
            problems.extend(_liability_dates(uow.now, claim, claim_made_at, act_at, actor, uow))
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


def _liability_dates(
    now: datetime,
    claim: Claim,
    claim_made_at: datetime | None,
    act_at: datetime | None,
    actor: Actor,
    uow: Any,
) -> list[Problem]:
    """Set the claims-made dates with the first ① item (audited), or refuse it without."""
    if claim_made_at is None and claim.claim_made_at is None:
        return [
            Problem(
                "claim_made_at",
                "required_for_liability",
                "賠償責任の損害には、第三者から損害賠償請求を最初に受けた日時が必要です",
                "a liability item needs the date the third party first claimed damages",
            )
        ]
    if claim_made_at is None and act_at is None:
        return []
    if claim.claim_made_at is not None and claim_made_at not in (None, claim.claim_made_at):
        return [
            Problem(
                "claim_made_at",
                "already_set",
                "損害賠償請求日は設定済みです",
                "the claim's claim-made date is already set",
            )
        ]
    try:
        _check_dates(
            now,
            claim.notified_at,
            accident_at=claim.accident_at,
            claim_made_at=claim_made_at,
            act_at=act_at,
            outages=None,
        )
    except InputError as exc:
        return list(exc.problems)
    before = {"claim_made_at": claim.claim_made_at, "act_at": claim.act_at}
    claim.claim_made_at = claim_made_at or claim.claim_made_at
    claim.act_at = act_at or claim.act_at
    uow.audit(
        actor.user_id,
        "claim.dates",
        ("claim", claim.id),
        before=jsonable(before),
        after=jsonable({"claim_made_at": claim.claim_made_at, "act_at": claim.act_at}),
    )
    return []


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
    ensure_open_for_money(claim)
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
    uow.audit(actor.user_id, "claim.item", ("claim", claim.id), after=audit)
    _readjudicate(uow, claim, actor)
    return _claim_view(uow.session, claim)


def correct_loss_item(
    db: Database,
    actor: Actor,
    item_id: int,
    *,
    reason: str,
    withdraw: bool = False,
    amount: int | None = None,
    fx: dict[str, Any] | None = None,
    description: str | None = None,
    claim_id: int | None = None,
) -> dict[str, Any]:
    """Amend a loss item (a new amount, or a new foreign amount and rate) or withdraw it,
    with a reason. The original stays, marked ``amended`` or ``withdrawn`` with who, when
    and why; an amendment is a new item that names the one it replaces. The claim is
    adjudicated again: if it was paid more than is now payable, the difference shows as a
    receivable (``receivable`` on the worksheet), never as a negative payment."""
    problems: list[Problem] = []
    details: dict[str, Any] = {}
    if not withdraw:
        if fx is not None:
            amount, details, problems = _convert(fx)
        elif (problem := _yen_problem(amount)) is not None:
            problems.append(problem)
    with db.unit_of_work() as uow:
        item = load(uow.session, actor, LossItem, item_id, "claim.manage")
        if claim_id is not None and item.claim_id != claim_id:  # a page's parent
            raise NotFoundError("loss item", item_id)
        claim = uow.session.get(Claim, item.claim_id)  # reached with its item
        assert claim is not None
        if not reason.strip():
            problems.insert(
                0, Problem("reason", "required", "理由を入力してください", "give the reason")
            )
        if problems:
            raise InputError(problems)
        why = reason.strip()[:500]
        ensure_open_for_money(claim)
        if item.status != "active":
            raise ConflictError(
                "item_not_active", f"この項目は{item.status}です", f"the item is {item.status}"
            )
        before = {"id": item.id, "amount": item.amount, "status": item.status}
        item.status = "withdrawn" if withdraw else "amended"
        item.changed_by, item.changed_at, item.change_reason = actor.user_id, uow.now, why
        after: dict[str, Any] = {"status": item.status, "reason": why}
        if not withdraw:
            assert amount is not None
            kept = {k: v for k, v in item.details.items() if k != "fx"}
            replacement = LossItem(
                claim_id=claim.id,
                coverage=item.coverage,
                category=item.category,
                description=(description if description is not None else item.description)[:500],
                amount=amount,
                source=item.source,
                details={**kept, **details},
                status="active",
                replaces_id=item.id,
                created_by=actor.user_id,
                created_at=uow.now,
            )
            uow.session.add(replacement)
            uow.session.flush()
            after.update({"replacement_id": replacement.id, "amount": amount})
        _readjudicate(uow, claim, actor)
        uow.audit(
            actor.user_id,
            "claim.item_withdrawn" if withdraw else "claim.item_amended",
            ("claim", claim.id),
            before=before,
            after=after,
        )
        return _claim_view(uow.session, claim)


def _yen_problem(amount: Any, field: str = "amount") -> Problem | None:
    """A whole number of yen, not negative (not a bool), or the problem with it."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        return Problem(
            field,
            "non_negative_yen",
            "0円以上の整数で指定してください",
            "must be a whole number of yen, not negative",
        )
    return None


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
    """What a claim has been paid (released payments, net of reversals), by part."""
    out: dict[str, int] = {}
    for payment in session.execute(
        select(ClaimPayment).where(ClaimPayment.claim_id == claim_id, ClaimPayment.status == "paid")
    ).scalars():
        for part, amount in payment.by_part.items():
            out[part] = out.get(part, 0) + amount
    return out


LIVE = ("paid", "pending_approval")  # payments that take money from the limits


def _postings(session: Session, policy_id: int, statuses: tuple[str, ...] = LIVE) -> list[Posting]:
    """Every payment on the policy's claims in ``statuses``, as ledger postings."""
    out: list[Posting] = []
    for payment in session.execute(
        select(ClaimPayment)
        .join(Claim, Claim.id == ClaimPayment.claim_id)
        .where(Claim.policy_id == policy_id, ClaimPayment.status.in_(statuses))
        .order_by(ClaimPayment.id)
    ).scalars():
        for part, amount in payment.by_part.items():
            out.append(
                Posting(
                    payment.claim_id,
                    part,
                    payment.head,
                    amount,
                    payment.requested_by,
                    payment.status == "pending_approval",
                )
            )
    return out


def _commitments(
    session: Session,
    policy_id: int,
    postings: list[Posting],
    as_if_approved: tuple[CostDocument, int] | None = None,
) -> list[Commitment]:
    """The partner costs approved at the desk on the policy's incidents that their claim
    has not paid yet (claims/ledger.py: an invoice replaces its estimate; a payment on a
    partner head replaces the commitment). ``as_if_approved``: a document (and its
    incident) counted as if approved — the desk's check before approving it."""
    docs: dict[int, dict[int, list[CostDocument]]] = {}
    rows = list(
        session.execute(
            select(CostDocument, Dispatch.incident_id)
            .join(Dispatch, Dispatch.id == CostDocument.dispatch_id)
            .join(Incident, Incident.id == Dispatch.incident_id)
            .where(Incident.policy_id == policy_id, CostDocument.status == "approved")
        ).all()
    )
    if as_if_approved is not None:
        rows.append(as_if_approved)  # type: ignore[arg-type]
    for doc, incident_id in rows:
        docs.setdefault(incident_id, {}).setdefault(doc.dispatch_id, []).append(doc)
    claim_of = dict(
        session.execute(
            select(Claim.incident_id, Claim.id).where(
                Claim.policy_id == policy_id, Claim.incident_id.is_not(None)
            )
        ).all()
    )
    out = []
    for incident_id, by_dispatch in docs.items():
        claim_id = claim_of.get(incident_id)
        paid = sum(
            p.amount
            for p in postings
            if p.claim_id == claim_id and (p.head or "").startswith(PARTNER_HEAD_PREFIX)
        )
        costs = [
            DispatchCosts(
                estimates=sum(d.total for d in ds if d.kind == "estimate"),
                invoices=sum(d.total for d in ds if d.kind == "invoice"),
                has_invoice=any(d.kind == "invoice" for d in ds),
            )
            for ds in by_dispatch.values()
        ]
        left = partner_outstanding(costs, paid)
        if left:
            out.append(Commitment(incident_id, PARTNER_PART, left))
    return out


def policy_ledger(
    session: Session,
    policy: Policy,
    *,
    statuses: tuple[str, ...] = LIVE,
    excluding_claim: Claim | None = None,
    as_if_approved: tuple[CostDocument, int] | None = None,
) -> tuple[Ledger, list[Posting]]:
    """The policy period's erosion ledger (claims/ledger.py) as it stands, leaving out one
    claim (its payments, and its incident's partner costs, which are its own items)."""
    postings = _postings(session, policy.id, statuses)
    terms = policy_terms(policy)
    ledger = erosion(
        postings,
        _commitments(session, policy.id, postings, as_if_approved),
        {p.code: p.shared for p in terms.parts},
        excluding_claim=excluding_claim.id if excluding_claim else None,
        excluding_incident=excluding_claim.incident_id if excluding_claim else None,
    )
    return ledger, postings


def _take_partner_costs(session: Session, claim: Claim, actor: Actor, now: datetime) -> None:
    """The partner invoices approved on the claim's incident become its loss items, each
    once (an item that was amended or withdrawn is not taken again)."""
    if claim.incident_id is None:
        return
    taken = set(
        session.execute(
            select(LossItem.source).where(
                LossItem.claim_id == claim.id, LossItem.source.like("cost_document:%")
            )
        ).scalars()
    )
    for doc, service in session.execute(
        select(CostDocument, Dispatch.service)
        .join(Dispatch, Dispatch.id == CostDocument.dispatch_id)
        .where(
            Dispatch.incident_id == claim.incident_id,
            CostDocument.kind == "invoice",
            CostDocument.status == "approved",
        )
        .order_by(CostDocument.id)
    ).all():
        if f"cost_document:{doc.id}" in taken:
            continue
        session.add(
            LossItem(
                claim_id=claim.id,
                coverage=PARTNER_PART,
                category=f"{PARTNER_HEAD_PREFIX}{service}",
                description=doc.description,
                amount=doc.total,
                source=f"cost_document:{doc.id}",
                details={},
                status="active",
                created_by=actor.user_id,
                created_at=now,
            )
        )
    session.flush()


def _active_items(session: Session, claim_id: int) -> list[LossItem]:
    return list(
        session.execute(
            select(LossItem)
            .where(LossItem.claim_id == claim_id, LossItem.status == "active")
            .order_by(LossItem.id)
        ).scalars()
    )


def trigger_of(claim: Claim, part: str) -> datetime | None:
    """The date a part is judged at (issue #17, rule 1): ① when the claim for damages
    was first made; ③④ when the outage began; ② when the event was discovered."""
    if part == "liability":
        # a notice of circumstances given under the policy attaches the claim to it
        return claim.circumstance_noticed_at or claim.claim_made_at
    if part in ("profit_loss", "continuation_costs"):
        return claim.outage_started_at or claim.accident_at
    return claim.accident_at


class Assessment(NamedTuple):
    """A claim judged as it stands: the worksheet, what is payable and held."""

    worksheet: dict[str, Any]
    payable: dict[str, int]
    lines: list[tuple[str, str, int]]  # (part, head, payable) of each paid line
    held: dict[str, str]  # part → why its payment waits


def _assess(session: Session, claim: Claim, policy: Policy, now: datetime) -> Assessment:
    """Judge every active item at its part's trigger date: in force then? under which
    terms version? then the terms engine, version by version, against the period's
    ledger without this claim (its own payments are what it may still be due)."""
    items = _active_items(session, claim.id)
    ledger, postings = policy_ledger(session, policy, excluding_claim=claim)
    context = policy_context(session, claim)
    covers: dict[str, Cover | None] = {}
    for part in {i.coverage for i in items}:
        when = trigger_of(claim, part)
        covers[part] = cover_of(session, policy, when, now) if when is not None else None
    refused: list[tuple[LossItem, dict[str, str]]] = []
    groups: dict[int, list[LossItem]] = {}
    for item in items:
        reason = _refusal(claim, context, item) or _cover_refusal(item, covers[item.coverage])
        if reason is not None:
            refused.append((item, reason))
            continue
        version = covers[item.coverage].version  # type: ignore[union-attr]
        assert version is not None
        groups.setdefault(version.number, []).append(item)
    held = {
        part: REASONS["premium_held"][0]
        for part, cover in covers.items()
        if cover is not None and cover.premium == "held"
    }
    running = ledger.copy()
    payable: dict[str, int] = {p.code: 0 for p in policy_terms(policy).parts}
    lines: list[tuple[str, str, int]] = []
    shown: list[dict[str, Any]] = []
    remaining: dict[str, int] = {}
    versions_used: list[int] = []
    for number in sorted(groups):
        group = groups[number]
        version = covers[group[0].coverage].version  # type: ignore[union-attr]
        assert version is not None
        terms = terms_of_version(policy, version.terms)
        first = min(trigger_of(claim, i.coverage) or claim.accident_at for i in group)
        result = adjudicate(
            terms,
            [
                Accident(
                    id=claim.number,
                    occurred_at=first,
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
                        for i in group
                    ),
                )
            ],
            ledger=running,
        )
        running = result.ledger
        remaining = result.remaining
        versions_used.append(number)
        acc = result.accidents[0]
        for part, amount in acc.paid.items():
            payable[part] = payable.get(part, 0) + amount
        for item, line in zip(group, acc.lines, strict=True):
            lines.append((item.coverage, item.category, line.paid))
            shown.append(
                {
                    "id": item.id,
                    "coverage": line.coverage,
                    "category": item.category,
                    "description": item.description,
                    "claimed": line.claimed,
                    "payable": line.paid,
                    "terms_version": number,
                    "withheld": [
                        {
                            "code": r.code,
                            "amount": r.amount,
                            "clause": r.clause,
                            "ja": r.ja,
                            "en": r.en,
                        }
                        for r in line.reasons
                    ],
                }
            )
    if not groups:
        remaining = remaining_limits(policy_terms(policy), running)
    own = [p for p in postings if p.claim_id == claim.id]
    paid = _paid_by_claim(session, claim.id)
    worksheet = {
        "claim": claim.number,
        "items": [
            {
                "id": item.id,
                "coverage": item.coverage,
                "category": item.category,
                "description": item.description,
                "claimed": item.amount,
                "payable": 0,
                "withheld": [{**reason, "amount": item.amount}],
            }
            for item, reason in refused
        ]
        + shown,
        "payable": payable,
        "payable_total": sum(payable.values()),
        "paid": paid,
        "pending": {
            part: sum(p.amount for p in own if p.pending and p.part == part)
            for part in {p.part for p in own if p.pending}
        },
        "outstanding": due_by_part(payable, own),
        "receivable": overpaid(payable, paid),
        "held": held,
        "triggers": {
            part: (when.isoformat() if (when := trigger_of(claim, part)) else None)
            for part in sorted(covers)
        },
        "terms_versions": versions_used,
        "remaining_limits": remaining,
    }
    return Assessment(worksheet, payable, lines, held)


def _cover_refusal(item: LossItem, cover: Cover | None) -> dict[str, str] | None:
    """Why the cover refuses an item at its part's trigger date, or None."""
    if cover is None:
        return {
            "code": "claim_made_at_required",
            "clause": "PRODUCT.md §8 (claims-made liability)",
            "ja": "損害賠償請求を最初に受けた日時（claim_made_at）がありません",
            "en": "the date the third party first claimed damages (claim_made_at) is missing",
        }
    if cover.covered:
        return None
    ja, en = REASONS[cover.reason]
    code = "not_in_force"
    if cover.reason == "premium_refused":
        code = "premium_not_received"
    elif item.coverage == "liability":
        code = "claim_not_made_in_period"  # claims-made: the claim's date is the trigger
    return {
        "code": code,
        "clause": "PRODUCT.md §8 (保険期間・保険料領収前の事故); policies/cover.py",
        "ja": f"{cover.at.astimezone(JST):%Y-%m-%d %H:%M} 時点: {ja}",
        "en": f"at {cover.at.isoformat()}: {en}",
    }


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


def _lock_policy(session: Session, claim: Claim) -> Policy:
    """Lock the claim's policy row: every change of money on a policy queues here (``FOR
    UPDATE`` on PostgreSQL; SQLite serialises writers), so each reads the state the one
    before it committed."""
    policy = session.execute(
        select(Policy).where(Policy.id == claim.policy_id).with_for_update()
    ).scalar_one()
    session.refresh(claim)  # its status as the one before us left it
    return policy


def _readjudicate(uow: Any, claim: Claim, actor: Actor) -> dict[str, Any]:
    """Adjudicate again and keep the result (every change of an item does this), under
    the policy's lock: the items, the ledger and the payments are read as one state."""
    session = uow.session
    policy = _lock_policy(session, claim)
    _take_partner_costs(session, claim, actor, uow.now)
    _initial_reserves(uow, claim, policy, actor)
    assessment = _assess(session, claim, policy, uow.now)
    session.add(
        ClaimAdjudication(
            claim_id=claim.id,
            at=uow.now,
            by=actor.user_id,
            payable=assessment.payable,
            worksheet=assessment.worksheet,
        )
    )
    session.flush()
    return assessment.worksheet


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
    product = sold_under(policy)
    heads = frozenset(h.code for h in product.cost_heads if h.consent_required)
    return ClaimContext(policy.retroactive_date, (policy.period_start, policy.period_end), heads)


def _refusal(claim: Claim, context: ClaimContext, item: LossItem) -> dict[str, str] | None:
    """Why an item is refused before the terms engine sees it, or None."""
    retro = context.retro
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
        and claim.known_at is not None
        and claim.known_at.astimezone(JST).date() < retro
    ):
        return {
            "code": "known_before_inception",
            "clause": "PRODUCT.md §8 (claims-made liability); disclosure known_circumstances",
            "ja": f"初年度の保険始期（{retro.isoformat()}）より前に被保険者が知っていた事実に起因する損害賠償請求は対象外です",
            "en": f"a claim from facts the insured knew before the first inception {retro.isoformat()} is not covered",
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


def set_reserve(
    db: Database, actor: Actor, claim_id: int, *, coverage: str, amount: int, reason: str
) -> dict[str, Any]:
    """Set the reserve (支払備金) of one part, with its reason; each change is a new row.
    A reserve above the handler's authority is refused (ours: the reserve authority is the
    payment authority), and never below what the part has already been paid."""
    problems = []
    if (problem := _yen_problem(amount)) is not None:
        problems.append(problem)
    if not reason.strip():
        problems.append(Problem("reason", "required", "理由を入力してください", "give the reason"))
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        claim = load_claim(uow.session, actor, claim_id, "claim.manage")
        policy = _lock_policy(uow.session, claim)
        codes = [p.code for p in policy_terms(policy).parts]
        if coverage not in codes:
            raise InputError(
                [
                    Problem(
                        "coverage",
                        "unknown_coverage",
                        f"不明な補償です（{', '.join(codes)}）",
                        f"must be one of {', '.join(codes)}",
                    )
                ]
            )
        taken = _taken(uow.session, policy, claim, coverage)
        if amount < taken:
            raise InputError(
                [
                    Problem(
                        "amount",
                        "below_paid",
                        f"支払済み・承認待ちの {taken:,}円 を下回る備金にはできません",
                        f"must not be below the {taken:,} yen paid or awaiting approval",
                    )
                ]
            )
        if amount > (actor.payment_authority or 0):
            raise AuthorityError(
                "claim.reserve",
                ja="備金の権限を超えています",
                en=f"{amount:,} yen is above your reserve authority",
            )
        _record_reserve(uow, claim, actor, coverage, amount, reason.strip()[:500])
        return _claim_view(uow.session, claim)


def _taken(session: Session, policy: Policy, claim: Claim, part: str) -> int:
    """What the claim has paid or asked to pay on the part (its live payments)."""
    return sum(
        p.amount for p in _postings(session, policy.id) if p.claim_id == claim.id and p.part == part
    )


def _record_reserve(
    uow: Any, claim: Claim, actor: Actor, part: str, amount: int, reason: str, **why: Any
) -> None:
    """A new reserve row for the part (the earlier ones stay) and its audit row."""
    uow.session.add(
        ClaimReserve(
            claim_id=claim.id,
            coverage=part,
            amount=amount,
            reason=reason,
            by=actor.user_id,
            at=uow.now,
        )
    )
    uow.session.flush()
    uow.audit(
        actor.user_id,
        "claim.reserve",
        ("claim", claim.id),
        after={"coverage": part, "amount": amount, "reason": reason, **why},
    )


INITIAL_RESERVE_REASON = (
    "初期備金（商品ファイル [claims] initial_reserve） / initial reserve (product file)"
)


def _initial_reserves(uow: Any, claim: Claim, policy: Policy, actor: Actor) -> None:
    """初期備金: a part that has an active loss item on the claim, is covered at its
    trigger and has never had a reserve on the claim gets the product file's initial
    reserve (``[claims] initial_reserve``), capped at the part's limit under the terms
    version that judges it and never below what the claim has paid or asked to pay on it
    (claims/model.py). Set by the rule, not by a person's authority: the row and its audit
    name the handler whose step set it and the rule as the reason. A part not covered at
    its trigger gets none (the handler decides)."""
    session = uow.session
    defaults = sold_under(policy).claims.initial_reserve
    if not defaults:
        return
    reserved = set(
        session.execute(
            select(ClaimReserve.coverage).where(ClaimReserve.claim_id == claim.id)
        ).scalars()
    )
    parts = {i.coverage for i in _active_items(session, claim.id)} - reserved
    for part in sorted(p for p in parts if p in defaults):
        when = trigger_of(claim, part)
        cover = cover_of(session, policy, when, uow.now) if when is not None else None
        if cover is None or not cover.covered or cover.version is None:
            continue
        terms = terms_of_version(policy, cover.version.terms)
        limit = next((p.limit for p in terms.parts if p.code == part and p.bought), None)
        if limit is None:
            continue
        amount = initial_reserve(defaults[part], limit, _taken(session, policy, claim, part))
        _record_reserve(
            uow,
            claim,
            actor,
            part,
            amount,
            INITIAL_RESERVE_REASON,
            rule="initial_reserve",
            terms_version=cover.version.number,
        )


def _reserve(session: Session, claim_id: int, coverage: str) -> int:
    row = session.execute(
        select(ClaimReserve)
        .where(ClaimReserve.claim_id == claim_id, ClaimReserve.coverage == coverage)
        .order_by(ClaimReserve.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return row.amount if row is not None else 0


class PaymentRequest(NamedTuple):
    coverage: str
    head: str | None
    amount: int
    payee_kind: str
    payee_name: str
    payee_organisation_id: int | None
    lien_basis: str | None


def _request_problems(req: PaymentRequest) -> list[Problem]:
    problems = []
    if isinstance(req.amount, bool) or not isinstance(req.amount, int) or req.amount < 1:
        problems.append(
            Problem(
                "amount",
                "positive_yen",
                "1円以上の整数で指定してください",
                "must be a whole number of yen, at least 1",
            )
        )
    if req.payee_kind not in PAYEES:
        problems.append(
            Problem(
                "payee_kind",
                "unknown_payee",
                f"支払先の種類は {', '.join(PAYEES)} のいずれかです",
                f"must be one of {', '.join(PAYEES)}",
            )
        )
    if req.payee_kind != "partner" and not req.payee_name.strip():
        problems.append(
            Problem("payee_name", "required", "支払先の名称を入力してください", "name the payee")
        )
    if req.payee_kind == "partner":
        if req.payee_organisation_id is None:
            problems.append(
                Problem(
                    "payee_organisation_id",
                    "required",
                    "支払先の支援事業者を指定してください",
                    "name the partner firm",
                )
            )
        if not (req.head or "").startswith(PARTNER_HEAD_PREFIX):
            problems.append(
                Problem(
                    "head",
                    "partner_head",
                    "支援事業者への支払は事業者費用の費目（partner:…）を指定してください",
                    "a payment to a partner names a partner cost head (partner:…)",
                )
            )
    lien = lien_problem(req.coverage, req.payee_kind, req.lien_basis)
    if lien is not None:
        problems.append(lien)
    return problems


def _check_payee(session: Session, claim: Claim, req: PaymentRequest) -> str:
    """A partner payee is a firm dispatched on the claim's incident; returns the name."""
    if req.payee_kind != "partner":
        return req.payee_name.strip()[:200]
    org = session.execute(
        select(Organisation)
        .join(Dispatch, Dispatch.partner_id == Organisation.id)
        .where(
            Organisation.id == req.payee_organisation_id,
            Dispatch.incident_id == claim.incident_id,
        )
    ).scalar_one_or_none()
    if claim.incident_id is None or org is None:
        raise InputError(
            [
                Problem(
                    "payee_organisation_id",
                    "not_dispatched",
                    "この事案に出動した支援事業者ではありません",
                    "not a partner dispatched on the claim's incident",
                )
            ]
        )
    return org.name


def _money_problems(
    session: Session,
    claim: Claim,
    policy: Policy,
    now: datetime,
    *,
    coverage: str,
    head: str | None,
    amount: int,
    excluding: ClaimPayment | None = None,
) -> bool:
    """Refuse a payment the worksheet, the cover or the reserve does not allow now;
    else say whether anything stays due or awaiting approval once it is released (the
    claim's next status: one assessment serves both)."""
    assessment = _assess(session, claim, policy, now)
    if coverage in assessment.held:
        raise ConflictError(
            "premium_pending",
            f"保険料の領収まで支払を保留します（{assessment.held[coverage]}）",
            "the first premium is not received yet: the payment is held until it is",
        )
    own = _own_postings(session, claim, excluding.id if excluding is not None else None)
    problems = payment_problems(
        amount=amount,
        part=coverage,
        head=head,
        due_part=due_by_part(assessment.payable, own),
        due_head=due_by_head(assessment.lines, own),
        open_reserve=_reserve(session, claim.id, coverage)
        - sum(p.amount for p in own if p.part == coverage),
    )
    if problems:
        raise InputError(problems)
    released = [*own, Posting(claim.id, coverage, head, amount)]
    return any(due_by_part(assessment.payable, released).values()) or any(p.pending for p in own)


def _own_postings(session: Session, claim: Claim, excluding: int | None) -> list[Posting]:
    """The claim's live payments as postings, leaving out one (the payment being
    approved is judged against the others)."""
    return [
        Posting(p.claim_id, part, p.head, amount, p.requested_by, p.status != "paid")
        for p in session.execute(
            select(ClaimPayment)
            .where(ClaimPayment.claim_id == claim.id, ClaimPayment.status.in_(LIVE))
            .order_by(ClaimPayment.id)
        ).scalars()
        if p.id != excluding
        for part, amount in p.by_part.items()
    ]


def _by_person(session: Session, claim_id: int, user_id: int | None) -> int:
    """What one person has paid, asked to pay or approved on the claim (live payments):
    their authority is counted over all of it."""
    return sum(
        p.amount
        for p in session.execute(
            select(ClaimPayment).where(
                ClaimPayment.claim_id == claim_id,
                ClaimPayment.status.in_(LIVE),
                (ClaimPayment.requested_by == user_id) | (ClaimPayment.approved_by == user_id),
            )
        ).scalars()
    )


def request_payment(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    idempotency_key: str,
    coverage: str,
    amount: int,
    payee_kind: str,
    payee_name: str = "",
    head: str | None = None,
    payee_organisation_id: int | None = None,
    lien_basis: str | None = None,
) -> dict[str, Any]:
    """Ask to pay ``amount`` of ``coverage`` (and ``head``) to a payee. At most what is
    still due on it and the open reserve; within the handler's authority counted over
    all they have paid on the claim, it is paid at once, above it it waits for a second
    approver. The same idempotency key on the claim returns the same payment."""
    req = PaymentRequest(
        coverage, head or None, amount, payee_kind, payee_name, payee_organisation_id, lien_basis
    )
    problems = _request_problems(req)
    if not idempotency_key.strip() or len(idempotency_key) > 100:
        problems.insert(
            0,
            Problem(
                "idempotency_key",
                "required",
                "1〜100文字のキーが必要です",
                "a key of 1 to 100 characters is needed",
            ),
        )
    with db.unit_of_work() as uow:
        session = uow.session
        claim = load_claim(session, actor, claim_id, "claim.manage")  # outsiders first
        if problems:
            raise InputError(problems)
        # the policy lock first: requests with the same key, or on the same policy, queue
        # here, and each then sees what the ones before it committed
        policy = _lock_policy(session, claim)
        existing = session.execute(
            select(ClaimPayment).where(
                ClaimPayment.claim_id == claim.id, ClaimPayment.idempotency_key == idempotency_key
            )
        ).scalar_one_or_none()
        if existing is not None:
            same = (existing.coverage, existing.head, existing.amount, existing.payee_kind) == (
                coverage,
                req.head,
                amount,
                payee_kind,
            )
            if not same:  # a retry repeats its request; another request needs its own key
                raise ConflictError(
                    "idempotency_key_reused",
                    "このキーは別の支払依頼に使われています",
                    "this idempotency key was used for a different payment request",
                )
            return _payment_view(existing, repeated=True)
        ensure_open_for_money(claim)
        name = _check_payee(session, claim, req)
        _take_partner_costs(session, claim, actor, uow.now)
        _initial_reserves(uow, claim, policy, actor)
        outstanding = _money_problems(
            session, claim, policy, uow.now, coverage=coverage, head=req.head, amount=amount
        )
        within = not needs_approval(
            amount, _by_person(session, claim.id, actor.user_id), actor.payment_authority or 0
        )
        payment = ClaimPayment(
            claim_id=claim.id,
            idempotency_key=idempotency_key,
            amount=amount,
            by_part={coverage: amount},
            coverage=coverage,
            head=req.head,
            payee_kind=payee_kind,
            payee_name=name,
            payee_organisation_id=payee_organisation_id if payee_kind == "partner" else None,
            lien_basis=lien_basis if coverage == "liability" else None,
            status="paid" if within else "pending_approval",
            requested_by=actor.user_id,
            requested_at=uow.now,
            paid_at=uow.now if within else None,
        )
        session.add(payment)
        session.flush()
        if within:
            _money_event(uow, actor, claim, policy, "payment", outstanding)
        uow.audit(
            actor.user_id,
            f"claim.payment_{payment.status}",
            ("claim", claim.id),
            after=_payment_view(payment),
        )
        return _payment_view(payment)


def _money_event(
    uow: Any,
    actor: Actor,
    claim: Claim,
    policy: Policy,
    kind: str,
    outstanding: bool | None = None,
) -> None:
    """Move the claim's status after money moved (claims/lifecycle.py): paid in part
    while something is still due or awaiting approval, paid in full otherwise.
    ``outstanding``: already known from the payment's own check; else assessed now."""
    uow.session.flush()
    if outstanding is None:
        assessment = _assess(uow.session, claim, policy, uow.now)
        own = _own_postings(uow.session, claim, None)
        outstanding = any(due_by_part(assessment.payable, own).values()) or any(
            p.pending for p in own
        )
    record_money_event(uow, actor, claim, kind, outstanding=outstanding)


def _load_payment(
    session: Session, actor: Actor, payment_id: int, claim_id: int | None
) -> tuple[ClaimPayment, Claim]:
    payment = load(session, actor, ClaimPayment, payment_id, "claim.manage")
    if claim_id is not None and payment.claim_id != claim_id:  # a page's parent
        raise NotFoundError("payment", payment_id)
    claim = session.get(Claim, payment.claim_id)  # reached with its payment
    assert claim is not None
    return payment, claim


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InputError(
            [Problem("reason", "required", "理由を入力してください", "give the reason")]
        )
    return reason.strip()[:500]


def approve_payment(
    db: Database,
    actor: Actor,
    payment_id: int,
    *,
    claim_id: int | None = None,
    approve: bool = True,
    reason: str = "",
) -> dict[str, Any]:
    """A second approver approves exactly the requested amount (if the worksheet, the
    reserve and their own authority still allow it) or rejects it with a reason.
    ``claim_id``: the claim the request names it under (a page's URL)."""
    with db.unit_of_work() as uow:
        session = uow.session
        payment, claim = _load_payment(session, actor, payment_id, claim_id)
        policy = _lock_policy(session, claim)
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
        if not approve:
            why = _reason(reason)
            payment.status = "rejected"
            payment.undone_by, payment.undone_at, payment.undo_reason = actor.user_id, uow.now, why
            uow.audit(
                actor.user_id,
                "claim.payment_rejected",
                ("claim", claim.id),
                after={"payment_id": payment.id, "amount": payment.amount, "reason": why},
            )
            return _payment_view(payment)
        ensure_open_for_money(claim)
        if needs_approval(
            payment.amount,
            _by_person(session, claim.id, actor.user_id),
            actor.payment_authority or 0,
        ):
            raise AuthorityError(
                "claim.approve",
                ja="支払権限を超えています",
                en=f"{payment.amount:,} yen is above your payment authority",
            )
        outstanding: bool | None = None  # a payment of old, without a part: assessed
        if payment.coverage is not None:
            outstanding = _money_problems(
                session,
                claim,
                policy,
                uow.now,
                coverage=payment.coverage,
                head=payment.head,
                amount=payment.amount,
                excluding=payment,
            )
        payment.status, payment.paid_at = "paid", uow.now
        payment.approved_by = actor.user_id
        _money_event(uow, actor, claim, policy, "payment", outstanding)
        uow.audit(
            actor.user_id,
            "claim.payment_approved",
            ("claim", claim.id),
            after={"payment_id": payment.id, "amount": payment.amount},
        )
        return _payment_view(payment)


def undo_payment(
    db: Database, actor: Actor, payment_id: int, *, reason: str, claim_id: int | None = None
) -> dict[str, Any]:
    """Void a payment awaiting approval, or reverse a released one, with a reason. The
    ledger, the reserve's open amount, the bordereau and the loss ratio follow (they all
    count live payments); the row stays, with who undid it and why."""
    with db.unit_of_work() as uow:
        session = uow.session
        payment, claim = _load_payment(session, actor, payment_id, claim_id)  # outsiders first
        why = _reason(reason)
        policy = _lock_policy(session, claim)
        reversal = payment.status == "paid"
        if payment.status == "pending_approval":
            payment.status = "voided"
        elif payment.status == "paid":
            ensure_open_for_money(claim)
            recovered = sum(
                r.amount
                for r in session.execute(
                    select(ClaimRecovery).where(ClaimRecovery.claim_id == claim.id)
                ).scalars()
            )
            paid_after = sum(_paid_by_claim(session, claim.id).values()) - payment.amount
            if recovered > paid_after:
                raise ConflictError(
                    "recoveries_above_paid",
                    f"回収額 {recovered:,}円 が取消後の支払額を超えます",
                    f"the {recovered:,} yen recovered would exceed what stays paid",
                )
            payment.status = "reversed"
        else:
            raise ConflictError(
                "not_undoable",
                f"この支払は{payment.status}です",
                f"the payment is {payment.status}",
            )
        payment.undone_by, payment.undone_at, payment.undo_reason = actor.user_id, uow.now, why
        session.flush()
        if reversal:
            _money_event(uow, actor, claim, policy, "payment_reversed")
        uow.audit(
            actor.user_id,
            f"claim.payment_{payment.status}",
            ("claim", claim.id),
            after={"payment_id": payment.id, "amount": payment.amount, "reason": why},
        )
        return _payment_view(payment)


def _payment_view(p: ClaimPayment, repeated: bool = False) -> dict[str, Any]:
    return {
        "id": p.id,
        "claim_id": p.claim_id,
        "amount": p.amount,
        "by_part": p.by_part,
        "coverage": p.coverage,
        "head": p.head,
        "payee_kind": p.payee_kind,
        "payee_name": p.payee_name,
        "lien_basis": p.lien_basis,
        "status": p.status,
        "idempotency_key": p.idempotency_key,
        "repeated": repeated,
        "requested_at": p.requested_at.isoformat(),
        "paid_at": p.paid_at.isoformat() if p.paid_at else None,
        "undone_at": p.undone_at.isoformat() if p.undone_at else None,
        "undo_reason": p.undo_reason,
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
    paid = _paid_by_claim(session, claim.id)
    last = session.execute(
        select(ClaimAdjudication.payable)
        .where(ClaimAdjudication.claim_id == claim.id)
        .order_by(ClaimAdjudication.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    payable: dict[str, int] = last or {}
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
                "replaces_id": i.replaces_id,
                "changed_at": i.changed_at.isoformat() if i.changed_at else None,
                "change_reason": i.change_reason,
            }
            for i in items
        ],
        "reserves": reserves,
        "paid": paid,
        "receivable": overpaid(payable, paid),
        "notified_at": claim.notified_at.isoformat(),
        "claim_made_at": claim.claim_made_at.isoformat() if claim.claim_made_at else None,
        "act_at": claim.act_at.isoformat() if claim.act_at else None,
        "outage_started_at": (
            claim.outage_started_at.isoformat() if claim.outage_started_at else None
        ),
        "circumstance_notice_id": claim.circumstance_notice_id,
        "known_at": claim.known_at.isoformat() if claim.known_at else None,
        "product": _product_named(session, claim),
        "recovered": sum(
            r.amount
            for r in session.execute(
                select(ClaimRecovery).where(ClaimRecovery.claim_id == claim.id)
            ).scalars()
        ),
        "findings": claim.findings,
        **_clocks(session, claim),
    }


def _product_named(session: Session, claim: Claim) -> dict[str, str]:
    """The product version the claim is judged under: its policy's."""
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    return {"code": policy.product_code, "version": policy.product_version}


def _clocks(session: Session, claim: Claim) -> dict[str, Any]:
    """Payment due (product ``claim_payment_days`` after the documents are complete) and
    the limitation (保険法95条: three years, shown from the accident date)."""
    policy = session.get(Policy, claim.policy_id)
    assert policy is not None
    rules = sold_under(policy).policy
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


def list_claims(
    db: Database,
    actor: Actor,
    *,
    status: str | None = None,
    policy_id: int | None = None,
    handler_id: int | None = None,
) -> list[dict[str, Any]]:
    """Claims the actor may read, newest first, with what each has been paid and the
    documents received for it (name, size, when; not their content); by status (one of
    the lifecycle's), policy (one outside the actor's reach gives an empty list, as one
    that does not exist) and handler (who opened it: a filter for the claims staff)."""
    authorize(actor, "claim.read")
    if status is not None and status not in {s.value for s in Status}:
        choices = ", ".join(s.value for s in Status)
        raise InputError(
            [Problem("status", "one_of", f"{choices} のいずれかです", f"must be one of {choices}")]
        )
    if handler_id is not None and not can(actor, "claim.manage"):
        raise ForbiddenError(
            "claim.manage",
            ja="担当者での絞り込みは損害サービス担当者だけができます",
            en="only claims staff filter by handler",
        )
    with db.sessions() as session:
        query = (
            select(Claim, Policy)
            .join(Policy, Policy.id == Claim.policy_id)
            .where(reach_filter(actor, Claim))
        )
        if status is not None:
            query = query.where(Claim.status == status)
        if policy_id is not None:
            query = query.where(Claim.policy_id == policy_id)
        if handler_id is not None:
            query = query.where(Claim.opened_by == handler_id)
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
    """What remains of every limit of the current terms — each bought part, each shared
    limit, the aggregate — after the period's ledger (claims/ledger.py): payments released
    (``paid``) and money committed (payments awaiting approval, partner costs approved at
    the desk and not yet paid by a claim)."""
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        terms = policy_terms(policy, deductibles=False)
        shared_of = {p.code: p.shared for p in terms.parts}
        paid = erosion(_postings(session, policy.id, ("paid",)), [], shared_of)
        total, _ = policy_ledger(session, policy)
        left = remaining_limits(terms, total)
        released = {**paid.parts, **paid.shared, "aggregate": paid.aggregate}
        used = {**total.parts, **total.shared, "aggregate": total.aggregate}

        def row(code: str, limit: int) -> dict[str, Any]:
            return {
                "code": code,
                "label": dict(zip(("ja", "en"), terms.label(code), strict=True)),
                "limit": limit,
                "paid": released.get(code, 0),
                "committed": used.get(code, 0) - released.get(code, 0),
                "left": left[code],
            }

        return {
            "policy_id": policy.id,
            "parts": [row(p.code, p.limit) for p in terms.parts if p.bought],
            "shared": [row(g.code, g.limit) for g in terms.shared],
            "aggregate": row("aggregate", terms.aggregate),
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
