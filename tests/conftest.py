"""Fixtures shared by every suite."""

from __future__ import annotations

import pytest

from cybercover.product import Product, default_product


@pytest.fixture(scope="session")
def product() -> Product:
    return default_product()
