"""The one erosion ledger of a policy period and the rules of a claim payment
(issue #17, rules 4 and 5).

Pure: the caller hands in the postings (claim payments, as stored) and the partner costs
committed at the desk; these functions sum them, decide what is due and what a payment
may be. Every figure the system shows as "paid", "remaining", "due" or "overpaid", and
every check before money moves (the desk's estimate check, the worksheet, a payment
request and its approval), is computed here, once.

- **Erosion belongs to the period**, not to a terms version: an endorsement changes the
  limits from its date, and what was paid before stays paid against the period.
- **A partner cost counts once.** Per dispatch, its approved invoices replace its
  approved estimates. What a claim on the incident has paid on partner heads is taken
  off the incident's committed costs: the claim's payment is the cost, no longer a
  commitment. A partner cost belongs to the one claim of its incident (services/claims.py
  opens one claim per incident).
- **A payment** names its part, its cost head (or none for the whole part), its payee and
  its amount: at most what the worksheet says is still due on that part (and head), at
  most the open reserve on the part, and within the requester's authority counted over
  everything they have paid or asked to pay on the claim, so splitting a payment does
  not get round it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cybercover.errors import Problem
from cybercover.terms.exact import remaining
from cybercover.terms.model import Ledger, PolicyTerms

__all__ = [
    "PARTNER_HEAD_PREFIX",
    "PAYEES",
    "Commitment",
    "DispatchCosts",
    "Posting",
    "due_by_head",
    "due_by_part",
    "erosion",
    "lien_problem",
    "needs_approval",
    "overpaid",
    "partner_outstanding",
    "payment_problems",
    "remaining_limits",
]

PARTNER_HEAD_PREFIX = "partner:"
PAYEES = ("insured", "partner", "third_party")
LIEN_BASES = ("victim_paid", "victim_consent")


@dataclass(frozen=True, slots=True)
class Posting:
    """Money on the ledger from one claim payment (paid, or awaiting approval)."""

    claim_id: int
    part: str
    head: str | None
    amount: int
    requested_by: int | None = None
    pending: bool = False


@dataclass(frozen=True, slots=True)
class DispatchCosts:
    """One dispatch's approved cost documents."""

    estimates: int
    invoices: int
    has_invoice: bool

    @property
    def committed(self) -> int:
        return self.invoices if self.has_invoice else self.estimates


@dataclass(frozen=True, slots=True)
class Commitment:
    """Partner costs committed on an incident and not yet paid by its claim."""

    incident_id: int
    part: str
    amount: int


def partner_outstanding(dispatches: Iterable[DispatchCosts], paid_on_partner_heads: int) -> int:
    """What an incident's partner costs still commit: each dispatch's invoices (or, until
    one is approved, its estimates), less what the incident's claim has paid on partner
    heads, never below 0."""
    return max(sum(d.committed for d in dispatches) - paid_on_partner_heads, 0)


def erosion(
    postings: Iterable[Posting],
    commitments: Iterable[Commitment],
    shared_of: Mapping[str, str | None],
    *,
    excluding_claim: int | None = None,
    excluding_incident: int | None = None,
) -> Ledger:
    """The period's ledger: every posting and commitment against its part, its shared
    limit and the aggregate, leaving out one claim's postings and one incident's
    commitments (a claim is adjudicated against everything *but* itself)."""
    ledger = Ledger()

    def add(part: str, amount: int) -> None:
        ledger.parts[part] = ledger.parts.get(part, 0) + amount
        group = shared_of.get(part)
        if group is not None:
            ledger.shared[group] = ledger.shared.get(group, 0) + amount
        ledger.aggregate += amount

    for p in postings:
        if p.claim_id != excluding_claim:
            add(p.part, p.amount)
    for c in commitments:
        if c.incident_id != excluding_incident:
            add(c.part, c.amount)
    return ledger


def remaining_limits(terms: PolicyTerms, ledger: Ledger) -> dict[str, int]:
    """What is left of every limit — each part, each shared limit, the aggregate — after
    the ledger (the terms engine's ``remaining``), never shown below 0: a ledger from
    outside the engine (committed partner costs) may pass a limit the engine never would."""
    return {code: max(left, 0) for code, left in remaining(terms, ledger).items()}


def due_by_part(payable: Mapping[str, int], postings: Iterable[Posting]) -> dict[str, int]:
    """What is still due on each part: the worksheet's payable less this claim's postings
    (paid and awaiting approval), never below 0."""
    taken: dict[str, int] = {}
    for p in postings:
        taken[p.part] = taken.get(p.part, 0) + p.amount
    return {part: max(amount - taken.get(part, 0), 0) for part, amount in payable.items()}


def due_by_head(
    lines: Iterable[tuple[str, str, int]], postings: Iterable[Posting]
) -> dict[tuple[str, str], int]:
    """What is due on each (part, cost head): the payable of the lines of that head less
    the postings that named it, never below 0. ``lines``: (part, head, payable)."""
    payable: dict[tuple[str, str], int] = {}
    for part, head, amount in lines:
        payable[(part, head)] = payable.get((part, head), 0) + amount
    taken: dict[tuple[str, str], int] = {}
    for p in postings:
        if p.head is not None:
            taken[(p.part, p.head)] = taken.get((p.part, p.head), 0) + p.amount
    return {key: max(amount - taken.get(key, 0), 0) for key, amount in payable.items()}


def overpaid(payable: Mapping[str, int], paid: Mapping[str, int]) -> dict[str, int]:
    """After a correction, what a claim was paid beyond what is now payable, per part: a
    receivable to recover, never a negative payment."""
    return {
        part: amount - payable.get(part, 0)
        for part, amount in paid.items()
        if amount > payable.get(part, 0)
    }


def lien_problem(part: str, payee: str, lien_basis: str | None) -> Problem | None:
    """保険法22条: the victim has a statutory lien on liability insurance money. Liability
    money goes to the insured only when it has paid the victim or the victim consents;
    otherwise to the victim (a third party)."""
    if part != "liability" or payee != "insured":
        return None
    if lien_basis in LIEN_BASES:
        return None
    return Problem(
        "lien_basis",
        "statutory_lien",
        "賠償責任の保険金を被保険者に支払うには、被害者への支払済みの証明か被害者の承諾が必要です"
        "（保険法22条）。それ以外は被害者に直接支払います",
        "liability money goes to the insured only with proof it paid the victim or the "
        "victim's consent (Insurance Act art. 22); otherwise pay the victim directly",
    )


def payment_problems(
    *,
    amount: int,
    part: str,
    head: str | None,
    due_part: Mapping[str, int],
    due_head: Mapping[tuple[str, str], int],
    open_reserve: int,
) -> list[Problem]:
    """Why a payment of ``amount`` on ``part`` (and ``head``) may not be made now."""
    problems: list[Problem] = []
    if part not in due_part:
        return [
            Problem(
                "coverage",
                "nothing_payable_on_part",
                "この補償に支払対象額はありません",
                f"nothing is payable on {part}",
            )
        ]
    if head is not None and (part, head) not in due_head:
        return [
            Problem(
                "head",
                "unknown_head",
                "この補償にこの費目の損害項目はありません",
                f"the claim has no loss item of head {head!r} on {part}",
            )
        ]
    due = due_part[part] if head is None else min(due_part[part], due_head[(part, head)])
    if amount > due:
        problems.append(
            Problem(
                "amount",
                "above_due",
                f"支払対象額の残り {due:,}円 を超えています",
                f"{amount:,} yen is more than the {due:,} yen still due",
            )
        )
    if amount > open_reserve:
        problems.append(
            Problem(
                "amount",
                "above_reserve",
                f"支払備金の残り {open_reserve:,}円 を超えています（先に備金を積み増してください）",
                f"{amount:,} yen is more than the {open_reserve:,} yen open reserve: "
                "raise the reserve first",
            )
        )
    return problems


def needs_approval(amount: int, already_by_requester: int, authority: int) -> bool:
    """A payment needs a second approver when it, added to everything the requester has
    paid or asked to pay on the claim, is above the requester's authority."""
    return already_by_requester + amount > authority
