"""A rate-table quote without a submission: the premium and every factor, stored nowhere.

The body is the `cybercover rate` request (docs/rating.md): company facts, the options
and the disclosure answers. For agents, underwriters and administrators (``quote.create``);
a quote that binds still goes through a submission (``/submissions/{id}/quotes``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from cybercover.api.deps import CurrentActor
from cybercover.product.catalogue import on_sale
from cybercover.rating.request import run_rate_request
from cybercover.services.authz import authorize

router = APIRouter(tags=["rating"])


@router.post(
    "/rating",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
async def rate_request(request: Request, actor: CurrentActor) -> dict[str, Any]:
    authorize(actor, "quote.create")
    text = (await request.body()).decode("utf-8", errors="replace")
    return run_rate_request(text, on_sale(), source="request")
