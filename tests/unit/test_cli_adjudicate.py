"""``cybercover adjudicate``: the bundled examples and every error rule, end to end."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cybercover.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

ISSUE_SCENARIO: dict[str, Any] = {
    "policy": {
        "start": "2026-04-01",
        "limits": {
            "aggregate": 1_000_000_000,
            "liability": 1_000_000_000,
            "response_costs": 500_000_000,
            "business_interruption": 100_000_000,
            "profit_loss": 100_000_000,
            "continuation_costs": 100_000_000,
        },
        "deductibles": {
            "liability": 0,
            "response_costs": 0,
            "profit_loss": 0,
            "continuation_costs": 0,
        },
        "business_interruption": True,
        "waiting_period": {"hours": 3, "mode": "qualifying"},
    },
    "accidents": [
        {
            "id": "A1",
            "occurred_at": "2026-06-01T10:00:00+09:00",
            "outage_hours": 5.5,
            "causes": [],
            "losses": [
                {"coverage": "liability", "amount": 30_000_000},
                {"coverage": "profit_loss", "amount": 20_000_000},
            ],
        }
    ],
}


def run_file(path: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["adjudicate", str(path)])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def run_data(tmp_path: Path, data: Any) -> Any:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return runner.invoke(app, ["adjudicate", str(path)])


def paid_lines(acc: dict[str, Any]) -> list[tuple[int, list[tuple[str, int]]]]:
    return [(ln["paid"], [(r["code"], r["amount"]) for r in ln["reasons"]]) for ln in acc["lines"]]


# -- the examples ---------------------------------------------------------------------------


def test_the_issue_scenario_pays_both_losses_in_full() -> None:
    out = run_file(EXAMPLES / "issue-example.json")
    (acc,) = out["accidents"]
    assert acc["paid"] == {
        "liability": 30_000_000,
        "response_costs": 0,
        "profit_loss": 20_000_000,
        "continuation_costs": 0,
    }
    assert acc["total"] == 50_000_000
    assert [(ln["coverage"], ln["claimed"], ln["paid"]) for ln in acc["lines"]] == [
        ("liability", 30_000_000, 30_000_000),
        ("profit_loss", 20_000_000, 20_000_000),
    ]
    assert out["total_paid"] == 50_000_000
    assert out["remaining"] == {
        "aggregate": 950_000_000,
        "liability": 970_000_000,
        "response_costs": 500_000_000,
        "profit_loss": 80_000_000,
        "continuation_costs": 100_000_000,
        "business_interruption": 80_000_000,
    }


def test_the_page_leak_with_gifts_and_a_lawsuit() -> None:
    out = run_file(EXAMPLES / "page-leak-gifts-lawsuit.json")
    (acc,) = out["accidents"]
    # liability: 3,600,000 + 2,500,000 − 100,000 deductible = 6,000,000
    # response costs: 4,000,000 + 8,000,000 + 19,500,000 + 3,900,000 + 1,000,000 = 36,400,000;
    #   − 100,000 = 36,300,000 → the 30,000,000 limit (6,300,000 withheld)
    assert acc["paid"]["liability"] == 6_000_000
    assert acc["paid"]["response_costs"] == 30_000_000
    assert paid_lines(acc) == [
        (3_600_000, []),
        (2_400_000, [("deductible", 100_000)]),
        (4_000_000, []),
        (8_000_000, []),
        (18_000_000, [("limit_per_accident", 1_500_000)]),
        (0, [("limit_per_accident", 3_900_000)]),
        (0, [("deductible", 100_000), ("limit_per_accident", 900_000)]),
    ]
    assert out["total_paid"] == 36_000_000
    assert out["remaining"]["aggregate"] == 100_000_000 - 36_000_000
    assert out["remaining"]["liability"] == 94_000_000
    assert out["remaining"]["response_costs"] == 0


def test_the_page_server_down_under_a_qualifying_waiting_period() -> None:
    out = run_file(EXAMPLES / "page-server-down.json")
    (acc,) = out["accidents"]
    # 30 h > 6 h: everything paid from the first hour, less 100,000 per part
    assert acc["paid"] == {
        "liability": 4_900_000,
        "response_costs": 3_400_000,
        "profit_loss": 11_900_000,
        "continuation_costs": 2_900_000,
    }
    assert acc["total"] == 23_100_000
    assert out["remaining"]["business_interruption"] == 50_000_000 - 14_800_000


def test_the_page_server_down_under_a_time_deductible() -> None:
    out = run_file(EXAMPLES / "page-server-down-time-deductible.json")
    (acc,) = out["accidents"]
    # profit: 12,000,000 × (30 − 6)/30 = 9,600,000 − 100,000; continuation: 3,000,000 × 24/30 = 2,400,000 − 100,000
    assert acc["paid"]["profit_loss"] == 9_500_000
    assert acc["paid"]["continuation_costs"] == 2_300_000
    assert paid_lines(acc)[2] == (
        9_500_000,
        [("waiting_period_time_deductible", 2_400_000), ("deductible", 100_000)],
    )
    assert out["total_paid"] == 4_900_000 + 3_400_000 + 9_500_000 + 2_300_000


def test_two_short_outages_leave_business_interruption_unpaid() -> None:
    out = run_file(EXAMPLES / "page-inventory-short-outages.json")
    (acc,) = out["accidents"]
    assert acc["paid"] == {
        "liability": 2_000_000,
        "response_costs": 0,
        "profit_loss": 0,
        "continuation_costs": 0,
    }
    assert [r["code"] for r in acc["lines"][1]["reasons"]] == ["waiting_period_not_met"]
    # the shared limit was not named: it is the liability limit (PRODUCT.md §3)
    assert out["remaining"]["business_interruption"] == 100_000_000


def test_the_shared_limit_then_the_aggregate_across_two_accidents() -> None:
    out = run_file(EXAMPLES / "shared-limit-then-aggregate.json")
    leak, ransom = out["accidents"]  # input order; the ransomware came first in time
    assert ransom["paid"] == {
        "liability": 0,
        "response_costs": 6_000_000,
        "profit_loss": 15_000_000,
        "continuation_costs": 5_000_000,
    }
    assert paid_lines(ransom)[1] == (5_000_000, [("shared_limit_per_accident", 3_000_000)])
    # 30,000,000 − 26,000,000 = 4,000,000 of the aggregate is left for the leak
    assert leak["paid"]["liability"] == 4_000_000
    assert paid_lines(leak) == [
        (4_000_000, [("aggregate", 5_000_000)]),
        (0, [("aggregate", 2_000_000)]),
    ]
    assert out["remaining"] == {
        "aggregate": 0,
        "liability": 26_000_000,
        "response_costs": 4_000_000,
        "profit_loss": 5_000_000,
        "continuation_costs": 5_000_000,
        "business_interruption": 0,
    }


def test_a_criminal_act_pays_nothing_under_liability_or_response_costs() -> None:
    out = run_file(EXAMPLES / "excluded-criminal-act.json")
    (acc,) = out["accidents"]
    assert acc["total"] == 0
    assert paid_lines(acc) == [
        (0, [("excluded:criminal", 10_000_000)]),
        (0, [("excluded:criminal", 5_000_000)]),
    ]


def test_the_suspected_my_number_leak_pays_its_costs() -> None:
    out = run_file(EXAMPLES / "page-my-number-suspected-leak.json")
    assert out["accidents"][0]["paid"]["response_costs"] == 4_000_000
    assert out["remaining"]["response_costs"] == 26_000_000


def test_the_console_script_runs_and_exits_2_on_bad_input(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "cybercover", "adjudicate", str(EXAMPLES / "issue-example.json")],
        capture_output=True,
        check=False,
    )
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["total_paid"] == 50_000_000
    bad = tmp_path / "bad.json"
    bad.write_text('{"policy": {}}', encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "cybercover", "adjudicate", str(bad)],
        capture_output=True,
        check=False,
    )
    assert failed.returncode == 2
    assert b"Traceback" not in failed.stderr
    assert b"policy.start" in failed.stderr and b"accidents" in failed.stderr


# -- defaults -------------------------------------------------------------------------------


def test_defaults_deductibles_zero_aggregate_liability_waiting_period_product(
    tmp_path: Path,
) -> None:
    data = {
        "policy": {
            "start": "2026-04-01",
            "limits": {
                "liability": 1_000,
                "response_costs": 1_000,
                "profit_loss": 5_000,
                "continuation_costs": 5_000,
                "business_interruption": 1_000,
            },
            "business_interruption": True,
        },
        "accidents": [
            {
                "id": "A",
                "occurred_at": "2026-06-01T10:00:00+09:00",
                "outage_hours": 3,
                "losses": [
                    {"coverage": "profit_loss", "amount": 400},
                    {"coverage": "liability", "amount": 900},
                    {"coverage": "response_costs", "amount": 600},
                ],
            },
            {
                "id": "B",
                "occurred_at": "2026-06-02T10:00:00+09:00",
                "outage_hours": 3.25,
                "losses": [{"coverage": "profit_loss", "amount": 400}],
            },
        ],
    }
    result = run_data(tmp_path, data)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    a, b = out["accidents"]
    # default waiting period 3 h qualifying: 3 h is not more than 3 h → nothing for A's profit
    # default aggregate = liability 1,000: liability 900, then 100 of the 600 response costs
    assert a["paid"] == {
        "liability": 900,
        "response_costs": 100,
        "profit_loss": 0,
        "continuation_costs": 0,
    }
    # B: 3.25 h > 3 h, but the aggregate is spent
    assert b["paid"]["profit_loss"] == 0
    assert [r["code"] for r in b["lines"][0]["reasons"]] == ["aggregate"]
    assert out["remaining"]["aggregate"] == 0


# -- errors: status 2, the field path, no traceback, nothing on stdout -------------------


def mutate(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(ISSUE_SCENARIO)
    change(data)
    return data


CASES: list[tuple[str, Any, str]] = [
    (
        "limit above the product maximum",
        lambda d: d["policy"]["limits"].update(response_costs=1_000_000_001),
        "policy.limits.response_costs",
    ),
    (
        "liability above 2 billion",
        lambda d: d["policy"]["limits"].update(liability=2_000_000_001),
        "policy.limits.liability",
    ),
    (
        "aggregate above its product maximum",
        lambda d: d["policy"]["limits"].update(aggregate=2_000_000_001),
        "policy.limits.aggregate",
    ),
    (
        "response costs above liability",
        lambda d: d["policy"]["limits"].update(liability=400_000_000),
        "policy.limits.response_costs",
    ),
    (
        "shared business-interruption limit above liability",
        lambda d: d["policy"]["limits"].update(
            liability=600_000_000, response_costs=500_000_000, business_interruption=700_000_000
        ),
        "policy.limits.business_interruption",
    ),
    (
        "waiting period under 3 hours",
        lambda d: d["policy"]["waiting_period"].update(hours=2.99),
        "policy.waiting_period.hours",
    ),
    (
        "unknown waiting mode",
        lambda d: d["policy"]["waiting_period"].update(mode="franchise"),
        "policy.waiting_period.mode",
    ),
    (
        "missing limit for a part that is bought",
        lambda d: d["policy"]["limits"].pop("profit_loss"),
        "policy.limits.profit_loss",
    ),
    (
        "missing liability limit",
        lambda d: d["policy"]["limits"].pop("liability"),
        "policy.limits.liability",
    ),
    (
        "negative amount",
        lambda d: d["accidents"][0]["losses"][0].update(amount=-1),
        "accidents[0].losses[0].amount",
    ),
    (
        "non-integer amount",
        lambda d: d["accidents"][0]["losses"][1].update(amount=20_000_000.5),
        "accidents[0].losses[1].amount",
    ),
    (
        "amount as a string",
        lambda d: d["accidents"][0]["losses"][1].update(amount="20000000"),
        "accidents[0].losses[1].amount",
    ),
    (
        "negative deductible",
        lambda d: d["policy"]["deductibles"].update(liability=-5),
        "policy.deductibles.liability",
    ),
    (
        "unknown coverage",
        lambda d: d["accidents"][0]["losses"][0].update(coverage="fines"),
        "accidents[0].losses[0].coverage",
    ),
    (
        "unknown limit key",
        lambda d: d["policy"]["limits"].update(cyber_extortion=5),
        "policy.limits.cyber_extortion",
    ),
    (
        "unknown cause code",
        lambda d: d["accidents"][0].update(causes=["negligence"]),
        "accidents[0].causes[0]",
    ),
    (
        "occurred_at without an offset",
        lambda d: d["accidents"][0].update(occurred_at="2026-06-01T10:00:00"),
        "accidents[0].occurred_at",
    ),
    (
        "occurred_at as a bare date",
        lambda d: d["accidents"][0].update(occurred_at="2026-06-01"),
        "accidents[0].occurred_at",
    ),
    (
        "malformed occurred_at",
        lambda d: d["accidents"][0].update(occurred_at="2026-13-01T10:00:00+09:00"),
        "accidents[0].occurred_at",
    ),
    (
        "malformed start",
        lambda d: d["policy"].update(start="2026-02-30"),
        "policy.start",
    ),
    (
        "start as a naive datetime",
        lambda d: d["policy"].update(start="2026-04-01T00:00:00"),
        "policy.start",
    ),
    (
        "business-interruption loss without outage_hours",
        lambda d: d["accidents"][0].pop("outage_hours"),
        "accidents[0].outage_hours",
    ),
    (
        "negative outage",
        lambda d: d["accidents"][0].update(outage_hours=-1),
        "accidents[0].outage_hours",
    ),
    (
        "unknown field",
        lambda d: d["policy"].update(deductables={}),
        "policy.deductables",
    ),
    (
        "duplicate accident id",
        lambda d: d["accidents"].append(copy.deepcopy(d["accidents"][0])),
        "accidents[1].id",
    ),
]


@pytest.mark.parametrize(
    ("change", "field"), [(c, f) for _, c, f in CASES], ids=[n for n, _, _ in CASES]
)
def test_a_bad_scenario_exits_2_naming_the_field(tmp_path: Path, change: Any, field: str) -> None:
    result = run_data(tmp_path, mutate(change))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"error: {field}" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["policy"]["limits"]["response_costs"] = 1_500_000_000
        d["policy"]["waiting_period"]["hours"] = 1
        d["accidents"][0]["causes"] = ["bogus"]

    result = run_data(tmp_path, mutate(change))
    assert result.exit_code == 2
    for field in (
        "policy.limits.response_costs",
        "policy.waiting_period.hours",
        "accidents[0].causes[0]",
    ):
        assert field in result.stderr


def test_the_message_names_the_rule_in_japanese_and_english(tmp_path: Path) -> None:
    result = run_data(
        tmp_path, mutate(lambda d: d["policy"]["limits"].update(liability=400_000_000))
    )
    assert "事故対応特別費用の限度額は賠償責任の限度額以内" in result.stderr
    assert "must not exceed the liability limit" in result.stderr


def test_invalid_json_and_a_missing_file_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"policy": ', encoding="utf-8")
    result = runner.invoke(app, ["adjudicate", str(broken)])
    assert result.exit_code == 2
    assert "JSON" in result.stderr
    missing = runner.invoke(app, ["adjudicate", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "nope.json" in missing.stderr


def test_a_top_level_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    result = run_data(tmp_path, [1, 2])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_cost_heads_in_a_scenario_category_and_victims(tmp_path: Path) -> None:
    data = copy.deepcopy(ISSUE_SCENARIO)
    data["accidents"][0]["losses"] = [
        {
            "coverage": "response_costs",
            "amount": 3_000_000,
            "category": "apology_gifts",
            "victims": 2_000,
        },
        {"coverage": "response_costs", "amount": 1_000_000, "category": "recurrence_prevention"},
    ]
    result = run_data(tmp_path, data)
    assert result.exit_code == 0, result.stderr
    (acc,) = json.loads(result.stdout)["accidents"]
    # gifts: ¥1,000 × 2,000 people = 2,000,000; prevention: 90 % of 1,000,000 = 900,000
    assert acc["paid"]["response_costs"] == 2_900_000
    assert [(r["code"], r["amount"]) for r in acc["lines"][0]["reasons"]] == [
        ("cost_head_victim_cap", 1_000_000)
    ]
    assert [(r["code"], r["amount"]) for r in acc["lines"][1]["reasons"]] == [
        ("cost_head_share", 100_000)
    ]


def test_an_unknown_category_or_missing_victims_is_refused(tmp_path: Path) -> None:
    data = copy.deepcopy(ISSUE_SCENARIO)
    data["accidents"][0]["losses"] = [
        {"coverage": "response_costs", "amount": 1, "category": "apology_gifts"},
        {"coverage": "liability", "amount": 1, "category": "forensics"},
    ]
    result = run_data(tmp_path, data)
    assert result.exit_code == 2
    assert "accidents[0].losses[0].victims" in result.stderr
    assert "accidents[0].losses[1].category" in result.stderr
