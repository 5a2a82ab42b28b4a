"""JSIC Rev.14: the packaged table, lookups, and the (division, major group) pair."""

from __future__ import annotations

import pytest

from cybercover.companies import (
    Division,
    IndustryGroup,
    division,
    divisions,
    group,
    groups,
    industry,
)


def test_the_table_has_twenty_divisions_and_ninety_nine_major_groups() -> None:
    assert [d.code for d in divisions()] == list("ABCDEFGHIJKLMNOPQRST")
    assert [g.code for g in groups()] == [f"{n:02d}" for n in range(1, 100)]


def test_every_division_has_at_least_one_group_and_groups_run_in_division_order() -> None:
    order = [g.division.code for g in groups()]
    assert order == sorted(order)
    assert set(order) == {d.code for d in divisions()}


def test_every_entry_has_a_japanese_and_an_english_name() -> None:
    entries: list[Division | IndustryGroup] = [*divisions(), *groups()]
    for entry in entries:
        assert entry.ja.strip() and entry.en.strip()


def test_a_major_group_knows_its_division() -> None:
    software = group("39")
    assert (software.ja, software.en) == ("情報サービス業", "INFORMATION SERVICES")
    assert (software.division.code, software.division.ja) == ("G", "情報通信業")
    assert group("67").division.code == "J"  # insurance is finance
    assert group("99").division.code == "T"


@pytest.mark.parametrize("code", ["05", "5", 5, "０５"])
def test_a_major_group_code_may_be_given_as_int_unpadded_or_full_width(code: str | int) -> None:
    assert group(code).ja == "鉱業、採石業、砂利採取業"


@pytest.mark.parametrize("code", ["00", "100", "3a", "", "G"])
def test_an_unknown_major_group_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match=r"中分類.* / must be a JSIC major group"):
        group(code)


def test_a_division_letter_may_be_lower_case_or_full_width() -> None:
    assert division("g").ja == "情報通信業"
    assert division("Ｇ").code == "G"
    with pytest.raises(ValueError, match="大分類"):
        division("U")


def test_an_industry_is_the_group_with_its_division_derived_or_checked() -> None:
    assert industry("39").division.code == "G"
    assert industry("39", "G").group.code == "39"
    with pytest.raises(ValueError, match="中分類 39（情報サービス業）は大分類 G"):
        industry("39", "E")
