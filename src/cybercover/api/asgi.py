"""ASGI entry for uvicorn workers: ``uvicorn cybercover.api.asgi:app_factory --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from cybercover.api.app import create_app
from cybercover.settings import Settings


def app_factory() -> FastAPI:
    return create_app(Settings())
