"""The initial interview: the packaged questions load, answers are typed and named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cybercover.errors import InputError
from cybercover.incidents import hearing, validate_answers
from cybercover.timeutil import JST


def problems(answers: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as err:
        validate_answers(answers)
    return [(p.path, p.rule) for p in err.value.problems]


def test_the_packaged_hearing_asks_every_question_of_the_brief() -> None:
    codes = set(hearing().codes)
    for code in (
        "what_happened",
        "aware_at",
        "began_at",
        "systems_affected",
        "still_ongoing",
        "outage_started_at",
        "outage_ended_at",
        "personal_data_count",
        "sensitive_data",
        "financial_data",
        "my_number",
        "eu_residents",
        "improper_purpose",
        "eu_entity",
        "ransom_demand",
        "police_contacted",
        "authorities_contacted",
        "evidence_preserved",
        "event_kind",
    ):
        assert code in codes


def test_every_question_has_japanese_and_english_text_and_help() -> None:
    for q in hearing().questions:
        assert q.text.ja and q.text.en and q.help.ja and q.help.en


def test_valid_answers_are_normalised_and_datetimes_shown_in_tokyo() -> None:
    values, found = validate_answers(
        {
            "aware_at": "2026-07-10T14:30:00+00:00",
            "personal_data_count": 1200,
            "event_kind": " ransomware ",
            "still_ongoing": True,
            "what_happened": "  ",
            "began_at": None,
        }
    )
    assert values["aware_at"] == datetime(2026, 7, 10, 23, 30, tzinfo=JST)
    assert values["aware_at"].tzinfo == JST  # type: ignore[union-attr]
    assert values["event_kind"] == "ransomware"
    assert "what_happened" not in values and "began_at" not in values
    assert found == []


def test_missing_answers_are_allowed_so_a_hearing_can_be_resumed() -> None:
    assert validate_answers({}) == ({}, [])


def test_a_datetime_without_an_offset_is_refused_naming_the_field() -> None:
    assert problems({"aware_at": "2026-07-10T23:30:00"}) == [("hearing.aware_at", "timezone_aware")]
    assert problems({"began_at": datetime(2026, 7, 10)}) == [("hearing.began_at", "timezone_aware")]


def test_wrong_types_are_all_reported_at_once_each_naming_its_field() -> None:
    assert problems(
        {
            "personal_data_count": True,
            "sensitive_data": "yes",
            "event_kind": "earthquake",
            "what_happened": 3,
            "outage_started_at": "yesterday",
            "colour": "red",
        }
    ) == [
        ("hearing.personal_data_count", "int_type"),
        ("hearing.sensitive_data", "bool_type"),
        ("hearing.event_kind", "literal_error"),
        ("hearing.what_happened", "string_type"),
        ("hearing.outage_started_at", "datetime_parsing"),
        ("hearing.colour", "extra_forbidden"),
    ]


def test_a_negative_count_of_people_is_refused() -> None:
    assert problems({"personal_data_count": -1}) == [
        ("hearing.personal_data_count", "greater_than_equal")
    ]


def test_contradicting_answers_are_returned_as_problems_not_raised() -> None:
    _, found = validate_answers(
        {
            "outage_started_at": datetime(2026, 7, 10, 12, tzinfo=UTC),
            "outage_ended_at": datetime(2026, 7, 10, 11, tzinfo=UTC),
            "began_at": "2026-07-11T00:00:00+09:00",
            "aware_at": "2026-07-10T23:00:00+09:00",
        }
    )
    assert [(p.path, p.rule) for p in found] == [
        ("hearing.outage_ended_at", "time_order"),
        ("hearing.aware_at", "time_order"),
    ]
