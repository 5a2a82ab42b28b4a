"""Triage and first advice on the examples of PRODUCT.md §2."""

from __future__ import annotations

from datetime import datetime

from cybercover.incidents import FAMILIES, advice, playbook, triage, validate_answers
from cybercover.incidents.triage import Triage
from cybercover.timeutil import JST


def run(**answers: object) -> Triage:
    values, _ = validate_answers(answers)
    return triage(values)


def test_card_data_of_tens_of_thousands_stolen_by_unauthorised_access_is_a_critical_leak() -> None:
    result = run(
        event_kind="unauthorised_access",
        personal_data_count=30_000,
        financial_data=True,
        improper_purpose=True,
    )
    assert result.family == "leak"
    assert result.families == ("leak",)
    assert result.severity == "critical"


def test_my_number_data_that_may_have_leaked_is_a_high_severity_leak() -> None:
    result = run(event_kind="unauthorised_access", my_number=True, improper_purpose=True)
    assert (result.family, result.severity) == ("leak", "high")


def test_an_infected_pc_erasing_a_partners_server_is_data_loss() -> None:
    result = run(event_kind="malware", data_destroyed=True)
    assert result.families == ("data_loss",)
    assert result.severity == "medium"


def test_an_inventory_system_defect_stopping_partners_is_network_unavailable() -> None:
    result = run(
        event_kind="system_failure",
        outage_started_at="2026-07-10T09:00:00+09:00",
        outage_ended_at="2026-07-10T10:00:00+09:00",
    )
    assert (result.family, result.severity) == ("network_unavailable", "medium")


def test_a_server_down_for_a_day_after_an_attack_is_critical() -> None:
    result = run(
        event_kind="ddos",
        outage_started_at="2026-07-10T09:00:00+09:00",
        outage_ended_at="2026-07-11T09:00:00+09:00",
    )
    assert (result.family, result.severity) == ("network_unavailable", "critical")


def test_an_outage_still_going_on_counts_its_hours_up_to_now() -> None:
    values, _ = validate_answers(
        {"event_kind": "ddos", "outage_started_at": "2026-07-10T09:00:00+09:00"}
    )
    assert triage(values).severity == "medium"
    assert triage(values, now=datetime(2026, 7, 10, 12, tzinfo=JST)).severity == "high"


def test_a_privacy_or_copyright_claim_is_rights_infringement() -> None:
    result = run(
        event_kind="rights_claim", what_happened="会員掲示板の投稿でプライバシー侵害の訴え"
    )
    assert result.family == "rights_infringement"


def test_ransomware_with_an_outage_lists_every_family_and_picks_by_precedence() -> None:
    result = run(
        event_kind="ransomware",
        outage_started_at="2026-07-10T09:00:00+09:00",
        personal_data_count=10,
        ransom_demand=True,
    )
    assert result.families == ("leak", "network_unavailable", "data_loss")
    assert result.family == "leak"
    assert result.severity == "critical"
    assert "severity_ransom" in [r.code for r in result.reasons]


def test_an_intrusion_with_nothing_else_known_is_a_low_suspected_leak() -> None:
    result = run(event_kind="unauthorised_access")
    assert (result.family, result.severity) == ("leak", "low")
    assert result.reasons[0].code == "family_leak_default"


def test_still_going_on_makes_it_high() -> None:
    assert run(event_kind="malware", still_ongoing=True).severity == "high"


def test_every_family_has_advice_and_every_item_is_sourced_or_marked_ours() -> None:
    for family in FAMILIES:
        assert any(family in item.families for item in playbook().items)
    for item in playbook().items:
        assert (item.source is not None) != item.ours
        assert item.text.ja and item.text.en


def test_ransomware_advice_says_isolate_keep_powered_preserve_and_do_not_pay() -> None:
    codes = [a.code for a in advice(run(event_kind="ransomware", ransom_demand=True))]
    assert codes[:4] == [
        "isolate_keep_powered",
        "preserve_logs",
        "no_wipe_or_reinstall",
        "no_contact_attacker",
    ]
    assert "tell_police" in codes
    assert "prepare_appi_report" not in codes


def test_advice_lists_the_primary_family_first_and_each_item_once() -> None:
    items = advice(
        run(
            event_kind="ransomware",
            personal_data_count=5,
            outage_started_at="2026-07-10T09:00:00+09:00",
        )
    )
    codes = [a.code for a in items]
    assert len(codes) == len(set(codes))
    assert items[0].family == "leak"
    assert "prepare_appi_report" in codes and "record_outage_times" in codes
    assert next(a for a in items if a.code == "record_outage_times").ours


def test_a_rights_claim_gets_only_rights_advice() -> None:
    codes = [a.code for a in advice(run(event_kind="rights_claim"))]
    assert codes == ["preserve_logs", "keep_the_claim", "preserve_content"]
