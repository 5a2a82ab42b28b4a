"""Product definitions as data: load, validate, look up (PRODUCT.md §2–§7)."""

from cybercover.product.loader import (
    DEFAULT_PRODUCT_FILE,
    default_product,
    find_product,
    load_product,
    parse_product,
    products_dir,
)
from cybercover.product.model import CoverageDef, Label, Product, WaitingMode

__all__ = [
    "DEFAULT_PRODUCT_FILE",
    "CoverageDef",
    "Label",
    "Product",
    "WaitingMode",
    "default_product",
    "find_product",
    "load_product",
    "parse_product",
    "products_dir",
]
