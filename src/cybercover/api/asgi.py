"""ASGI entry for uvicorn workers: ``cybercover serve`` starts them, or by hand
``uvicorn cybercover.api.asgi:app_factory --factory --no-proxy-headers`` (uvicorn would
otherwise believe X-Forwarded-For from loopback; the app believes it only from
``CYBERCOVER_TRUSTED_PROXIES``, docs/operations.md)."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from cybercover.api.app import create_app
from cybercover.settings import Settings


def app_factory() -> FastAPI:
    app = create_app(Settings())
    # Everything loaded so far (the app, SQLAlchemy's mappers, NumPy, the product file)
    # lives as long as the worker: move it out of the collector's reach. Without this a
    # full collection walked all of it and stopped the worker for 130-290 ms under load,
    # locks held (bench/README.md, load); with it, about 20 ms.
    gc.collect()
    gc.freeze()
    return app
