"""``cybercover rate FILE``: rate a quote request (JSON) and print the premium as JSON.

Registered on the main app in :mod:`cybercover.cli`; the helpers for errors and output
come from :mod:`cybercover.cli.common`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cybercover.cli.common import fail, print_json, product_of, read_input
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
    from cybercover.rating.request import run_rate_request

    prod = product_of(product)
    text = read_input(file)
    try:
        result = run_rate_request(text, prod, source=str(file))
    except InputError as exc:
        fail(exc.problems)
        return
    print_json(result)
