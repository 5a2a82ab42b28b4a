"""Cover in time (issue #17, rules 1–2): versions, spans with a lapse gap, the premium
condition by payment plan. Every date is written out."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cybercover.policies.cover import (
    FirstPremium,
    LifecycleEvent,
    PolicyHistory,
    TermsVersion,
    cover_at,
    in_force_spans,
    premium_condition,
    version_at,
)
from cybercover.timeutil import JST

START = datetime(2026, 4, 1, tzinfo=JST)
END = datetime(2027, 4, 1, tzinfo=JST)
V1 = TermsVersion(1, START, {"limits": {"liability": 100_000_000}}, 500_000)
# endorsed on day 200 (2026-10-18): ① raised to 300M
DAY200 = START + timedelta(days=200)
V2 = TermsVersion(2, DAY200, {"limits": {"liability": 300_000_000}}, 700_000)


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=JST)


def test_the_version_in_force_is_the_one_of_the_date() -> None:
    history = PolicyHistory(START, END, (V1, V2))
    assert datetime(2026, 10, 18, tzinfo=JST) == DAY200
    assert version_at(history, at(2026, 7, 9)) == V1  # day 99: the old limits
    assert version_at(history, datetime(2026, 10, 17, 23, 59, tzinfo=JST)) == V1
    assert version_at(history, DAY200) == V2  # half-open: from 00:00 of day 200
    assert version_at(history, at(2027, 3, 31)) == V2
    assert version_at(history, END) is None  # the period is half-open
    assert version_at(history, START - timedelta(seconds=1)) is None


def test_a_cancellation_ends_cover_and_its_rescission_restores_it() -> None:
    cancelled = LifecycleEvent("cancellation", datetime(2026, 9, 1, tzinfo=JST))
    history = PolicyHistory(START, END, (V1,), (cancelled,))
    assert in_force_spans(history) == [(START, datetime(2026, 9, 1, tzinfo=JST))]
    reinstated = LifecycleEvent(
        "reinstatement", datetime(2026, 9, 20, tzinfo=JST), after="cancellation"
    )
    history = PolicyHistory(START, END, (V1,), (cancelled, reinstated))
    assert in_force_spans(history) == [(START, END)]


def test_a_lapse_then_reinstatement_leaves_a_gap_not_in_force() -> None:
    lapsed = LifecycleEvent("lapse", datetime(2026, 6, 1, 3, tzinfo=JST))
    back = LifecycleEvent("reinstatement", datetime(2026, 6, 20, 10, tzinfo=JST), after="lapse")
    history = PolicyHistory(START, END, (V1,), (lapsed, back))
    assert in_force_spans(history) == [
        (START, datetime(2026, 6, 1, 3, tzinfo=JST)),
        (datetime(2026, 6, 20, 10, tzinfo=JST), END),
    ]
    paid = FirstPremium(date(2026, 4, 1), datetime(2026, 3, 30, tzinfo=JST))
    kw = {"grace_days": 30, "cover_before_premium_received": False, "now": at(2026, 7, 1)}
    gap = cover_at(history, at(2026, 6, 10), paid, **kw)  # type: ignore[arg-type]
    assert (gap.in_force, gap.covered, gap.reason) == (False, False, "lapse_gap")
    after = cover_at(history, at(2026, 6, 21), paid, **kw)  # type: ignore[arg-type]
    assert (after.covered, after.version) == (True, V1)
    before = cover_at(history, at(2026, 5, 31), paid, **kw)  # type: ignore[arg-type]
    assert before.covered


def test_outside_the_period_and_before_issue() -> None:
    paid = FirstPremium(date(2026, 4, 1), START)
    kw = {"grace_days": 30, "cover_before_premium_received": False, "now": at(2026, 7, 1)}
    history = PolicyHistory(START, END, (V1,))
    assert cover_at(history, at(2026, 3, 31), paid, **kw).reason == "not_started"  # type: ignore[arg-type]
    assert cover_at(history, END, paid, **kw).reason == "ended"  # type: ignore[arg-type]
    bound = PolicyHistory(START, END, (V1,), issued=False)
    assert cover_at(bound, at(2026, 5, 1), paid, **kw).reason == "not_issued"  # type: ignore[arg-type]


def test_premium_condition_by_plan() -> None:
    # invoice, lump sum: due on the start date 2026-04-01
    due_start = date(2026, 4, 1)
    kw = {"grace_days": 30, "cover_before_premium_received": False}
    # received 03-30, accident 04-10: covered
    assert (
        premium_condition(
            at(2026, 4, 10),
            FirstPremium(due_start, at(2026, 3, 30)),
            now=at(2026, 5, 1),
            **kw,  # type: ignore[arg-type]
        )
        == "received"
    )
    # received 04-15 (after the due date), accident 04-10: 保険料領収前の事故, refused
    assert (
        premium_condition(
            at(2026, 4, 10),
            FirstPremium(due_start, at(2026, 4, 15)),
            now=at(2026, 5, 1),
            **kw,  # type: ignore[arg-type]
        )
        == "refused"
    )
    # direct debit: first debit 2026-04-27; accident 04-10 before it fell due
    debit = date(2026, 4, 27)
    held = premium_condition(
        at(2026, 4, 10),
        FirstPremium(debit, None),
        now=at(2026, 4, 20),
        **kw,  # type: ignore[arg-type]
    )
    assert held == "held"
    # the debit arrives 04-27: the same accident is now covered
    assert (
        premium_condition(
            at(2026, 4, 10),
            FirstPremium(debit, at(2026, 4, 27)),
            now=at(2026, 4, 28),
            **kw,  # type: ignore[arg-type]
        )
        == "received"
    )
    # still unpaid on 05-27 (due 04-27 + 30 days grace = last day 05-27): held
    assert (
        premium_condition(
            at(2026, 4, 10),
            FirstPremium(debit, None),
            now=datetime(2026, 5, 27, 23, tzinfo=JST),
            **kw,  # type: ignore[arg-type]
        )
        == "held"
    )
    # from 05-28 00:00 JST it is overdue past the grace period: refused
    assert (
        premium_condition(
            at(2026, 4, 10),
            FirstPremium(debit, None),
            now=datetime(2026, 5, 28, tzinfo=JST),
            **kw,  # type: ignore[arg-type]
        )
        == "refused"
    )
    # received only on 28 May, after the grace period: too late for that accident
    assert (
        premium_condition(
            at(2026, 4, 10),
            FirstPremium(debit, datetime(2026, 5, 28, 9, tzinfo=JST)),
            now=at(2026, 6, 1),
            **kw,  # type: ignore[arg-type]
        )
        == "refused"
    )
    # a product that covers accidents before the premium is received
    assert (
        premium_condition(
            at(2026, 4, 10),
            None,
            grace_days=30,
            cover_before_premium_received=True,
            now=at(2026, 4, 11),
        )
        == "not_required"
    )
