"""The claim lifecycle (claims/lifecycle.py): every status × every event × every fact the
event depends on, written out by hand — what each allowed transition leads to, and the
rule that refuses every other one."""

from __future__ import annotations

import pytest

from cybercover.claims.lifecycle import (
    DENIAL_REASONS,
    TRANSITIONS,
    Event,
    EventKind,
    Status,
    TransitionRefused,
    Trigger,
    accepts_money,
    allowed_events,
    denial_problems,
    transition,
)
from cybercover.errors import ConflictError

OP, PP, P, C, D, R = (
    Status.OPEN,
    Status.PARTLY_PAID,
    Status.PAID,
    Status.CLOSED,
    Status.DENIED,
    Status.REOPENED,
)


def pay(outstanding: bool) -> Event:
    return Event.payment(outstanding=outstanding)


def back(paid: bool) -> Event:
    return Event.payment_reversed(paid=paid)


def close(pending: bool) -> Event:
    return Event.close(pending=pending)


def deny(paid: bool, pending: bool) -> Event:
    return Event.deny(paid=paid, pending=pending)


# (status, event) → the next status, or the rule that refuses it. Every event of every
# status, with each combination of the facts it depends on.
EXPECTED: list[tuple[Status, Event, Status | str]] = []
for s in (OP, PP, P, R):  # the statuses that take money: the same payment moves
    EXPECTED += [(s, pay(True), PP), (s, pay(False), P)]
EXPECTED += [
    # open: nothing is paid yet, so nothing to reverse
    (OP, back(True), "nothing_paid"),
    (OP, back(False), "nothing_paid"),
    (OP, close(False), C),
    (OP, close(True), "payment_pending"),
    (OP, deny(False, False), D),
    (OP, deny(True, False), "deny_after_payment"),
    (OP, deny(False, True), "payment_pending"),
    (OP, deny(True, True), "payment_pending"),
    (OP, Event.reopen(), "reopen_needs_closed_or_denied"),
    # partly paid
    (PP, back(True), PP),
    (PP, back(False), OP),
    (PP, close(False), C),
    (PP, close(True), "payment_pending"),
    (PP, deny(False, False), "deny_after_payment"),  # the status says money was paid
    (PP, deny(True, False), "deny_after_payment"),
    (PP, deny(False, True), "payment_pending"),
    (PP, deny(True, True), "payment_pending"),
    (PP, Event.reopen(), "reopen_needs_closed_or_denied"),
    # paid
    (P, back(True), PP),
    (P, back(False), OP),
    (P, close(False), C),
    (P, close(True), "payment_pending"),
    (P, deny(False, False), "deny_after_payment"),
    (P, deny(True, False), "deny_after_payment"),
    (P, deny(False, True), "payment_pending"),
    (P, deny(True, True), "payment_pending"),
    (P, Event.reopen(), "reopen_needs_closed_or_denied"),
    # reopened: as open, and its earlier payments may be reversed
    (R, back(True), PP),
    (R, back(False), OP),
    (R, close(False), C),
    (R, close(True), "payment_pending"),
    (R, deny(False, False), D),
    (R, deny(True, False), "deny_after_payment"),
    (R, deny(False, True), "payment_pending"),
    (R, deny(True, True), "payment_pending"),
    (R, Event.reopen(), "reopen_needs_closed_or_denied"),
]
for s, rule in ((C, "claim_closed"), (D, "claim_denied")):  # final until reopened
    EXPECTED += [
        (s, pay(True), rule),
        (s, pay(False), rule),
        (s, back(True), rule),
        (s, back(False), rule),
        (s, close(False), rule),
        (s, close(True), rule),
        (s, deny(False, False), rule),
        (s, deny(True, False), rule),
        (s, deny(False, True), rule),
        (s, deny(True, True), rule),
        (s, Event.reopen(), R),
    ]


def _label(case: tuple[Status, Event, Status | str]) -> str:
    s, e, _ = case
    facts = [k for k in ("outstanding", "paid", "pending") if getattr(e, k)]
    return f"{s.value}-{e.kind.value}" + (f"[{','.join(facts)}]" if facts else "")


def test_the_table_covers_every_status_event_and_fact() -> None:
    # 6 statuses × (2 payment + 2 reversal + 2 close + 4 deny + 1 reopen) = 6 × 11 = 66
    assert len(EXPECTED) == 66
    assert len({_label(c) for c in EXPECTED}) == 66


@pytest.mark.parametrize("case", [c for c in EXPECTED if isinstance(c[2], Status)], ids=_label)
def test_an_allowed_transition_leads_to_its_status(case: tuple[Status, Event, Status]) -> None:
    current, event, after = case
    assert transition(current, event) is after
    assert transition(current.value, event) is after  # as stored: a plain string


@pytest.mark.parametrize("case", [c for c in EXPECTED if not isinstance(c[2], Status)], ids=_label)
def test_a_refused_transition_names_its_rule(case: tuple[Status, Event, str]) -> None:
    current, event, rule = case
    with pytest.raises(TransitionRefused) as refused:
        transition(current, event)
    assert refused.value.rule == rule
    assert refused.value.status == current.value and refused.value.event is event.kind
    assert isinstance(refused.value, ConflictError)  # a 409 at the API
    assert refused.value.ja and refused.value.en


def test_every_row_of_the_table_is_one_of_the_expected_transitions() -> None:
    allowed = {(s, e.kind) for s, e, after in EXPECTED if isinstance(after, Status)}
    assert {(m.source, m.event) for m in TRANSITIONS} == allowed
    # payments and reversals follow the money; close, deny, reopen are a handler's
    for move in TRANSITIONS:
        money = move.event in (EventKind.PAYMENT, EventKind.PAYMENT_REVERSED)
        assert move.trigger is (Trigger.PAYMENT if money else Trigger.HANDLER)


def test_a_bare_event_kind_means_every_fact_false() -> None:
    assert transition("open", "deny") is D
    assert transition("open", EventKind.PAYMENT) is P  # nothing outstanding after it
    assert transition("closed", "reopen") is R
    with pytest.raises(TransitionRefused, match="unknown_status"):
        transition("archived", "close")
    with pytest.raises(ValueError):
        transition("open", "archive")


def test_the_pages_are_offered_exactly_the_handlers_allowed_events() -> None:
    h = Trigger.HANDLER
    close_, deny_, reopen = EventKind.CLOSE, EventKind.DENY, EventKind.REOPEN
    assert allowed_events("open", trigger=h) == (close_, deny_)
    assert allowed_events("open", trigger=h, pending=True) == ()
    assert allowed_events("partly_paid", trigger=h) == (close_,)
    assert allowed_events("paid", trigger=h) == (close_,)
    assert allowed_events("paid", trigger=h, pending=True) == ()
    assert allowed_events("closed", trigger=h) == (reopen,)
    assert allowed_events("denied", trigger=h) == (reopen,)
    assert allowed_events("reopened", trigger=h) == (close_, deny_)
    assert allowed_events("reopened", trigger=h, paid=True) == (close_,)
    # every trigger: payments where money moves, reversals where money is paid
    pay_, back_ = EventKind.PAYMENT, EventKind.PAYMENT_REVERSED
    assert allowed_events("open") == (pay_, close_, deny_)
    assert allowed_events("paid", paid=True) == (pay_, back_, close_)
    assert allowed_events("closed", paid=True) == (reopen,)
    assert allowed_events("partly_paid", trigger=Trigger.PAYMENT, paid=True) == (pay_, back_)
    # what allowed_events offers, transition accepts, and nothing else
    for status in Status:
        for paid in (False, True):
            for pending in (False, True):
                offered = allowed_events(status, trigger=h, paid=paid, pending=pending)
                for kind in (close_, deny_, reopen):
                    event = Event(kind, paid=paid, pending=pending)
                    try:
                        transition(status, event)
                        accepted = True
                    except TransitionRefused:
                        accepted = False
                    assert accepted is (kind in offered), (status, kind, paid, pending)


def test_a_denied_or_closed_claim_takes_no_money() -> None:
    assert [s.value for s in Status if accepts_money(s)] == [
        "open",
        "partly_paid",
        "paid",
        "reopened",
    ]
    assert not accepts_money("denied") and not accepts_money("closed")
    assert not accepts_money("archived")


def test_a_denial_needs_a_known_reason_code_the_clause_and_both_reasons() -> None:
    ok = denial_problems(
        "excluded:intentional",
        "第4条第1項第1号",
        "故意による事故のため",
        "intentional act",
        exclusions=["intentional", "criminal"],
    )
    assert ok == []
    assert denial_problems("outside_period", "第1条", "期間外", "outside", exclusions=[]) == []
    problems = denial_problems("excluded:ransom", " ", "", "x", exclusions=["intentional"])
    assert [(p.path, p.rule) for p in problems] == [
        ("reason_code", "unknown_reason_code"),
        ("clause", "required"),
        ("reason_ja", "required"),
    ]
    assert "excluded:intentional" in problems[0].ja
    assert set(DENIAL_REASONS) >= {"excluded", "outside_period", "not_covered", "other"}
