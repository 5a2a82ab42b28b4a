"""The claims handler's pages: the claims list, and the worksheet of one claim — each
loss item, what is payable, each yen withheld with its clause — reserves, payments and
their approval."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Response

from cybercover.errors import AuthorityError, ConflictError, InputError
from cybercover.services.authz import can
from cybercover.services.claims import (
    add_loss_item,
    adjudicate_claim,
    approve_payment,
    complete_documents,
    get_claim,
    latest_worksheet,
    list_claims,
    open_claim,
    record_recovery,
    request_payment,
    set_reserve,
)
from cybercover.web.common import PageDep, form_problems, redirect, render, scoped
from cybercover.web.forms import as_int, form_data, moment, whole_number
from cybercover.web.labels import LIMITS

router = APIRouter()


def _claims_page(
    page: PageDep, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    return render(
        page.request,
        "claims.html",
        {"claims": list_claims(page.db, page.actor), "form": form or {}},
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/claims")
def claims_home(page: PageDep) -> Response:
    return _claims_page(page)


@router.post("/claims")
def claim_open(page: PageDep) -> Response:
    form = form_data(page)
    try:
        policy_id, incident_id = as_int(form.get("policy_id")), as_int(form.get("incident_id"))
        claim = open_claim(
            page.db,
            page.actor,
            policy_id=whole_number(form, "policy_id") if policy_id is not None else None,
            incident_id=whole_number(form, "incident_id") if incident_id is not None else None,
            accident_at=moment(form, "accident_at"),
        )
    except (InputError, ConflictError) as exc:
        return _claims_page(page, 422, form_problems(exc), form)
    return redirect(f"/claims/{claim['id']}", "claim_opened")


def _claim_page(
    page: PageDep, claim_id: int, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    claim = get_claim(page.db, page.actor, claim_id)
    return render(
        page.request,
        "claim.html",
        {
            "c": claim,
            "sheet": latest_worksheet(page.db, page.actor, claim_id),
            "manage": can(page.actor, "claim.manage"),
            "coverages": list(LIMITS)[:4],
            "payment_key": secrets.token_urlsafe(12),
            "form": form or {},
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/claims/{claim_id}")
def claim_page(page: PageDep, claim_id: int) -> Response:
    return _claim_page(page, claim_id)


def _claim_step(page: PageDep, claim_id: int, done: str, action: Any, scope: str = "") -> Response:
    form = form_data(page)
    try:
        action(form)
    except (InputError, ConflictError, AuthorityError) as exc:
        problems = form_problems(exc)
        if scope:
            problems = scoped(problems, scope)
            form = {}
        return _claim_page(page, claim_id, 422, problems, form)
    return redirect(f"/claims/{claim_id}", done)


@router.post("/claims/{claim_id}/items")
def claim_item(page: PageDep, claim_id: int) -> Response:
    def add(form: dict[str, str]) -> None:
        victims = as_int(form.get("victims"))
        add_loss_item(
            page.db,
            page.actor,
            claim_id,
            coverage=form.get("coverage", ""),
            category=form.get("category", ""),
            description=form.get("description", ""),
            amount=whole_number(form, "amount"),
            victims=whole_number(form, "victims") if victims is not None else None,
            consent=form.get("consent") == "yes",
        )

    return _claim_step(page, claim_id, "item", add)


@router.post("/claims/{claim_id}/adjudication")
def claim_adjudicate(page: PageDep, claim_id: int) -> Response:
    return _claim_step(
        page, claim_id, "adjudicated", lambda _: adjudicate_claim(page.db, page.actor, claim_id)
    )


@router.post("/claims/{claim_id}/reserves")
def claim_reserve(page: PageDep, claim_id: int) -> Response:
    return _claim_step(
        page,
        claim_id,
        "reserve",
        lambda form: set_reserve(
            page.db,
            page.actor,
            claim_id,
            coverage=form.get("coverage", ""),
            amount=whole_number(form, "amount"),
            reason=form.get("reason", ""),
        ),
        scope="reserve",
    )


@router.post("/claims/{claim_id}/payments")
def claim_payment(page: PageDep, claim_id: int) -> Response:
    return _claim_step(
        page,
        claim_id,
        "payment",
        lambda form: request_payment(
            page.db, page.actor, claim_id, idempotency_key=form.get("idempotency_key", "")
        ),
    )


@router.post("/claims/{claim_id}/documents-complete")
def claim_documents_complete(page: PageDep, claim_id: int) -> Response:
    return _claim_step(
        page,
        claim_id,
        "documents_complete",
        lambda _: complete_documents(page.db, page.actor, claim_id),
    )


@router.post("/claims/{claim_id}/recoveries")
def claim_recovery(page: PageDep, claim_id: int) -> Response:
    return _claim_step(
        page,
        claim_id,
        "recovery",
        lambda form: record_recovery(
            page.db,
            page.actor,
            claim_id,
            amount=whole_number(form, "amount"),
            from_party=form.get("from_party", ""),
            note=form.get("note", ""),
        ),
        scope="recovery",
    )


@router.post("/claims/{claim_id}/payments/{payment_id}/approval")
def claim_approval(page: PageDep, claim_id: int, payment_id: int) -> Response:
    return _claim_step(
        page,
        claim_id,
        "approved",
        lambda _: approve_payment(page.db, page.actor, payment_id, claim_id=claim_id),
    )
