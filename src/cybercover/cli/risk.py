"""``cybercover simulate …``: portfolio runs, one quote's technical price, OED export.

Registered on the main app in :mod:`cybercover.cli`; the shared helpers (errors,
settings, database) are imported from there when a command runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cybercover.cli.common import database, fail, print_json, read_input
from cybercover.errors import InputError

__all__ = ["simulate_app"]

simulate_app = typer.Typer(
    help="リスクモデル / the stochastic risk model (docs/risk-model.md)", no_args_is_help=True
)


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: the given scheduler, a LocalCluster of ``workers``, or none."""
    if scheduler is None and workers <= 0:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _yen(value: float) -> str:
    """A simulated figure, to the nearest 万 yen, with 万/億 (a statistic, not a payment)."""
    from cybercover.money import format_yen_short

    return format_yen_short(int(round(value, -4)))


def _print_summary(run: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    s = run["summary"]
    console = Console()
    table = Table(
        title=f"ポートフォリオ / portfolio — {s['policies']:,} 契約, {s['years']:,} 年",
        caption="万円未満四捨五入 / to the nearest 10,000 yen",
    )
    table.add_column("指標 / figure")
    table.add_column("支払 / insured", justify="right")
    table.add_column("損害 / ground-up", justify="right")
    table.add_row("年間平均損失 / AAL", _yen(s["aal"]["insured"]), _yen(s["aal"]["ground_up"]))
    for key in s["pml"]["insured"]:
        table.add_row(
            f"PML {key}", _yen(s["pml"]["insured"][key]), _yen(s["pml"]["ground_up"][key])
        )
    if s["tvar99"]:
        table.add_row("TVaR 99%", _yen(s["tvar99"]["insured"]), _yen(s["tvar99"]["ground_up"]))
    console.print(table)


@simulate_app.command("portfolio")
def simulate_portfolio(
    years: Annotated[int, typer.Option(help="模擬年数 / simulated years")] = 10_000,
    seed: Annotated[int, typer.Option(help="乱数シード / seed")] = 1,
    block_years: Annotated[int, typer.Option(help="1タスクの年数 / years per block")] = 1000,
    oed: Annotated[
        Path | None,
        typer.Option(help="OED v4 サイバー契約ファイル / OED v4 cyber account CSV (else the DB)"),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="出力フォルダ / output folder (tables, summary, plots)")
    ] = Path("risk-output"),
    scheduler: Annotated[
        str | None, typer.Option(help="Dask スケジューラ / Dask scheduler, e.g. tcp://host:8786")
    ] = None,
    workers: Annotated[
        int, typer.Option(help="ローカル Dask ワーカー数 / local Dask workers (0: none)")
    ] = 0,
    store: Annotated[
        bool, typer.Option(help="結果をDBに保存 / store the summary in the database")
    ] = True,
    demo: Annotated[
        bool, typer.Option(help="先にデモデータを投入 / load the demo data set first")
    ] = False,
) -> None:
    """ポートフォリオを模擬し、EP曲線・PML・TVaR を出力 / simulate the portfolio."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from cybercover.product.catalogue import on_sale
    from cybercover.risk.model import default_loss_model
    from cybercover.risk.oed import read_oed
    from cybercover.services.authz import SYSTEM
    from cybercover.services.risk import run_portfolio

    product = on_sale()
    model = default_loss_model()
    insureds = premiums = None
    if oed is not None:
        try:
            insureds, raw = read_oed(oed, product, model)
        except InputError as exc:
            fail(exc.problems)
            return
        premiums = [p or 0 for p in raw]
    if demo:
        from cybercover.demo import load_demo

        with database() as db:
            for _line in load_demo(db):
                pass
    with (
        database() as db,
        _client(scheduler, workers) as client,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as progress,
    ):
        task = progress.add_task("模擬年 / simulated years", total=years)
        try:
            run = run_portfolio(
                db,
                SYSTEM,
                years=years,
                seed=seed,
                block_years=block_years,
                insureds=insureds,
                premiums=premiums,
                source="oed" if oed is not None else "database",
                client=client,
                out_dir=out,
                progress=lambda n: progress.advance(task, n),
                store=store,
                model=model,
                product=product,
            )
        except InputError as exc:
            fail(exc.problems)
            return
    _print_summary(run)
    sys.stdout.write(f"出力 / output: {out.resolve()}\n")


@simulate_app.command("price")
def simulate_price(
    file: Annotated[Path, typer.Argument(help="見積依頼 JSON（cybercover rate と同じ形式）")],
    years: Annotated[int | None, typer.Option(help="模擬年数 / simulated years")] = None,
) -> None:
    """1件の見積の技術的保険料 / one quote's technical price beside its table premium."""
    from cybercover.product.catalogue import on_sale
    from cybercover.rating.engine import rate
    from cybercover.rating.request import load_rate_request
    from cybercover.risk.exposure import Insured
    from cybercover.risk.model import default_loss_model
    from cybercover.risk.pricing import technical_price
    from cybercover.services.risk import capital_basis

    product = on_sale()
    try:
        request = load_rate_request(read_input(file), product, source=str(file))
    except InputError as exc:
        fail(exc.problems)
        return
    premium = rate(product, request).premium
    with database() as db, db.sessions() as session:
        basis = capital_basis(session, product.product.code)
    insured = Insured(
        key=str(file),
        revenue=request.annual_revenue,
        industry=request.industry,
        terms=request.terms,
        answers=dict(request.disclosure),
        isms=request.isms_body is not None,
    )
    try:
        price = technical_price(
            product, default_loss_model(), insured, table_premium=premium, basis=basis, years=years
        )
    except InputError as exc:
        fail(exc.problems)
        return
    print_json(price.as_dict())


@simulate_app.command("export-oed")
def simulate_export_oed(
    out: Annotated[Path, typer.Option(help="出力CSV / output CSV")] = Path("portfolio-oed.csv"),
) -> None:
    """有効な契約を OED v4 形式で出力 / write the policies in force as an OED v4 CSV."""
    from cybercover.services.authz import SYSTEM
    from cybercover.services.risk import export_oed

    with database() as db:
        count = export_oed(db, SYSTEM, out, datetime.now(UTC))
    sys.stdout.write(json.dumps({"policies": count, "file": str(out)}) + "\n")
