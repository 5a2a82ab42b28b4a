"""The product file: every fact of PRODUCT.md §2–§7 as data, and clear errors when broken."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cybercover.cli import app
from cybercover.errors import ProductFileError
from cybercover.product import (
    DEFAULT_PRODUCT_FILE,
    Product,
    load_product,
    parse_product,
    products_dir,
)

PRODUCT_FILE = products_dir() / DEFAULT_PRODUCT_FILE


def raw() -> dict[str, Any]:
    return tomllib.loads(PRODUCT_FILE.read_text(encoding="utf-8"))


def test_the_four_parts_in_order_with_their_product_maxima(product: Product) -> None:
    assert [(c.code, c.number, c.max_limit, c.optional) for c in product.coverages] == [
        ("liability", 1, 2_000_000_000, False),
        ("response_costs", 2, 1_000_000_000, False),
        ("profit_loss", 3, 1_000_000_000, True),
        ("continuation_costs", 4, 1_000_000_000, True),
    ]
    assert all(c.default_deductible == 0 for c in product.coverages)
    assert product.coverage("liability").label.ja == "賠償責任を負担することによって生じる損害"
    assert product.coverage("response_costs").short.en == "Response costs"


def test_the_aggregate_and_the_shared_limit_default_to_the_liability_limit(
    product: Product,
) -> None:
    assert product.aggregate.default == "liability"
    assert product.aggregate.max_limit == 2_000_000_000
    assert product.aggregate.page_figure == 1_000_000_000
    shared = product.shared_limits["business_interruption"]
    assert shared.parts == ("profit_loss", "continuation_costs")
    assert shared.default == "liability"


def test_the_limit_rules_of_the_page(product: Product) -> None:
    assert {(r.left, r.right) for r in product.limit_rules} == {
        ("response_costs", "liability"),
        ("business_interruption", "liability"),
        ("aggregate", "liability"),  # 保険期間中…ただし①の限度額以内 (issue #17)
    }


def test_the_waiting_period_is_at_least_3_hours_and_qualifying_by_default(product: Product) -> None:
    wp = product.waiting_period
    assert (wp.min_hours, wp.default_hours, wp.default_mode) == (3, 3, "qualifying")
    assert set(wp.modes) == {"qualifying", "time_deductible"}
    assert [c.code for c in product.coverages if c.waiting_period] == [
        "profit_loss",
        "continuation_costs",
    ]


def test_exclusions_per_coverage_with_codes(product: Product) -> None:
    assert {e.code: e.applies_to for e in product.exclusions} == {
        "intentional": ("liability", "response_costs"),
        "criminal": ("liability", "response_costs"),
        "known_violation": ("liability", "response_costs"),
        "lent_equipment_offsite": ("profit_loss", "continuation_costs"),
    }


def test_event_families_services_isms_eligibility_and_period(product: Product) -> None:
    assert [f.code for f in product.event_families] == [
        "leak",
        "data_loss",
        "network_unavailable",
        "rights_infringement",
    ]
    assert [s.label.ja for s in product.emergency_support.services] == [
        "調査・応急対応",
        "緊急時広報",
        "コールセンター",
        "信頼回復",
        "GDPR対応",
        "コーディネーション",
        "ファイナンス",
    ]
    assert product.emergency_support.paid_from == "response_costs"
    # the page's words (seed 被保険者 and SOMPOサイバーインシデントサポートデスク sections)
    assert product.insured is not None and product.insured.text.ja == "貴社"
    assert product.insured.liability_note.ja == (
        "賠償責任に関するリスクについては、貴社の業務に関するかぎりにおいて、"
        "貴社の役員や従業員の方も被保険者となります。"
    )
    desk = product.emergency_support.desk
    assert desk is not None
    assert (desk.name.ja, desk.operator.ja) == (
        "SOMPOサイバーインシデントサポートデスク",
        "SOMPOリスクマネジメント",
    )
    assert "初期ヒアリングや初動アドバイス" in desk.role.ja
    assert product.isms.max_discount_percent == 60
    assert product.isms.full_discount_bodies == ("JQA", "BSI-J")
    assert product.eligibility.countries == ("JP",)
    assert product.period.years == 1
    assert product.product.approval_number == "SJ22-13328"
    assert [a.code for a in product.product.agencies] == ["lac", "sjp"]


def broken(change: Any) -> list[str]:
    data = raw()
    change(data)
    with pytest.raises(ProductFileError) as info:
        parse_product(data)
    return [p.path for p in info.value.problems]


def test_a_negative_maximum_is_refused_naming_the_field() -> None:
    assert broken(lambda d: d["coverages"][1].update(max_limit=-1)) == ["coverages[1].max_limit"]


def test_a_missing_section_is_refused() -> None:
    assert broken(lambda d: d.pop("aggregate")) == ["aggregate"]


def test_an_exclusion_for_an_unknown_coverage_is_refused() -> None:
    assert broken(lambda d: d["exclusions"][0].update(applies_to=["cyber_fines"])) == [
        "exclusions[0].applies_to"
    ]


def test_a_limit_rule_naming_an_unknown_limit_is_refused() -> None:
    assert broken(lambda d: d["limit_rules"][0].update(right="liabilty")) == [
        "limit_rules[0].right"
    ]


def test_a_default_waiting_mode_that_is_not_a_mode_is_refused() -> None:
    def change(d: dict[str, Any]) -> None:
        d["waiting_period"]["modes"].pop("qualifying")

    assert broken(change) == ["waiting_period"]


def test_an_amount_written_as_a_string_is_refused() -> None:
    assert broken(lambda d: d["coverages"][0].update(max_limit="2000000000")) == [
        "coverages[0].max_limit"
    ]


def test_duplicate_coverage_codes_are_refused() -> None:
    assert "coverages" in broken(lambda d: d["coverages"][1].update(code="liability"))


def test_the_initial_reserves_per_part(product: Product) -> None:
    assert product.claims.initial_reserve == {
        "liability": 10_000_000,
        "response_costs": 5_000_000,
        "profit_loss": 5_000_000,
        "continuation_costs": 3_000_000,
    }


def test_an_initial_reserve_of_an_unknown_part_or_above_its_maximum_is_refused() -> None:
    def unknown(d: dict[str, Any]) -> None:
        d["claims"]["initial_reserve"]["cyber_fines"] = 1

    assert broken(unknown) == ["claims.initial_reserve.cyber_fines"]

    def above(d: dict[str, Any]) -> None:  # ② may pay at most 1,000,000,000
        d["claims"]["initial_reserve"]["response_costs"] = 1_000_000_001

    assert broken(above) == ["claims.initial_reserve.response_costs"]

    def negative(d: dict[str, Any]) -> None:
        d["claims"]["initial_reserve"]["liability"] = -1

    assert broken(negative) == ["claims.initial_reserve.liability"]

    def typo(d: dict[str, Any]) -> None:  # a key the table does not know
        d["claims"]["initial_reserves"] = d["claims"].pop("initial_reserve")

    assert broken(typo) == ["claims.initial_reserves"]


def test_more_exclusions_can_be_added_as_data(tmp_path: Path) -> None:
    text = PRODUCT_FILE.read_text(encoding="utf-8") + (
        '\n[[exclusions]]\ncode = "war"\n'
        'label = { ja = "戦争", en = "War" }\n'
        'applies_to = ["liability", "response_costs", "profit_loss", "continuation_costs"]\n'
        'source = "ours: example"\n'
    )
    path = tmp_path / "with-war.toml"
    path.write_text(text, encoding="utf-8")
    assert load_product(path).excluded_parts("war")[-1] == "continuation_costs"


def test_the_cli_reports_a_broken_product_file_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        PRODUCT_FILE.read_text(encoding="utf-8").replace("min_hours = 3", "min_hours = -3"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["product", "--product", str(path)])
    assert result.exit_code == 2
    assert "waiting_period.min_hours" in result.stderr
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("[product\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["product", "--product", str(syntax)])
    assert result.exit_code == 2
    assert "TOML" in result.stderr


def test_the_cli_summarises_the_bundled_product() -> None:
    result = CliRunner().invoke(app, ["product"])
    assert result.exit_code == 0
    assert '"max_limit_text": "20億円"' in result.stdout
