"""The ``cybercover`` command line (Typer + Rich). Thin: parse, call, print.

Bad input never shows a traceback: every :class:`~cybercover.errors.InputError` is
printed as one line per problem (field path, Japanese, English, rule) on stderr, and the
command exits with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cybercover.errors import InputError, Problem
from cybercover.product import default_product, load_product
from cybercover.product.model import Product

__all__ = ["app", "main"]

app = typer.Typer(
    help="cybercover: サイバー保険の引受・事故対応・保険金支払 / a cyber insurance programme end to end.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ProductOption = Annotated[
    Path | None,
    typer.Option(
        "--product", help="商品定義ファイル / product file (TOML); default: the bundled product"
    ),
]


def _fail(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        # The bracket form names list items (accidents[0].outage_hours); the dotted form
        # beside it (accidents.0.outage_hours) is the same path as JSON Pointer-minded
        # tools and pydantic write it.
        dotted = problem.path.replace("[", ".").replace("]", "")
        alias = f" ({dotted})" if dotted != problem.path else ""
        where = problem.path or "(input)"
        sys.stderr.write(f"error: {where}{alias}: {problem.ja} / {problem.en} [{problem.rule}]\n")
    raise typer.Exit(code=2)


def _product(path: Path | None) -> Product:
    try:
        return load_product(path) if path is not None else default_product()
    except InputError as exc:
        _fail(exc.problems)
        raise  # unreachable: _fail exits


def _print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


@app.command()
def adjudicate(
    file: Annotated[
        Path, typer.Argument(help="シナリオ JSON / scenario JSON file ('-' for stdin)")
    ],
    product: ProductOption = None,
) -> None:
    """シナリオを約款どおりに査定し JSON で出力 / adjudicate a scenario, print the result as JSON."""
    from cybercover.terms.scenario import run_scenario

    prod = _product(product)
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(
            [
                Problem(
                    str(file),
                    "unreadable",
                    f"ファイルを読めません: {exc}",
                    f"cannot read the file: {exc}",
                )
            ]
        )
        return
    try:
        result = run_scenario(text, prod, source=str(file))
    except InputError as exc:
        _fail(exc.problems)
        return
    _print_json(result)


@app.command("product")
def product_show(
    product: ProductOption = None,
) -> None:
    """商品定義を検証して要約を表示 / validate a product file and print its summary as JSON."""
    from cybercover.money import format_yen_short

    prod = _product(product)
    _print_json(
        {
            "code": prod.product.code,
            "version": prod.product.version,
            "name": prod.product.name.model_dump(),
            "coverages": [
                {
                    "code": c.code,
                    "label": c.short.model_dump(),
                    "max_limit": c.max_limit,
                    "max_limit_text": format_yen_short(c.max_limit),
                    "optional": c.optional,
                }
                for c in prod.coverages
            ],
            "aggregate_max": prod.aggregate.max_limit,
            "exclusions": {e.code: list(e.applies_to) for e in prod.exclusions},
            "waiting_period": {
                "min_hours": prod.waiting_period.min_hours,
                "default_mode": prod.waiting_period.default_mode,
            },
        }
    )


def main() -> None:
    app()
