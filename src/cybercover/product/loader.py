"""Load a product file (TOML) into a validated :class:`~cybercover.product.model.Product`."""

from __future__ import annotations

import os
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from cybercover.errors import Problem, ProductFileError
from cybercover.product.model import Product, consistency_problems
from cybercover.validation import problems_from_validation_error

__all__ = [
    "DEFAULT_PRODUCT_FILE",
    "default_product",
    "find_product",
    "load_product",
    "products_dir",
]

DEFAULT_PRODUCT_FILE = "cyber-sj22-13328.toml"


def products_dir() -> Path:
    """Where product files live.

    ``CYBERCOVER_PRODUCTS_DIR`` wins; else the ``products/`` folder of a source checkout
    (editable install); else the copy a wheel installs under ``share/cybercover``.
    """
    env = os.environ.get("CYBERCOVER_PRODUCTS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3] / "products"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "cybercover" / "products"


def parse_product(data: dict[str, object], source: str = "product") -> Product:
    """Validate already-parsed product data; every problem is reported at once."""
    try:
        product = Product.model_validate(data)
    except ValidationError as exc:
        raise ProductFileError(problems_from_validation_error(exc)) from None
    problems = consistency_problems(product)
    if problems:
        raise ProductFileError(problems)
    return product


def load_product(path: str | Path) -> Product:
    """Read and validate one product file; a broken file raises :class:`ProductFileError`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProductFileError(
            [Problem(str(path), "file_missing", "ファイルがありません", "file not found")]
        ) from None
    except UnicodeDecodeError as exc:  # found by tests/security/test_fuzz_parsers.py
        raise ProductFileError(
            [
                Problem(
                    str(path),
                    "encoding",
                    f"UTF-8 のテキストではありません（{exc.start}バイト目）",
                    f"not UTF-8 text (byte {exc.start})",
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProductFileError(
            [Problem(str(path), "toml_syntax", f"TOML の構文エラー: {exc}", f"TOML syntax: {exc}")]
        ) from None
    return parse_product(data, str(path))


@lru_cache(maxsize=1)
def default_product() -> Product:
    """The bundled product (PRODUCT.md), loaded once per process."""
    return load_product(products_dir() / DEFAULT_PRODUCT_FILE)


@lru_cache(maxsize=16)
def find_product(code: str, version: str) -> Product:
    """The product version a policy was sold under (a policy keeps its version)."""
    for path in sorted(products_dir().glob("*.toml")):
        product = load_product(path)
        if product.product.code == code and product.product.version == version:
            return product
    raise ProductFileError(
        [
            Problem(
                "product",
                "unknown_product",
                f"商品 {code} {version} がありません",
                f"no product {code} version {version}",
            )
        ]
    )
