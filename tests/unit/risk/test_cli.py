"""``cybercover simulate …`` end to end on SQLite: OED file in, results folder out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cybercover.cli import app

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
runner = CliRunner()


@pytest.fixture
def sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    return tmp_path


def test_portfolio_from_an_oed_file_writes_tables_and_curves(sqlite: Path) -> None:
    book = sqlite / "book.csv"
    with (EXAMPLES / "oed-demo-portfolio.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[:51]  # header + 50 policies
    with book.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = sqlite / "out"
    result = runner.invoke(
        app,
        ["simulate", "portfolio", "--oed", str(book), "--years", "500", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "TVaR 99%" in result.output and "50 契約" in result.output
    for name in (
        "ylt.csv",
        "ylt.parquet",
        "ept.csv",
        "alt.csv",
        "contributions.csv",
        "summary.json",
        "ep_curve.png",
        "ep_curve.svg",
    ):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with (out / "ylt.csv").open(encoding="utf-8") as fh:
        ylt = list(csv.DictReader(fh))
    assert len(ylt) == 500
    # the summary's AAL is the YLT's mean, and the ALT's policies add up to it
    mean = sum(int(r["InsuredLoss"]) for r in ylt) / 500
    assert summary["aal"]["insured"] == pytest.approx(mean)
    with (out / "alt.csv").open(encoding="utf-8") as fh:
        alt = list(csv.DictReader(fh))
    assert len(alt) == 50
    assert sum(int(r["MeanInsuredLoss"]) for r in alt) == pytest.approx(mean, abs=50)
    with (out / "ept.csv").open(encoding="utf-8") as fh:
        ept = list(csv.DictReader(fh))
    aep_100 = next(
        r
        for r in ept
        if r["SummaryId"] == "2" and r["EPType"] == "3" and r["ReturnPeriod"] == "100"
    )
    ranked = sorted((int(r["InsuredLoss"]) for r in ylt), reverse=True)
    assert int(aep_100["Loss"]) == ranked[4]  # 500 / 100 = the 5th worst year


def test_a_bad_oed_file_is_a_clear_error(sqlite: Path) -> None:
    book = sqlite / "bad.csv"
    text = (EXAMPLES / "oed-demo-portfolio.csv").read_text(encoding="utf-8").splitlines()[:2]
    book.write_text("\n".join(text).replace(",JPY,", ",USD,", 1) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["simulate", "portfolio", "--oed", str(book), "--years", "200"])
    assert result.exit_code == 2
    assert "rows[0].AccCurrency" in result.output and "Traceback" not in result.output


def test_price_of_the_published_example(sqlite: Path) -> None:
    shutil.copy(EXAMPLES / "rate-manufacturer-plan1.json", sqlite / "q.json")
    result = runner.invoke(app, ["simulate", "price", str(sqlite / "q.json"), "--years", "5000"])
    assert result.exit_code == 0, result.output
    price = json.loads(result.stdout)
    assert price["table_premium"] == 66_500  # REFERENCE.md §1: ¥67,000 published
    assert price["years"] == 5000 and price["capital_ratio_basis"] == "default"
    assert price["technical_premium"] > price["expected_loss"] > 0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["simulate", "price", "Q", "--years", "10"], "years"),
        (["simulate", "portfolio", "--oed", "B", "--years", "50"], "years"),
        (["simulate", "portfolio", "--oed", "B", "--block-years", "0"], "block_years"),
    ],
)
def test_out_of_range_settings_are_clear_errors(sqlite: Path, args: list[str], field: str) -> None:
    shutil.copy(EXAMPLES / "rate-manufacturer-plan1.json", sqlite / "q.json")
    book = sqlite / "b.csv"
    book.write_text(
        "\n".join((EXAMPLES / "oed-demo-portfolio.csv").read_text("utf-8").splitlines()[:3]) + "\n",
        encoding="utf-8",
    )
    argv = [str(sqlite / "q.json") if a == "Q" else str(book) if a == "B" else a for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert f"error: {field}:" in result.output and "Traceback" not in result.output


def test_portfolio_on_a_dask_scheduler_equals_one_process(sqlite: Path) -> None:
    from distributed import LocalCluster

    book = sqlite / "book.csv"
    lines = (EXAMPLES / "oed-demo-portfolio.csv").read_text(encoding="utf-8").splitlines()
    book.write_text("\n".join(lines[:31]) + "\n", encoding="utf-8")
    common = ["simulate", "portfolio", "--oed", str(book), "--years", "1000", "--no-store"]
    common += ["--block-years", "250"]
    alone = runner.invoke(app, [*common, "--out", str(sqlite / "one")])
    assert alone.exit_code == 0, alone.output
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        spread = runner.invoke(
            app, [*common, "--out", str(sqlite / "two"), "--scheduler", cluster.scheduler_address]
        )
    assert spread.exit_code == 0, spread.output
    one = (sqlite / "one" / "ylt.csv").read_text(encoding="utf-8")
    two = (sqlite / "two" / "ylt.csv").read_text(encoding="utf-8")
    assert one == two and len(one.splitlines()) == 1001
