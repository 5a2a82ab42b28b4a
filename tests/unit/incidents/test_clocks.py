"""Regulatory clocks: hand-computed due times, triggers on and off, recompute history.

Day counting (docs/incident-desk.md): the awareness day is not counted; day N ends at
24:00 JST, held as the half-open bound 00:00 JST of day N + 1.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cybercover.errors import InputError
from cybercover.incidents import Deadline, deadline_status, deadlines, recompute, regulatory_rules
from cybercover.incidents.common import Answer
from cybercover.timeutil import JST

AWARE = datetime(2026, 7, 10, 23, 30, tzinfo=JST)
APPI = {"personal_data_count": 1500}


def by_rule(answers: dict[str, Answer], aware: datetime = AWARE) -> dict[str, Deadline]:
    return {d.rule: d for d in deadlines(answers, aware)}


def test_appi_preliminary_is_targeted_at_day_3_and_due_at_the_end_of_day_5() -> None:
    d = by_rule(APPI)["appi_preliminary"]
    # Aware 10 July 23:30 JST: 11 July is day 1, 13 July day 3, 15 July day 5.
    assert d.target_at == datetime(2026, 7, 14, 0, 0, tzinfo=JST)
    assert d.due_at == datetime(2026, 7, 16, 0, 0, tzinfo=JST)
    assert d.confirmed


def test_the_day_is_the_tokyo_day_even_when_awareness_is_given_in_utc() -> None:
    # 2026-07-10 15:30 UTC is 11 July 00:30 JST: day 1 is 12 July.
    d = by_rule(APPI, datetime(2026, 7, 10, 15, 30, tzinfo=UTC))["appi_preliminary"]
    assert d.due_at == datetime(2026, 7, 17, 0, 0, tzinfo=JST)


def test_appi_final_is_30_days_and_60_with_an_improper_purpose() -> None:
    assert by_rule(APPI)["appi_final"].due_at == datetime(2026, 8, 10, tzinfo=JST)
    improper = by_rule({**APPI, "improper_purpose": True})["appi_final"]
    assert improper.due_at == datetime(2026, 9, 9, tzinfo=JST)
    assert "60" in improper.basis.ja and "improper purpose" in improper.basis.en


def test_days_run_across_month_ends_and_february() -> None:
    d = by_rule(APPI, datetime(2027, 1, 31, 10, 0, tzinfo=JST))
    assert d["appi_preliminary"].due_at == datetime(2027, 2, 6, tzinfo=JST)
    assert d["appi_final"].due_at == datetime(2027, 3, 3, tzinfo=JST)  # day 30 is 2 March


def test_gdpr_is_72_hours_from_the_exact_awareness_instant() -> None:
    d = by_rule({"eu_residents": True})["gdpr_authority"]
    assert d.due_at == AWARE + timedelta(hours=72)
    assert d.due_at == datetime(2026, 7, 13, 23, 30, tzinfo=JST)
    assert d.target_at is None


def test_nis2_warns_at_24_hours_notifies_at_72_and_reports_in_a_month() -> None:
    d = by_rule({"eu_entity": True})
    assert d["nis2_early_warning"].due_at == datetime(2026, 7, 11, 23, 30, tzinfo=JST)
    assert d["nis2_notification"].due_at == datetime(2026, 7, 13, 23, 30, tzinfo=JST)
    assert d["nis2_final"].due_at == datetime(2026, 8, 10, 23, 30, tzinfo=JST)
    assert not d["nis2_final"].confirmed


def test_a_month_from_31_january_ends_on_the_last_day_of_february() -> None:
    d = by_rule({"eu_entity": True}, datetime(2027, 1, 31, 10, 0, tzinfo=JST))
    assert d["nis2_final"].due_at == datetime(2027, 2, 28, 10, 0, tzinfo=JST)
    d = by_rule({"eu_entity": True}, datetime(2028, 1, 31, 10, 0, tzinfo=JST))
    assert d["nis2_final"].due_at == datetime(2028, 2, 29, 10, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, set()),
        ({"personal_data_count": 1000}, set()),
        ({"personal_data_count": 1001}, {"appi"}),
        ({"personal_data_count": 3, "sensitive_data": True}, {"appi"}),
        ({"sensitive_data": True}, {"appi"}),
        ({"financial_data": True}, {"appi"}),
        ({"personal_data_count": 3, "improper_purpose": True}, {"appi"}),
        ({"improper_purpose": True}, set()),  # no personal data involved
        ({"my_number": True}, {"my_number"}),
        ({"my_number": True, "improper_purpose": True}, {"appi", "my_number"}),
        ({"eu_residents": True}, {"gdpr"}),
        ({"eu_residents": False}, set()),
        ({"eu_entity": True}, {"nis2"}),
        ({"sensitive_data": False, "personal_data_count": 999}, set()),
    ],
)
def test_each_regime_is_triggered_only_by_its_conditions(
    answers: dict[str, Answer], expected: set[str]
) -> None:
    assert {d.regime for d in deadlines(answers, AWARE)} == expected


def test_gdpr_notice_to_data_subjects_needs_a_high_risk_proxy_and_is_ours() -> None:
    assert "gdpr_data_subjects" not in by_rule({"eu_residents": True})
    d = by_rule({"eu_residents": True, "sensitive_data": True})["gdpr_data_subjects"]
    assert d.ours and not d.confirmed


def test_every_rule_names_its_source_and_unconfirmed_ones_carry_a_note() -> None:
    for rule in regulatory_rules().rules:
        assert rule.source.ja and rule.source.en
        if not rule.confirmed or rule.ours:
            assert rule.note is not None


def test_a_naive_awareness_time_is_refused() -> None:
    with pytest.raises(InputError) as err:
        deadlines(APPI, datetime(2026, 7, 10, 23, 30))
    assert err.value.problems[0].path == "hearing.aware_at"


def test_the_status_counts_down_and_a_deadline_is_overdue_at_its_bound() -> None:
    d = by_rule(APPI)["appi_preliminary"]
    left, overdue = deadline_status(d, datetime(2026, 7, 15, 23, 59, 59, tzinfo=JST))
    assert (left, overdue) == (timedelta(seconds=1), False)
    left, overdue = deadline_status(d, datetime(2026, 7, 15, 15, 0, tzinfo=UTC))
    assert (left, overdue) == (timedelta(0), True)
    left, overdue = deadline_status(d, datetime(2026, 7, 16, 1, 0, tzinfo=JST))
    assert (left, overdue) == (timedelta(hours=-1), True)


def test_recompute_records_the_final_report_moving_when_improper_purpose_changes() -> None:
    old = deadlines(APPI, AWARE)
    now = datetime(2026, 7, 12, 9, 0, tzinfo=JST)
    new, changes = recompute(old, {**APPI, "improper_purpose": True}, AWARE, now)
    assert [(c.rule, c.kind, c.because) for c in changes] == [
        ("appi_final", "moved", ("improper_purpose",))
    ]
    assert changes[0].old is not None and changes[0].new is not None
    assert changes[0].new.due_at - changes[0].old.due_at == timedelta(days=30)
    assert changes[0].at == now
    assert {d.rule for d in new} == {d.rule for d in old}


def test_recompute_records_rules_appearing_and_disappearing_with_the_answer_that_did_it() -> None:
    old = deadlines({**APPI, "eu_residents": True}, AWARE)
    now = datetime(2026, 7, 14, 9, 0, tzinfo=JST)
    new, changes = recompute(old, {"personal_data_count": 1500, "eu_entity": True}, AWARE, now)
    summary = {(c.rule, c.kind, c.because) for c in changes}
    assert ("gdpr_authority", "disappeared", ("eu_residents",)) in summary
    assert ("nis2_early_warning", "appeared", ("eu_entity",)) in summary
    assert "gdpr_authority" not in {d.rule for d in new}
    gdpr = next(c for c in changes if c.rule == "gdpr_authority")
    assert gdpr.was_overdue  # its 72 hours ended 13 July 23:30


def test_recompute_with_a_later_awareness_moves_every_clock_and_says_so() -> None:
    old = deadlines(APPI, AWARE)
    later = AWARE + timedelta(days=1)
    _, changes = recompute(old, APPI, later, later)
    assert {c.rule for c in changes} == {"appi_preliminary", "appi_final", "appi_persons"}
    assert all(c.kind == "moved" and c.because == ("aware_at",) for c in changes)


def test_recompute_with_nothing_changed_records_nothing() -> None:
    old = deadlines(APPI, AWARE)
    new, changes = recompute(old, APPI, AWARE.astimezone(UTC), AWARE)
    assert changes == [] and new == old
