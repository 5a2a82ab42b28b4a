"""A claim's lifecycle (issue #17, rule 7): its statuses, the events that move it, who
triggers each, and the one table of allowed transitions. Pure: the caller states the
facts an event depends on (is something still due, is money still paid, is a payment
waiting for approval); this module decides the next status or refuses, naming the rule.

::

    open ──payment──▶ partly_paid ──payment──▶ paid
      │ ▲                 │ ▲                   │
      │ └─payment_reversed┘ └─payment_reversed──┘
      ├──deny──▶ denied ──reopen──▶ reopened
      └──close─▶ closed ──reopen──▶ reopened (moves on as ``open`` does)

- **Payments** move the status by themselves (trigger ``payment``): after money is
  released a claim is ``partly_paid`` while something is still due (on the worksheet,
  or a payment waiting for approval) and ``paid`` when nothing is. A payment *requested*
  and waiting for approval is not yet an event. Documents complete and adjudication are
  events on the way, not statuses: an interim payment (a partner's invoice, defence
  costs) is made before the last document arrives.
- **A reversal** (``payment_reversed``) goes back to ``partly_paid`` while money stays
  paid, to ``open`` when none does.
- **Close, deny, reopen** are a claims handler's decisions, each with a reason (trigger
  ``handler``). A claim is closed with or without payment (a withdrawn claim, nothing
  due, or all paid). It is denied only while nothing has been paid on it: money paid is
  reversed first, so a denial never leaves a payment standing. Neither is done while a
  payment waits for approval: decide or void it first.
- **Reopening** goes to its own status, ``reopened`` (our choice): it behaves as ``open``
  (it takes items and payments, and may be closed or denied), and stays visible as a
  reopened claim in the claims list (a reopened claim is a figure claims managers
  watch) until the next payment or decision moves it on. The history keeps every step.
- **A denied or closed claim takes no money**: no loss item, no payment, no reversal
  (:func:`accepts_money`); reopen it first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cybercover.errors import ConflictError, Problem

__all__ = [
    "DENIAL_REASONS",
    "EXCLUSION_PREFIX",
    "MONEY_STATUSES",
    "TRANSITIONS",
    "Event",
    "EventKind",
    "Move",
    "Status",
    "TransitionRefused",
    "Trigger",
    "accepts_money",
    "allowed_events",
    "denial_problems",
    "transition",
]


class Status(StrEnum):
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CLOSED = "closed"
    DENIED = "denied"
    REOPENED = "reopened"


class EventKind(StrEnum):
    PAYMENT = "payment"
    PAYMENT_REVERSED = "payment_reversed"
    CLOSE = "close"
    DENY = "deny"
    REOPEN = "reopen"


class Trigger(StrEnum):
    """Who moves the claim: a claims handler's decision (with a reason), or the payment
    service when money is released or a payment reversed."""

    HANDLER = "handler"
    PAYMENT = "payment"


@dataclass(frozen=True, slots=True)
class Event:
    """An event with the facts it depends on, as they stand *after* it.

    - ``outstanding`` (payment): something is still due on the claim — payable on the
      worksheet and not paid, or a payment waiting for approval;
    - ``paid`` (payment reversed, deny): money is paid on the claim and not reversed;
    - ``pending`` (close, deny): a payment is waiting for approval.
    """

    kind: EventKind
    outstanding: bool = False
    paid: bool = False
    pending: bool = False

    @staticmethod
    def payment(*, outstanding: bool) -> Event:
        return Event(EventKind.PAYMENT, outstanding=outstanding)

    @staticmethod
    def payment_reversed(*, paid: bool) -> Event:
        return Event(EventKind.PAYMENT_REVERSED, paid=paid)

    @staticmethod
    def close(*, pending: bool = False) -> Event:
        return Event(EventKind.CLOSE, pending=pending)

    @staticmethod
    def deny(*, paid: bool = False, pending: bool = False) -> Event:
        return Event(EventKind.DENY, paid=paid, pending=pending)

    @staticmethod
    def reopen() -> Event:
        return Event(EventKind.REOPEN)


# A guard on an event's facts: the row applies only when it holds (None: always).
OUTSTANDING, SETTLED, STILL_PAID, NONE_PAID, NOTHING_PAID_OR_PENDING, NOTHING_PENDING = (
    "outstanding",
    "settled",
    "still_paid",
    "none_paid",
    "nothing_paid_or_pending",
    "nothing_pending",
)


def _holds(guard: str | None, event: Event) -> bool:
    match guard:
        case None:
            return True
        case "outstanding":
            return event.outstanding
        case "settled":
            return not event.outstanding
        case "still_paid":
            return event.paid
        case "none_paid":
            return not event.paid
        case "nothing_paid_or_pending":
            return not (event.paid or event.pending)
        case "nothing_pending":
            return not event.pending
    raise ValueError(f"unknown guard {guard!r}")


@dataclass(frozen=True, slots=True)
class Move:
    """One allowed transition: from ``source`` on ``event`` (when ``guard`` holds) to
    ``target``, triggered by ``trigger``."""

    source: Status
    event: EventKind
    guard: str | None
    target: Status
    trigger: Trigger


def _money_moves(source: Status) -> list[Move]:
    """What payments and reversals do to a claim that takes money."""
    pay, back, money = EventKind.PAYMENT, EventKind.PAYMENT_REVERSED, Trigger.PAYMENT
    moves = [
        Move(source, pay, OUTSTANDING, Status.PARTLY_PAID, money),
        Move(source, pay, SETTLED, Status.PAID, money),
    ]
    if source is not Status.OPEN:  # an open claim has nothing paid to reverse
        moves += [
            Move(source, back, STILL_PAID, Status.PARTLY_PAID, money),
            Move(source, back, NONE_PAID, Status.OPEN, money),
        ]
    return moves


_S, _E, _H = Status, EventKind, Trigger.HANDLER
TRANSITIONS: tuple[Move, ...] = (
    *_money_moves(_S.OPEN),
    Move(_S.OPEN, _E.CLOSE, NOTHING_PENDING, _S.CLOSED, _H),
    Move(_S.OPEN, _E.DENY, NOTHING_PAID_OR_PENDING, _S.DENIED, _H),
    *_money_moves(_S.PARTLY_PAID),
    Move(_S.PARTLY_PAID, _E.CLOSE, NOTHING_PENDING, _S.CLOSED, _H),
    # a paid claim takes a payment again when more becomes due (an item added later)
    *_money_moves(_S.PAID),
    Move(_S.PAID, _E.CLOSE, NOTHING_PENDING, _S.CLOSED, _H),
    Move(_S.CLOSED, _E.REOPEN, None, _S.REOPENED, _H),
    Move(_S.DENIED, _E.REOPEN, None, _S.REOPENED, _H),
    *_money_moves(_S.REOPENED),
    Move(_S.REOPENED, _E.CLOSE, NOTHING_PENDING, _S.CLOSED, _H),
    Move(_S.REOPENED, _E.DENY, NOTHING_PAID_OR_PENDING, _S.DENIED, _H),
)
"""Every allowed transition; anything else is refused (:func:`transition`)."""

MONEY_STATUSES: frozenset[Status] = frozenset(
    {Status.OPEN, Status.PARTLY_PAID, Status.PAID, Status.REOPENED}
)
"""The statuses in which a claim takes loss items, payments and reversals."""


class TransitionRefused(ConflictError):
    """The event is not allowed in the claim's status (a 409 naming ``rule``)."""

    def __init__(self, rule: str, ja: str, en: str, status: str, event: EventKind) -> None:
        super().__init__(rule, ja, en)
        self.status = status
        self.event = event


_STATUS_JA = {
    "open": "受付中",
    "partly_paid": "一部支払済",
    "paid": "支払済",
    "closed": "終了",
    "denied": "不払決定",
    "reopened": "再開",
}


def _status(value: Status | str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise TransitionRefused(
            "unknown_status",
            f"不明な請求の状態です（{value}）",
            f"unknown claim status {value!r}",
            str(value),
            EventKind.CLOSE,
        ) from None


def _refusal(current: Status, event: Event) -> TransitionRefused:
    """Why ``event`` is not allowed in ``current``: the rule, in both languages."""
    kind = event.kind
    now_ja = _STATUS_JA[current.value]

    def refused(rule: str, ja: str, en: str) -> TransitionRefused:
        return TransitionRefused(rule, ja, en, current.value, kind)

    if kind is EventKind.REOPEN:
        return refused(
            "reopen_needs_closed_or_denied",
            f"再開できるのは終了または不払決定の請求だけです（現在: {now_ja}）",
            f"only a closed or denied claim can be reopened; this one is {current.value}",
        )
    if current in (Status.CLOSED, Status.DENIED):
        return refused(
            f"claim_{current.value}",
            f"この請求は{now_ja}です。先に再開してください",
            f"the claim is {current.value}: reopen it first",
        )
    if kind in (EventKind.CLOSE, EventKind.DENY) and event.pending:
        return refused(
            "payment_pending",
            "承認待ちの支払があります。先に承認・却下または取消をしてください",
            "a payment is waiting for approval: decide or void it first",
        )
    if kind is EventKind.DENY:
        return refused(
            "deny_after_payment",
            "支払済みの保険金がある請求はお支払いできない決定にできません。先に支払を取り消してください",
            "a claim with money paid on it cannot be denied: reverse the payments first",
        )
    if kind is EventKind.PAYMENT_REVERSED:
        return refused(
            "nothing_paid",
            "取り消す支払がありません",
            "nothing has been paid on the claim to reverse",
        )
    return refused(  # not reached with the table above; kept for a table that changes
        "transition_not_allowed",
        f"{now_ja}の請求にはこの操作はできません",
        f"{kind.value} is not allowed on a {current.value} claim",
    )


def _as_event(event: Event | EventKind | str) -> Event:
    return event if isinstance(event, Event) else Event(EventKind(event))


def transition(current: Status | str, event: Event | EventKind | str) -> Status:
    """The status after ``event`` (a bare kind means an event with every fact false), or
    :class:`TransitionRefused` naming the rule that forbids it."""
    status, happened = _status(current), _as_event(event)
    for move in TRANSITIONS:
        if move.source is status and move.event is happened.kind and _holds(move.guard, happened):
            return move.target
    raise _refusal(status, happened)


def allowed_events(
    current: Status | str,
    *,
    trigger: Trigger | None = None,
    paid: bool = False,
    pending: bool = False,
) -> tuple[EventKind, ...]:
    """The events allowed in ``current`` given the facts (``paid``: money is paid on the
    claim; ``pending``: a payment waits for approval), in the order of
    :class:`EventKind`; ``trigger`` keeps those of one trigger (the pages offer the
    handler's)."""
    status = _status(current)
    out: list[EventKind] = []
    for kind in EventKind:
        moves = [
            m
            for m in TRANSITIONS
            if m.source is status and m.event is kind and (trigger is None or m.trigger is trigger)
        ]
        if not moves:
            continue
        if kind is EventKind.PAYMENT:
            out.append(kind)  # whether it leaves something outstanding picks the target
        elif kind is EventKind.PAYMENT_REVERSED:
            if paid:
                out.append(kind)
        elif any(_holds(m.guard, Event(kind, paid=paid, pending=pending)) for m in moves):
            out.append(kind)
    return tuple(out)


def accepts_money(current: Status | str) -> bool:
    """Whether a claim in ``current`` takes loss items, payments and reversals."""
    try:
        return Status(current) in MONEY_STATUSES
    except ValueError:
        return False


# -- denial ----------------------------------------------------------------------------

EXCLUSION_PREFIX = "excluded:"
"""``excluded:<code>``: a denial on an exclusion of the product file (its wording is
printed on the letter)."""

DENIAL_REASONS: dict[str, tuple[str, str]] = {
    "excluded": ("約款の免責事由に該当するため", "an exclusion of the policy wording applies"),
    "outside_period": (
        "事故が保険期間外に発生したため",
        "the accident was outside the policy period",
    ),
    "before_retroactive_date": (
        "遡及日より前の行為に起因するため",
        "it arises from an act before the retroactive date",
    ),
    "not_covered": (
        "補償の対象となる損害ではないため",
        "the loss is not one the policy covers",
    ),
    "premium_unpaid": ("保険料が払い込まれていないため", "the premium was not paid"),
    "no_loss": ("損害の発生が確認できないため", "no loss could be established"),
    "fraudulent_claim": ("重大事由（不正な請求）に該当するため", "the claim is fraudulent"),
    "other": ("その他の理由", "another reason"),
}
"""The reason codes of a denial (ours, to confirm against the 約款), with their heading
in both languages; the handler writes the reason itself and the clause it rests on."""


def denial_problems(
    reason_code: str,
    clause: str,
    reason_ja: str,
    reason_en: str,
    *,
    exclusions: Iterable[str],
) -> list[Problem]:
    """What is wrong with a denial's grounds: a known reason code (or ``excluded:`` and
    an exclusion of the product), the clause it rests on, the reason in Japanese and in
    English."""
    problems = []
    known = set(exclusions)
    code_ok = reason_code in DENIAL_REASONS or (
        reason_code.startswith(EXCLUSION_PREFIX)
        and reason_code.removeprefix(EXCLUSION_PREFIX) in known
    )
    if not code_ok:
        choices = sorted(DENIAL_REASONS) + sorted(f"{EXCLUSION_PREFIX}{c}" for c in known)
        problems.append(
            Problem(
                "reason_code",
                "unknown_reason_code",
                f"不明な理由コードです（{', '.join(choices)}）",
                f"must be one of {', '.join(choices)}",
            )
        )
    for field, value, ja, en in (
        ("clause", clause, "根拠となる約款の条項を入力してください", "name the clause"),
        ("reason_ja", reason_ja, "理由（日本語）を入力してください", "give the reason in Japanese"),
        ("reason_en", reason_en, "理由（英語）を入力してください", "give the reason in English"),
    ):
        if not value.strip():
            problems.append(Problem(field, "required", ja, en))
    return problems
