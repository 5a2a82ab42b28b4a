"""``cybercover rate``: the bundled examples and the error rules, end to end."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cybercover.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
runner = CliRunner()

REQUEST: dict[str, Any] = {
    "company": {"annual_revenue": 500_000_000, "industry": "retail", "prefecture": "東京都"},
    "options": {
        "limits": {"liability": 100_000_000, "response_costs": 30_000_000},
        "deductibles": {"liability": 100_000, "response_costs": 100_000},
    },
}


def rate_json(data: Any) -> Result:
    return runner.invoke(app, ["rate", "-"], input=json.dumps(data, ensure_ascii=False))


def errors(data: Any) -> list[str]:
    result = rate_json(data)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def changed(**parts: Any) -> dict[str, Any]:
    data = copy.deepcopy(REQUEST)
    for key, value in parts.items():
        section, _, field = key.partition("__")
        data[section][field] = value
    return data


def test_a_request_prints_the_premium_and_every_factor() -> None:
    result = rate_json(REQUEST)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    # 70,000 × 1.40 retail = 98,000 × 0.95 = 93,100 (published ¥93,000)
    assert out["premium"] == 93_100
    assert [f["code"] for f in out["factors"]] == [
        "base",
        "industry:retail",
        "limit:liability",
        "limit:response_costs",
        "business_interruption",
        "deductible",
        "overseas",
        "security",
        "isms",
        "discount_ceiling",
        "rounding",
        "minimum_premium",
    ]
    first = out["factors"][1]
    assert first == {
        "code": "industry:retail",
        "ja": "業種係数（小売業）",
        "en": "Industry class factor (Retail)",
        "factor": "1.40",
        "amount": 98_000,
    }
    assert out["factors"][-1]["amount"] == out["premium"]


@pytest.mark.parametrize(
    ("name", "premium"),
    [
        ("rate-manufacturer-plan1.json", 66_500),
        ("rate-it-company-isms-jqa.json", 756_080),
        ("rate-retailer-bi-option.json", 281_820),
    ],
)
def test_the_bundled_examples(name: str, premium: int) -> None:
    result = runner.invoke(app, ["rate", str(EXAMPLES / name)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["premium"] == premium


def test_an_unknown_industry_names_the_field() -> None:
    [line] = errors(changed(company__industry="fishing"))
    assert line.startswith("error: company.industry: 不明な業種区分です")
    assert line.endswith("[unknown_industry]")


def test_a_negative_revenue_is_refused() -> None:
    [line] = errors(changed(company__annual_revenue=-1))
    assert line.startswith("error: company.annual_revenue: ")
    assert "[greater_than_equal]" in line


def test_a_fractional_revenue_is_refused() -> None:
    [line] = errors(changed(company__annual_revenue=1.5))
    assert line.startswith("error: company.annual_revenue: ")


def test_a_company_outside_japan_is_refused() -> None:
    [line] = errors(changed(company__prefecture="California"))
    assert line.startswith("error: company.prefecture: 都道府県名で指定してください")
    assert line.endswith("[unknown_prefecture]")


def test_an_overseas_share_above_one_is_refused() -> None:
    [line] = errors(changed(company__overseas_sales_ratio=1.2))
    assert line.startswith("error: company.overseas_sales_ratio: 0以上1以下")


def test_option_errors_come_from_the_terms_rules_under_options() -> None:
    lines = errors(
        changed(
            options__limits={"liability": 100_000_000, "response_costs": 200_000_000},
            options__waiting_period={"hours": 2},
        )
    )
    assert any(
        line.startswith("error: options.limits.response_costs: ")
        and "[response_costs_within_liability]" in line
        for line in lines
    )
    assert any(line.startswith("error: options.waiting_period.hours: ") for line in lines)


def test_a_bought_option_without_its_limits_names_them() -> None:
    lines = errors(changed(options__business_interruption=True))
    assert any(line.startswith("error: options.limits.profit_loss: ") for line in lines)


def test_every_problem_is_reported_at_once() -> None:
    data = changed(company__industry="fishing", company__prefecture="Paris")
    data["options"]["deductibles"] = {"liability": -1}
    data["disclosure"] = {"mfa": "yes"}
    data["isms"] = {"certified": True}
    lines = errors(data)
    paths = [line.split(":")[1].strip() for line in lines]
    assert paths == [
        "company.prefecture",
        "isms.body",
        "options.deductibles.liability",
        "company.industry",
        "disclosure.mfa",
    ]


def test_an_unknown_field_and_invalid_json_are_refused() -> None:
    [line] = errors(changed(company__employees=10))
    assert line.startswith("error: company.employees: 不明な項目です")
    result = runner.invoke(app, ["rate", "-"], input="{")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: -: JSON の構文エラー")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rate", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "[unreadable]" in result.stderr
