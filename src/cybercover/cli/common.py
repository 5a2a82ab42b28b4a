"""What every command of the ``cybercover`` command line shares: printing problems and
JSON, reading an input file, the product, the settings and the database. The command
modules import this one and nothing of each other (no import circle)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from cybercover.errors import InputError, Problem
from cybercover.product import load_product
from cybercover.product.catalogue import on_sale
from cybercover.product.model import Product

if TYPE_CHECKING:
    from cybercover.services.uow import Database
    from cybercover.settings import Settings

__all__ = [
    "ProductOption",
    "database",
    "fail",
    "fail_error",
    "load_settings",
    "print_json",
    "product_of",
    "read_input",
]

ProductOption = Annotated[
    Path | None,
    typer.Option(
        "--product", help="商品定義ファイル / product file (TOML); default: the bundled product"
    ),
]


def fail(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        # The bracket form names list items (accidents[0].outage_hours); the dotted form
        # beside it (accidents.0.outage_hours) is the same path as JSON Pointer-minded
        # tools and pydantic write it.
        dotted = problem.path.replace("[", ".").replace("]", "")
        alias = f" ({dotted})" if dotted != problem.path else ""
        where = problem.path or "(input)"
        sys.stderr.write(f"error: {where}{alias}: {problem.ja} / {problem.en} [{problem.rule}]\n")
    raise typer.Exit(code=2)


def product_of(path: Path | None) -> Product:
    try:
        return load_product(path) if path is not None else on_sale()
    except InputError as exc:
        fail(exc.problems)
        raise  # unreachable: _fail exits


def read_input(file: Path) -> str:
    """The text of ``file`` (``-`` for stdin); an unreadable file exits 2 naming it."""
    try:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(
            [
                Problem(
                    str(file),
                    "unreadable",
                    f"ファイルを読めません: {exc}",
                    f"cannot read the file: {exc}",
                )
            ]
        )
        raise  # unreachable: _fail exits


def print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def load_settings() -> Settings:
    """Settings from the environment; a bad or unsafe setting (a default secret in
    production) exits 2 with one line per problem, never a traceback."""
    from pydantic import ValidationError

    from cybercover.settings import Settings
    from cybercover.terms.kernel import configure_kernel_dir

    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            sys.stderr.write(f"error: {where}: {message}\n")
        raise typer.Exit(code=2) from None
    configure_kernel_dir(settings.kernel_dir)  # every command, `simulate …` included
    return settings


@contextmanager
def database() -> Iterator[Database]:
    from datetime import UTC, datetime

    from cybercover.services.uow import Database
    from cybercover.storage.db import make_engine
    from cybercover.storage.migrate import migrate

    engine = make_engine(load_settings().database_url)
    migrate(engine)
    try:
        yield Database(engine=engine, clock=lambda: datetime.now(UTC))
    finally:
        engine.dispose()


def fail_error(exc: Exception) -> NoReturn:
    from cybercover.errors import ConflictError

    if isinstance(exc, InputError):
        fail(exc.problems)
    if isinstance(exc, ConflictError):
        fail([Problem("database", exc.rule, exc.ja, exc.en)])
    fail([Problem("", "error", str(exc), str(exc))])
    raise AssertionError("unreachable")
