"""The claims handler's pages: the claims list, and the worksheet of one claim — each
loss item, what is payable, each yen withheld with its clause — reserves, payments and
their approval."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Response

from cybercover.claims.lifecycle import Status
from cybercover.errors import AuthorityError, ConflictError, InputError
from cybercover.product.catalogue import named
from cybercover.services.authz import can
from cybercover.services.claim_lifecycle import (
    claim_handlers,
    claim_lifecycle,
    close_claim,
    deny_claim,
    reopen_claim,
)
from cybercover.services.claims import (
    add_loss_item,
    adjudicate_claim,
    approve_payment,
    complete_documents,
    correct_loss_item,
    get_claim,
    give_circumstance_notice,
    latest_worksheet,
    list_claims,
    open_claim,
    record_recovery,
    request_payment,
    set_reserve,
    undo_payment,
)
from cybercover.web.common import PageDep, form_problems, redirect, render, scoped
from cybercover.web.forms import as_int, form_data, moment, whole_number
from cybercover.web.i18n import translations
from cybercover.web.labels import LIMITS, STATUSES

router = APIRouter()


def _claims_page(
    page: PageDep, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    # the list by status, policy and handler (issue #17, rule 7): the query's filters
    query = {k: v.strip() for k, v in page.request.query_params.items()}
    try:
        claims = list_claims(page.db, page.actor, **_list_filters(query))
    except InputError as exc:
        claims, status = list_claims(page.db, page.actor), 422
        problems = [*problems, *scoped(list(exc.problems), "filter")]
    manage = can(page.actor, "claim.manage")
    name = translations(page.lang).gettext
    return render(
        page.request,
        "claims.html",
        {
            "claims": claims,
            "manage": manage,
            "form": form or {},
            "filters": query,
            "status_choices": [(s.value, name(STATUSES.get(s.value, s.value))) for s in Status],
            "handler_choices": (
                [(h["id"], h["name"]) for h in claim_handlers(page.db, page.actor)]
                if manage
                else []
            ),
        },
        page=page,
        status=status,
        problems=problems,
    )


def _list_filters(query: dict[str, str]) -> dict[str, Any]:
    """The claims list's filters from the query string (blank: no filter)."""
    return {
        "status": query.get("status") or None,
        "policy_id": whole_number(query, "policy_id") if query.get("policy_id") else None,
        "handler_id": whole_number(query, "handler_id") if query.get("handler_id") else None,
    }


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
            claim_made_at=moment(form, "claim_made_at"),
            circumstance_notice_id=(
                whole_number(form, "circumstance_notice_id")
                if as_int(form.get("circumstance_notice_id")) is not None
                else None
            ),
            known_at=moment(form, "known_at"),
        )
    except (InputError, ConflictError) as exc:
        return _claims_page(page, 422, form_problems(exc), form)
    return redirect(f"/claims/{claim['id']}", "claim_opened")


def _claim_page(
    page: PageDep, claim_id: int, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    claim = get_claim(page.db, page.actor, claim_id)
    life = claim_lifecycle(page.db, page.actor, claim_id)  # status history, allowed events
    return render(
        page.request,
        "claim.html",
        {
            "c": claim,
            "life": life,
            "denial_choices": [
                (r["code"], f"{r['ja'] if page.lang == 'ja' else r['en']} ({r['code']})")
                for r in life["denial_reasons"]
            ],
            "sheet": latest_worksheet(page.db, page.actor, claim_id),
            "product": named(claim["product"]),  # its labels: the version it was sold under
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
            claim_made_at=moment(form, "claim_made_at"),
            act_at=moment(form, "act_at"),
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
            page.db,
            page.actor,
            claim_id,
            idempotency_key=form.get("idempotency_key", ""),
            coverage=form.get("coverage", ""),
            head=form.get("head") or None,
            amount=whole_number(form, "amount"),
            payee_kind=form.get("payee_kind", ""),
            payee_name=form.get("payee_name", ""),
            payee_organisation_id=(
                whole_number(form, "payee_organisation_id")
                if as_int(form.get("payee_organisation_id")) is not None
                else None
            ),
            lien_basis=form.get("lien_basis") or None,
        ),
        scope="pay",
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
        "payment_decided",
        lambda form: approve_payment(
            page.db,
            page.actor,
            payment_id,
            claim_id=claim_id,
            approve=form.get("decision", "approve") != "reject",
            reason=form.get("reason", ""),
        ),
        scope=f"payment{payment_id}",
    )


@router.post("/claims/{claim_id}/payments/{payment_id}/undo")
def claim_payment_undo(page: PageDep, claim_id: int, payment_id: int) -> Response:
    """Void a payment awaiting approval, or reverse a released one, with a reason."""
    return _claim_step(
        page,
        claim_id,
        "payment_undone",
        lambda form: undo_payment(
            page.db, page.actor, payment_id, reason=form.get("reason", ""), claim_id=claim_id
        ),
        scope=f"undo{payment_id}",
    )


@router.post("/claims/{claim_id}/items/{item_id}/correction")
def claim_item_correction(page: PageDep, claim_id: int, item_id: int) -> Response:
    """Amend a loss item's amount, or withdraw it, with a reason (the original is kept)."""

    def correct(form: dict[str, str]) -> None:
        withdraw = form.get("action") == "withdraw"
        correct_loss_item(
            page.db,
            page.actor,
            item_id,
            reason=form.get("reason", ""),
            withdraw=withdraw,
            amount=None if withdraw else whole_number(form, "amount"),
            claim_id=claim_id,
        )

    return _claim_step(page, claim_id, "item_corrected", correct, scope=f"item{item_id}")


# -- the claim lifecycle (issue #17, rule 7): close, deny, reopen ------------------------


@router.post("/claims/{claim_id}/close")
def claim_close(page: PageDep, claim_id: int) -> Response:
    """Close the claim, with a reason."""
    return _claim_step(
        page,
        claim_id,
        "claim_closed",
        lambda form: close_claim(page.db, page.actor, claim_id, reason=form.get("reason", "")),
        scope="close",
    )


@router.post("/claims/{claim_id}/deny")
def claim_deny(page: PageDep, claim_id: int) -> Response:
    """Deny the claim: reason code, clause, the reason in Japanese and English, and an
    internal note."""
    return _claim_step(
        page,
        claim_id,
        "claim_denied",
        lambda form: deny_claim(
            page.db,
            page.actor,
            claim_id,
            reason_code=form.get("reason_code", ""),
            clause=form.get("clause", ""),
            reason_ja=form.get("reason_ja", ""),
            reason_en=form.get("reason_en", ""),
            internal_note=form.get("internal_note", ""),
        ),
        scope="deny",
    )


@router.post("/claims/{claim_id}/reopen")
def claim_reopen(page: PageDep, claim_id: int) -> Response:
    """Reopen a closed or denied claim, with a reason."""
    return _claim_step(
        page,
        claim_id,
        "claim_reopened",
        lambda form: reopen_claim(page.db, page.actor, claim_id, reason=form.get("reason", "")),
        scope="reopen",
    )


@router.post("/claims/notices")
def claim_notice(page: PageDep) -> Response:
    """Record a notice of circumstances under a policy (the claims list page's form)."""
    form = form_data(page)
    try:
        give_circumstance_notice(
            page.db,
            page.actor,
            whole_number(form, "policy_id"),
            description=form.get("description", ""),
            given_at=moment(form, "given_at"),
        )
    except (InputError, ConflictError) as exc:
        return _claims_page(page, 422, scoped(form_problems(exc), "notice"))
    return redirect("/claims", "notice")
