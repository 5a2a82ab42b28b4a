"""What each role may see of an object: one table, for the API, the pages and the PDFs.

The scoping layer (``services/scope.py``) decides which rows an actor reaches; this
table decides which *fields* of a reached row it sees. A service shapes every view it
returns to a caller with :func:`shape` (the pages and the PDFs are built from the same
services, so they show the same fields), and the incident timeline is filtered by
:data:`EVENTS`.

The rules (docs/operations.md, "Tenant isolation"):

- **Reserves and authority** — the insurer's estimate of what a claim will cost, the
  authority levels and the decisions of the people who hold them — go to the insurer's
  staff whose work needs them: claims handlers, underwriters, the reinsurance and
  actuarial staff, internal audit and administrators. Never to policyholders, agents or
  partners, nor to the desk, whose work does not need them.
- **Internal notes** — who on the insurer's side did what, escalations, links between
  reports, the limit check behind a decision, possible duplicates — go to the staff.
- **A partner** sees of an incident only what its dispatch needs (number, summary,
  status, triage), and of its dispatches everything but the insurer's internal checks.
- **A policyholder and its agent** see their own company's business; the agencies'
  commission on a policy is the agents' and the insurer's (who handles the policy, and
  each agency's share, are on the insured's schedule and so in its view).

Every field of a shaped kind must be listed: a field that is not is shown to nobody
(``tests/security/test_visibility.py`` holds every view of a full journey to the table,
so a new field cannot be added without deciding who sees it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cybercover.services.authz import STAFF, Actor, Role

__all__ = [
    "CLAIM_TRANSACTIONS",
    "EVENTS",
    "FIELDS",
    "Nested",
    "event_visible",
    "may_see",
    "shape",
    "shape_all",
    "transaction_visible",
]

EVERYONE: frozenset[Role] = frozenset(Role)
"""Everyone who may read the object at all (the role rules say who that is)."""
INSURED_SIDE: frozenset[Role] = STAFF | {Role.POLICYHOLDER}
SALES_SIDE: frozenset[Role] = STAFF | {Role.POLICYHOLDER, Role.AGENT}
MONEY: frozenset[Role] = frozenset(
    {Role.CLAIMS_HANDLER, Role.UNDERWRITER, Role.ACTUARY, Role.AUDITOR, Role.ADMIN}
)
"""Reserves and payment authority: claims, underwriting, reinsurance and actuarial, audit
(internal audit and the administrators)."""
UNDERWRITING: frozenset[Role] = frozenset({Role.UNDERWRITER, Role.AUDITOR, Role.ADMIN})
"""Underwriting authority and the decisions taken with it."""


@dataclass(frozen=True, slots=True)
class Nested:
    """The field holds one view (or a list of views) of another kind of the table."""

    kind: str


Rule = frozenset[Role] | Nested

FIELDS: dict[str, dict[str, Rule]] = {
    "incident": {
        **dict.fromkeys(("id", "number", "summary", "status", "triage"), EVERYONE),
        **dict.fromkeys(
            (
                "company_id",
                "policy_id",
                "insured",
                "coverage",
                "channel",
                "caller",
                "occurred_at",
                "aware_at",
                "hearing",
                "advice",
                "reported_at",
                "first_response_at",
                "handed_over_at",
                "closed_at",
                "repeated",
                "linked_to_id",
                "deadlines",
            ),
            INSURED_SIDE,
        ),
        **dict.fromkeys(("link", "linked", "possible_duplicates"), STAFF),
    },
    "incident_event": {
        **dict.fromkeys(("at", "at_jst", "kind", "data"), INSURED_SIDE),
        "actor_user_id": STAFF,
    },
    "claim": {
        **dict.fromkeys(
            (
                "id",
                "number",
                "policy_id",
                "incident_id",
                "status",
                "accident_at",
                "outage_hours",
                "causes",
                "paid",
                "recovered",
                "documents_complete_at",
                "payment_due_on",
                "limitation_on",
                "notified_at",
                "claim_made_at",
                "act_at",
                "outage_started_at",
                "receivable",
                "circumstance_notice_id",
                "known_at",
                "product",  # the version its policy was sold under: {code, version}
            ),
            EVERYONE,
        ),
        "items": Nested("loss_item"),
        "findings": Nested("finding"),
        "documents": Nested("claim_document"),
        "payments": Nested("payment"),
        "reserves": MONEY,
    },
    "claim_summary": {
        **dict.fromkeys(
            (
                "id",
                "number",
                "policy_id",
                "policy_number",
                "incident_id",
                "status",
                "accident_at",
                "paid",
            ),
            EVERYONE,
        ),
        "documents": Nested("claim_document"),
    },
    "loss_item": {
        **dict.fromkeys(
            (
                "id",
                "coverage",
                "category",
                "description",
                "amount",
                "source",
                "details",
                "status",
                "replaces_id",
                "changed_at",
            ),
            EVERYONE,
        ),
        "change_reason": STAFF,
    },
    "finding": {**dict.fromkeys(("causes", "grounds", "at"), EVERYONE), "by": STAFF},
    "claim_document": {
        **dict.fromkeys(("id", "filename", "content_type", "size", "at"), EVERYONE),
        "by": STAFF,
    },
    "payment": {
        **dict.fromkeys(
            ("id", "claim_id", "amount", "by_part", "status", "paid_at", "repeated"), EVERYONE
        ),
        **dict.fromkeys(
            ("coverage", "head", "payee_kind", "payee_name", "lien_basis", "requested_at"),
            EVERYONE,
        ),
        "undone_at": EVERYONE,
        "undo_reason": STAFF,
        "idempotency_key": MONEY,
    },
    "dispatch": {
        **dict.fromkeys(
            (
                "id",
                "incident_id",
                "partner_id",
                "partner",
                "service",
                "status",
                "requested_at",
                "responded_at",
                "decline_reason",
                "work_log",
            ),
            EVERYONE,
        ),
        "costs": Nested("cost"),
    },
    "cost": {
        **dict.fromkeys(
            (
                "id",
                "dispatch_id",
                "kind",
                "description",
                "amount_ex_tax",
                "tax_rate_percent",
                "tax",
                "total",
                "registration_number",
                "status",
                "submitted_at",
            ),
            EVERYONE,
        ),
        "decision": Nested("cost_decision"),
    },
    "cost_decision": {
        **dict.fromkeys(("at", "reason"), EVERYONE),
        **dict.fromkeys(("by", "limit_check"), STAFF),
    },
    "submission": {
        **dict.fromkeys(
            (
                "id",
                "company_id",
                "agency_id",
                "kind",
                "renewal_of_id",
                "product",
                "status",
                "start_date",
                "disclosure",
                "isms",
                "version",
                "options",
                "offered_limits",
                "quotes",
                "company_name",
            ),
            SALES_SIDE,
        ),
        "issues": Nested("underwriting_issue"),
    },
    "underwriting_issue": {
        **dict.fromkeys(
            (
                "id",
                "rule_code",
                "title",
                "message",
                "action",
                "blocking_point",
                "facts",
                "source",
                "status",
                "policy_transaction_id",
            ),
            SALES_SIDE,
        ),
        **dict.fromkeys(("authority", "authority_level", "history"), UNDERWRITING),
    },
    # an endorsement with the issues its underwriting raised (issue #17)
    "endorsement": {
        **dict.fromkeys(
            (
                "id",
                "policy_id",
                "kind",
                "status",
                "effective_at",
                "changes",
                "premium_delta",
                "factors",
            ),
            SALES_SIDE,
        ),
        "issues": Nested("underwriting_issue"),
    },
    "policy": {
        **dict.fromkeys(
            (
                "id",
                "number",
                "company_id",
                "submission_id",
                "quote_id",
                "product",
                "status",
                "period_start",
                "period_end",
                "retroactive_date",
                "terms",
                "annual_premium",
                "written_premium",
                "payment_plan",
                "payment_method",
                "cancelled_at",
                "earned_premium",
                "transactions",
                "invoices",
                "allowed_actions",
            ),
            SALES_SIDE,
        ),
        "agencies": Nested("policy_agency"),
    },
    # the co-agency: who handles the policy and its share are on the schedule the insured
    # holds; the commission is between the insurer and the agencies
    "policy_agency": {
        **dict.fromkeys(("agency_id", "tasks", "share_percent"), SALES_SIDE),
        "commission_percent": STAFF | {Role.AGENT},
    },
    # the claim lifecycle (issue #17, rule 7): the status, the events a handler may
    # trigger, the history; a denial's reason and clause are the insured's (its letter
    # prints them), the internal note and who did it are the staff's
    "claim_lifecycle": {
        **dict.fromkeys(("id", "number", "status", "allowed_events", "denial_reasons"), EVERYONE),
        "history": Nested("claim_status_change"),
    },
    "claim_status_change": {
        **dict.fromkeys(
            (
                "at",
                "event",
                "from_status",
                "to_status",
                "reason",
                "reason_code",
                "clause",
                "reason_ja",
                "reason_en",
            ),
            EVERYONE,
        ),
        **dict.fromkeys(("internal_note", "by"), STAFF),
    },
    # a claim's money events in order (which kinds each role sees: CLAIM_TRANSACTIONS);
    # a reserve's reason, an undo reason and a recovery's note are internal notes
    "claim_transaction": {
        **dict.fromkeys(
            (
                "at",
                "kind",
                "payment_id",
                "amount",
                "coverage",
                "head",
                "status",
                "from_party",
                "event",
                "from_status",
                "to_status",
                "reason",
                "reason_code",
                "clause",
                "reason_ja",
                "reason_en",
            ),
            EVERYONE,
        ),
        **dict.fromkeys(("internal_note", "by"), STAFF),
    },
}
"""kind → field → who sees it (or the kind of the nested view it holds)."""

# The incident timeline: which events the insured sees (the insurer's staff see all;
# a partner never reads the timeline). An event kind not listed is the staff's alone.
EVENTS: dict[str, frozenset[Role]] = {
    **dict.fromkeys(
        (
            "reported",
            "hearing.answered",
            "triage",
            "advice.given",
            "handed_over",
            "dispatched",
            "dispatch.accepted",
            "dispatch.declined",
            "dispatch.work",
            "cost.estimate",
            "cost.invoice",
            "cost.approved",
            "cost.refused",
            "deadline.appeared",
            "deadline.moved",
            "deadline.withdrawn",
            "deadline.done",
            "deadline.reminded",
            "closed",
        ),
        INSURED_SIDE,
    ),
    **dict.fromkeys(
        ("report.repeated", "report.linked", "report.unlinked", "escalated", "report.duplicate"),
        STAFF,
    ),
}


# A claim's money events (services/claim_lifecycle.py, ``claim_transactions``): which
# kinds each role sees. A reserve is the insurer's estimate: the money staff's alone. A
# kind not listed is the staff's alone.
CLAIM_TRANSACTIONS: dict[str, frozenset[Role]] = {
    **dict.fromkeys(
        (
            "payment_requested",
            "payment_paid",
            "payment_voided",
            "payment_rejected",
            "payment_reversed",
            "recovery",
            "status",
        ),
        EVERYONE,
    ),
    "reserve": MONEY,
}


def transaction_visible(actor: Actor, kind: str) -> bool:
    """Whether ``actor`` sees a claim transaction of ``kind``."""
    return actor.role in CLAIM_TRANSACTIONS.get(kind, STAFF)


def event_visible(actor: Actor, kind: str) -> bool:
    """Whether ``actor`` sees a timeline event of ``kind``."""
    return actor.role in EVENTS.get(kind, STAFF)


def may_see(actor: Actor, kind: str, field: str) -> bool:
    """Whether ``actor`` sees ``field`` of a ``kind`` view (for pages and PDFs that pick
    single fields)."""
    rule = FIELDS[kind].get(field)
    if rule is None:
        return False
    return True if isinstance(rule, Nested) else actor.role in rule


def shape(actor: Actor, kind: str, view: dict[str, Any]) -> dict[str, Any]:
    """``view`` with only the fields ``actor`` may see, nested views shaped in turn."""
    fields = FIELDS[kind]
    out: dict[str, Any] = {}
    for key, value in view.items():
        rule = fields.get(key)
        if rule is None:
            continue
        if isinstance(rule, Nested):
            if isinstance(value, list):
                out[key] = [shape(actor, rule.kind, v) if isinstance(v, dict) else v for v in value]
            elif isinstance(value, dict):
                out[key] = shape(actor, rule.kind, value)
            else:
                out[key] = value
        elif actor.role in rule:
            out[key] = value
    return out


def shape_all(actor: Actor, kind: str, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [shape(actor, kind, v) for v in views]
