"""``cybercover rate FILE``: rate a quote request (JSON) and print the premium as JSON.

Registered on the main app in :mod:`cybercover.cli`; the helpers for errors and output
are imported from there when the command runs (that module imports this one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cybercover.errors import InputError

__all__ = ["rate"]


def rate(
    file: Annotated[
        Path, typer.Argument(help="見積依頼 JSON / quote request JSON file ('-' for stdin)")
    ],
    product: Annotated[
        Path | None,
        typer.Option(
            "--product",
            help="商品定義ファイル / product file (TOML); default: the bundled product",
        ),
    ] = None,
) -> None:
    """料率表で保険料を算出し JSON で出力 / rate a quote request, print premium and factors."""
    from cybercover.cli import _fail, _print_json, _product, _read_input
    from cybercover.rating.request import run_rate_request

    prod = _product(product)
    text = _read_input(file)
    try:
        result = run_rate_request(text, prod, source=str(file))
    except InputError as exc:
        _fail(exc.problems)
        return
    _print_json(result)
