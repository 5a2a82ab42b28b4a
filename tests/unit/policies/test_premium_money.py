"""Premium money (issue #17, rule 8): what a cancellation cancels, refunds and bills; the
earned premium of a cancelled policy; commission on premium collected; the receipt's value
date; a receipt dated before a reported accident. Every figure worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from cybercover.policies.premium import (
    InvoiceMoney,
    accidents_a_receipt_would_cover,
    cancellation_money,
    commission_on,
    earned_when_cancelled,
    share_of,
    value_date_problem,
)
from cybercover.product import Product
from cybercover.timeutil import JST

START = datetime(2026, 4, 1, tzinfo=JST)
END = datetime(2027, 4, 1, tzinfo=JST)  # 365 days


def monthly(received: int) -> list[InvoiceMoney]:
    """12 × ¥10,000, the first ``received`` of them paid."""
    return [InvoiceMoney(n, 10_000, 10_000 if n <= received else 0) for n in range(1, 13)]


def test_monthly_plan_cancelled_by_the_insured_bills_the_short_rate_shortfall(
    product: Product,
) -> None:
    # annual ¥120,000 monthly, 2 instalments received (¥20,000); the insured cancels on
    # day 40: short rate keeps 35 % (32–62 days) → earned 120,000 × 35 % = ¥42,000.
    # Received 20,000 < 42,000: the 10 unpaid instalments (¥100,000) are cancelled, not
    # refunded, and the shortfall 42,000 − 20,000 = ¥22,000 is billed.
    money = cancellation_money(
        product.policy,
        written=120_000,
        invoices=monthly(2),
        elapsed_days=40,
        period_days=365,
        method="short_rate",
    )
    assert money.earned == 42_000
    assert money.return_premium == 78_000  # 120,000 − 42,000 written given up
    assert money.received == 20_000
    assert money.cancelled == tuple(range(3, 13))
    assert money.cancelled_unpaid == 100_000
    assert (money.refund, money.shortfall) == (0, 22_000)
    # what stays billed is what is earned: 2 × 10,000 received + 22,000 billed = 42,000
    assert money.received + money.shortfall - money.refund == money.earned


def test_monthly_plan_cancelled_by_the_insurer_refunds_only_what_was_received(
    product: Product,
) -> None:
    # the insurer cancels on day 40: pro rata returns 120,000 × 325 / 365 = 106,849.31…
    # → ¥106,849 of the written premium, so ¥13,151 is earned. Received 20,000: only
    # 20,000 − 13,151 = ¥6,849 goes back; the 10 unpaid instalments are cancelled.
    money = cancellation_money(
        product.policy,
        written=120_000,
        invoices=monthly(2),
        elapsed_days=40,
        period_days=365,
        method="pro_rata",
    )
    assert (money.earned, money.return_premium) == (13_151, 106_849)
    assert (money.refund, money.shortfall) == (6_849, 0)
    assert len(money.cancelled) == 10


def test_lump_sum_received_is_refunded_pro_rata(product: Product) -> None:
    # ¥120,000 paid at once; the insurer cancels on day 40: earned 13,151 (as above),
    # refund 120,000 − 13,151 = ¥106,849; nothing is open, nothing cancelled
    money = cancellation_money(
        product.policy,
        written=120_000,
        invoices=[InvoiceMoney(1, 120_000, 120_000)],
        elapsed_days=40,
        period_days=365,
        method="pro_rata",
    )
    assert (money.refund, money.shortfall, money.cancelled) == (106_849, 0, ())


def test_lump_sum_never_received_cancels_the_invoice_and_bills_what_was_earned(
    product: Product,
) -> None:
    # unpaid ¥120,000; the insured cancels on day 10: short rate keeps 15 % (8–15 days)
    # → earned 18,000, nothing received: the invoice is cancelled, ¥18,000 billed
    money = cancellation_money(
        product.policy,
        written=120_000,
        invoices=[InvoiceMoney(1, 120_000)],
        elapsed_days=10,
        period_days=365,
        method="short_rate",
    )
    assert (money.earned, money.refund, money.shortfall) == (18_000, 0, 18_000)
    assert (money.cancelled, money.cancelled_unpaid) == ((1,), 120_000)


def test_a_part_paid_instalment_and_an_unpaid_endorsement_refund_are_both_settled(
    product: Product,
) -> None:
    # written 120,000 − 5,000 (an endorsement's return premium, not yet paid out) =
    # 115,000; lump sum 120,000 of which 60,000 received. The insured cancels on day 100:
    # short rate keeps 55 % (93–123 days) → earned 115,000 × 55 % = 63,250.
    # Received 60,000: both open invoices are cancelled (unpaid 60,000 − 5,000 = 55,000)
    # and 63,250 − 60,000 = ¥3,250 billed.
    money = cancellation_money(
        product.policy,
        written=115_000,
        invoices=[InvoiceMoney(1, 120_000, 60_000), InvoiceMoney(2, -5_000)],
        elapsed_days=100,
        period_days=365,
        method="short_rate",
    )
    assert money.earned == 63_250
    assert (money.cancelled, money.cancelled_unpaid) == ((1, 2), 55_000)
    assert (money.refund, money.shortfall) == (0, 3_250)


def test_cancelled_invoices_and_refunds_paid_count_as_they_stand(product: Product) -> None:
    # an earlier cancelled instalment with ¥4,000 received on it still counts; a refund
    # of ¥2,000 already paid out is money no longer held: held 30,000 + 4,000 − 2,000 =
    # 32,000. Insurer, day 73 of 365 (a fifth): earned 50,000 × 73 / 365 = 10,000.
    # Refund 32,000 − 10,000 = ¥22,000; only the open ¥20,000 instalment is cancelled.
    money = cancellation_money(
        product.policy,
        written=50_000,
        invoices=[
            InvoiceMoney(1, 30_000, 30_000),
            InvoiceMoney(2, 10_000, 4_000, cancelled=True),
            InvoiceMoney(3, -2_000, -2_000),
            InvoiceMoney(4, 20_000),
        ],
        elapsed_days=73,
        period_days=365,
        method="pro_rata",
    )
    assert (money.earned, money.received) == (10_000, 32_000)
    assert (money.refund, money.shortfall, money.cancelled) == (22_000, 0, (4,))
    assert money.as_changes()["cancelled_invoices"] == [4]


def test_a_cancelled_policy_earns_what_the_cancellation_kept() -> None:
    # kept ¥42,000 (short rate, cancelled on day 40 = 11 May 2026): earned by day over the
    # 40 days it ran, then all of it from the cancellation on
    ended = START + timedelta(days=40)
    assert earned_when_cancelled(42_000, START, ended, START + timedelta(days=10)) == 10_500
    assert earned_when_cancelled(42_000, START, ended, ended) == 42_000
    assert earned_when_cancelled(42_000, START, ended, END) == 42_000  # never 0
    assert earned_when_cancelled(42_000, START, ended, START - timedelta(days=1)) == 0
    # cancelled from the first day: the short rate's 10 % is earned at once
    assert earned_when_cancelled(12_000, START, START, START) == 12_000


def test_commission_on_collected_and_return_commission_on_refunds() -> None:
    # 20 % commission (2,000 bp) on a 50 % share (5,000 bp) of ¥53,200 received:
    # 53,200 × 0.2 × 0.5 = ¥5,320; the share collected 53,200 × 0.5 = ¥26,600
    assert commission_on(53_200, 2_000, 5_000) == 5_320
    assert share_of(53_200, 5_000) == 26_600
    # ¥10,001 × 0.1 = 1,000.1 → 1,000; a refund of the same takes back exactly 1,000
    assert commission_on(10_001, 2_000, 5_000) == 1_000
    assert commission_on(-10_001, 2_000, 5_000) == -1_000
    # 10,001 × 0.5 = 5,000.5 → 5,000 each way
    assert (share_of(10_001, 5_000), share_of(-10_001, 5_000)) == (5_000, -5_000)


NOW = datetime(2026, 5, 20, 15, 0, tzinfo=JST)
ISSUED = datetime(2026, 3, 2, 10, 0, tzinfo=JST)


def test_a_value_date_is_never_in_the_future_nor_before_the_invoice() -> None:
    ok = value_date_problem
    assert ok(NOW, issued_at=ISSUED, now=NOW) is None
    assert ok(NOW + timedelta(seconds=1), issued_at=ISSUED, now=NOW) == "not_in_future"
    # the day of issue counts from its first moment (a bank's value date is a day)
    assert ok(datetime(2026, 3, 2, tzinfo=JST), issued_at=ISSUED, now=NOW) is None
    assert (
        ok(datetime(2026, 3, 1, 23, 59, tzinfo=JST), issued_at=ISSUED, now=NOW)
        == "before_invoice_issued"
    )


def test_a_receipt_dated_before_a_reported_accident_is_caught(product: Product) -> None:
    rules = product.policy
    due = date(2026, 4, 1)  # invoice plan: due on the start date
    accident = datetime(2026, 4, 20, 9, 0, tzinfo=JST)  # after the due date, unpaid then

    def would(value_at: datetime, received_at: datetime | None = None) -> list[datetime]:
        return accidents_a_receipt_would_cover(
            [accident, datetime(2026, 3, 31, 12, tzinfo=JST)],
            first_due=due,
            received_at=received_at,
            value_at=value_at,
            grace_days=rules.grace_period_days,
            cover_before_premium_received=rules.cover_before_premium_received,
            now=NOW,
        )

    # dated 15 April (before the accident of the 20th): it would make it covered
    assert would(datetime(2026, 4, 15, tzinfo=JST)) == [accident]
    # dated the day of the accident, 00:00: still before it
    assert would(datetime(2026, 4, 20, tzinfo=JST)) == [accident]
    # dated after the accident: the accident stays uncovered, nothing to confirm
    assert would(datetime(2026, 4, 21, tzinfo=JST)) == []


def test_an_accident_before_the_due_date_is_not_turned_by_a_receipt(product: Product) -> None:
    # direct debit: due 28 April; an accident on 10 April is covered, held for the
    # premium; a receipt dated 5 April changes nothing that was refused
    accident = datetime(2026, 4, 10, 9, 0, tzinfo=JST)
    found = accidents_a_receipt_would_cover(
        [accident],
        first_due=date(2026, 4, 28),
        received_at=None,
        value_at=datetime(2026, 4, 5, tzinfo=JST),
        grace_days=30,
        cover_before_premium_received=False,
        now=datetime(2026, 4, 20, tzinfo=JST),
    )
    assert found == []
    # a product covering accidents before the premium is received: never
    assert (
        accidents_a_receipt_would_cover(
            [datetime(2026, 4, 20, tzinfo=JST)],
            first_due=date(2026, 4, 1),
            received_at=None,
            value_at=datetime(2026, 4, 5, tzinfo=JST),
            grace_days=30,
            cover_before_premium_received=True,
            now=NOW,
        )
        == []
    )


@pytest.mark.parametrize("method", ["short_rate", "pro_rata"])
def test_what_stays_billed_is_what_is_earned(product: Product, method: str) -> None:
    # for every day and any number of instalments received, received − refund +
    # shortfall = earned (the insurer ends up holding exactly the premium earned)
    for day in range(0, 365, 17):
        for paid in range(0, 13, 3):
            money = cancellation_money(
                product.policy,
                written=120_005,
                invoices=[
                    InvoiceMoney(n, a, a if n <= paid else 0)
                    for n, a in enumerate([10_005] + [10_000] * 11, start=1)
                ],
                elapsed_days=day,
                period_days=365,
                method=method,
            )
            assert money.received - money.refund + money.shortfall == money.earned
            assert money.refund == 0 or money.shortfall == 0
