"""Write a run's results to a folder: tables (CSV and Parquet), summary, plots.

Files, in the spirit of the Open Results Data (ORD) tables so cat-modelling teams can
read them:

* ``ylt.csv`` / ``ylt.parquet`` — year loss table: ``Period``, ``GroundUpLoss``,
  ``InsuredLoss``, ``MaxEventGroundUpLoss``, ``MaxEventInsuredLoss``, ``Accidents``, and
  one ``Insured_<source>`` column per family and scenario;
* ``ept.csv`` — exceedance probability table as ORD's EPT: ``SummaryId`` (1 =
  ground-up, 2 = insured), ``EPCalc`` (2: full uncertainty, from simulated years),
  ``EPType`` (1 OEP, 2 OEP TVaR, 3 AEP, 4 AEP TVaR), ``ReturnPeriod``, ``Loss``;
* ``alt.csv`` — average loss by policy: ``PolNumber``, ``MeanGroundUpLoss``,
  ``MeanInsuredLoss``, ``AccidentsPerYear``;
* ``contributions.csv`` — AAL and TVaR 99% by source and by industry;
* ``summary.json`` — :meth:`Summary.as_dict`;
* ``ep_curve.png`` / ``ep_curve.svg`` — the AEP and OEP curves, insured and ground-up.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from cybercover.risk.metrics import RETURN_PERIODS, Summary, loss_at_return_period, tvar
from cybercover.risk.simulate import SimulationResult

__all__ = ["plot_curves", "plot_points", "write_results"]


def write_results(result: SimulationResult, summary: Summary, folder: Path) -> list[Path]:
    """Write every file of the run to ``folder`` (created); returns the paths."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    columns: dict[str, np.ndarray] = {
        "Period": np.arange(1, result.years + 1, dtype=np.int64),
        "GroundUpLoss": result.ground_up,
        "InsuredLoss": result.insured,
        "MaxEventGroundUpLoss": result.max_event_ground_up,
        "MaxEventInsuredLoss": result.max_event_insured,
        "Accidents": result.accidents,
    }
    for i, code in enumerate(result.sources):
        columns[f"Insured_{code}"] = result.by_source[:, i]
    table = pa.table(columns)
    pq.write_table(table, folder / "ylt.parquet")
    written.append(folder / "ylt.parquet")
    with (folder / "ylt.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(zip(*(c.tolist() for c in columns.values()), strict=True))
    written.append(folder / "ylt.csv")

    with (folder / "ept.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["SummaryId", "EPCalc", "EPType", "ReturnPeriod", "Loss"])
        for summary_id, (occ, agg) in enumerate(
            [
                (result.max_event_ground_up, result.ground_up),
                (result.max_event_insured, result.insured),
            ],
            start=1,
        ):
            for ep_type, values, is_tvar in (
                (1, occ, False),
                (2, occ, True),
                (3, agg, False),
                (4, agg, True),
            ):
                for t in RETURN_PERIODS:
                    if t > result.years:
                        continue
                    loss = tvar(values, 1 - 1 / t) if is_tvar else loss_at_return_period(values, t)
                    writer.writerow([summary_id, 2, ep_type, t, round(loss)])
    written.append(folder / "ept.csv")

    with (folder / "alt.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["PolNumber", "MeanGroundUpLoss", "MeanInsuredLoss", "AccidentsPerYear"])
        for i, key in enumerate(result.keys):
            writer.writerow(
                [
                    key,
                    round(result.policy_ground_up[i] / result.years),
                    round(result.policy_insured[i] / result.years),
                    f"{result.policy_accidents[i] / result.years:.6f}",
                ]
            )
    written.append(folder / "alt.csv")

    with (folder / "contributions.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Kind", "Code", "AAL", "TVaR99"])
        for code, v in summary.by_source.items():
            writer.writerow(["source", code, round(v["aal"]), round(v["tvar99"])])
        for code, v in summary.by_industry.items():
            writer.writerow(["industry", code, round(v["aal"]), round(v["tvar99"])])
    written.append(folder / "contributions.csv")

    (folder / "summary.json").write_text(
        json.dumps(summary.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    written.append(folder / "summary.json")
    written.extend(plot_curves(result, folder))
    return written


_LABELS = {
    ("AEP", "insured"): ("AEP insured / 支払（年間合計）", "-"),
    ("OEP", "insured"): ("OEP insured / 支払（最大事象）", "--"),
    ("AEP", "ground_up"): ("AEP ground-up / 損害（年間合計）", ":"),
}


def _figure(series: list[tuple[str, str, list[float], list[float]]], years: int) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401  (IPAex Gothic for the Japanese labels)

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for label, style, periods, losses in series:
        ax.plot(periods, [v / 1e8 for v in losses], style, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("Return period (years) / 再現期間（年）")
    ax.set_ylabel("Loss (100M yen) / 損害額（億円）")
    ax.set_title(f"Exceedance curves, {years:,} simulated years")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_curves(result: SimulationResult, folder: Path, stem: str = "ep_curve") -> list[Path]:
    """The AEP and OEP curves (insured and ground-up) as PNG and SVG, every year used."""
    import matplotlib.pyplot as plt

    periods = [float(t) for t in np.unique(np.geomspace(1.01, result.years, 60).round(2))]
    values = {
        ("AEP", "insured"): result.insured,
        ("OEP", "insured"): result.max_event_insured,
        ("AEP", "ground_up"): result.ground_up,
    }
    series = [
        (label, style, periods, [loss_at_return_period(values[key], t) for t in periods])
        for key, (label, style) in _LABELS.items()
    ]
    fig = _figure(series, result.years)
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    for path in paths:
        fig.savefig(path)
    plt.close(fig)
    return paths


def plot_points(curves: list[dict[str, Any]], years: int) -> bytes:
    """An SVG of stored curve points (a run's summary), for the portfolio page."""
    import matplotlib.pyplot as plt

    series = []
    for curve in curves:
        key = (curve["kind"], curve["basis"])
        if key in _LABELS:
            label, style = _LABELS[key]
            pts = curve["points"]
            series.append((label, style, [p[0] for p in pts], [p[1] for p in pts]))
    fig = _figure(series, years)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()
