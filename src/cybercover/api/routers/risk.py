"""The risk model: a quote's technical price, portfolio runs and their curve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.risk import (
    MAX_API_YEARS,
    ep_curve_svg,
    latest_run,
    run_portfolio,
    technical_price_for_quote,
)

router = APIRouter(tags=["risk"])


class RunIn(BaseModel):
    years: int = Field(default=10_000, ge=100, le=MAX_API_YEARS)
    seed: int = Field(default=1, ge=0, lt=2**63)


@router.get("/quotes/{quote_id}/technical-price")
def technical_price(quote_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return technical_price_for_quote(db, actor, quote_id)


@router.post("/risk/runs", status_code=201)
def run(body: RunIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return run_portfolio(db, actor, years=body.years, seed=body.seed)


@router.get("/risk/runs/latest")
def latest(actor: CurrentActor, db: Db) -> dict[str, Any]:
    return latest_run(db, actor)


@router.get("/risk/runs/latest/ep-curve.svg")
def latest_curve(actor: CurrentActor, db: Db) -> Response:
    return Response(ep_curve_svg(latest_run(db, actor)), media_type="image/svg+xml")
