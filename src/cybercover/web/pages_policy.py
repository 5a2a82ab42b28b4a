"""Policyholder, agent and underwriter pages: cover at a glance, clients, submissions with
the disclosure form, quotes side by side, bind, endorse, renew, cancel, commission, and
the referral queue."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Response

from cybercover.demo import OPTIONS
from cybercover.edge import parse_month
from cybercover.errors import AuthorityError, ConflictError, InputError, Problem
from cybercover.product import Product
from cybercover.product.catalogue import named
from cybercover.services.authz import can
from cybercover.services.billing import commission_statement, record_payment
from cybercover.services.claims import limits_left, list_claims, submit_claim_document
from cybercover.services.companies import create_company, list_companies
from cybercover.services.endorsements import (
    apply_endorsement,
    get_endorsement,
    list_endorsements,
    quote_endorsement,
)
from cybercover.services.incidents import list_incidents
from cybercover.services.policies import (
    PREBIND_KINDS,
    bind_quote,
    cancel_policy,
    get_policy,
    issue_policy,
    jst_date,
    list_policies,
    reinstate_policy,
)
from cybercover.services.risk import technical_price_for_quote
from cybercover.services.submissions import (
    create_submission,
    decide_issue,
    get_submission,
    list_submissions,
    quote_submission,
    record_prebinds,
    referral_queue,
    renew_policy,
    update_submission,
    upload_document,
)
from cybercover.services.terms_versions import terms_history
from cybercover.timeutil import JST
from cybercover.web.common import PageDep, form_problems, redirect, render, scoped
from cybercover.web.forms import (
    LIMIT_KEYS,
    as_bool,
    as_int,
    day,
    form_data,
    option_from_form,
    read_upload,
    upload,
    whole_number,
)

router = APIRouter()

# the quote form starts from the product page's plan ① and plan ② with business
# interruption (the demo's options); the agent changes any figure
DEFAULT_OPTIONS = OPTIONS


# ---------------------------------------------------------------- policyholder


def _my_page(page: PageDep, status: int = 200, problems: Any = ()) -> Response:
    policies = list_policies(page.db, page.actor)
    for policy in policies:
        policy["limits_left"] = limits_left(page.db, page.actor, policy["id"])
    return render(
        page.request,
        "my.html",
        {
            "policies": policies,
            "incidents": list_incidents(page.db, page.actor),
            "claims": list_claims(page.db, page.actor),
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/my")
def my_cover(page: PageDep) -> Response:
    return _my_page(page)


@router.post("/my/claims/{claim_id}/documents")
def my_claim_document(page: PageDep, claim_id: int) -> Response:
    """The insured sends a document for its own claim."""
    limit = page.request.app.state.settings.max_upload_bytes
    document = upload(page, "file")
    name, kind, data = "", "", b""  # no file chosen: the service says it is empty
    if document is not None:
        name, kind = document.filename or "document", document.content_type or ""
        data = read_upload(document, limit + 1)
    try:
        submit_claim_document(
            page.db,
            page.actor,
            claim_id,
            filename=name,
            content_type=kind,
            data=data,
            max_bytes=limit,
        )
    except (InputError, ConflictError) as exc:
        return _my_page(page, 422, scoped(form_problems(exc), f"c{claim_id}"))
    return redirect("/my", "document")


# ---------------------------------------------------------------- policies


def _policy_page(page: PageDep, policy_id: int, status: int = 200, problems: Any = ()) -> Response:
    policy = get_policy(page.db, page.actor, policy_id)
    product = named(policy["product"])
    return render(
        page.request,
        "policy.html",
        {
            "policy": policy,
            "limits": limits_left(page.db, page.actor, policy_id),
            "terms_history": terms_history(page.db, page.actor, policy_id),
            "may_change": can(page.actor, "policy.change"),
            "may_pay": can(page.actor, "billing.record_payment"),
            "may_decide": can(page.actor, "underwriting.decide"),
            "today": jst_date(page.db.clock()).isoformat(),
            "default_option": policy["terms"],
            # endorsements waiting to be applied, with their underwriting (issue #17)
            "endorsements": list_endorsements(page.db, page.actor, policy_id),
            "questions": product.disclosure.questions,
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/policies/{policy_id}")
def policy_page(page: PageDep, policy_id: int) -> Response:
    return _policy_page(page, policy_id)


@router.post("/policies/{policy_id}/issue")
def policy_issue(page: PageDep, policy_id: int) -> Response:
    try:
        issue_policy(page.db, page.actor, policy_id)
    except (InputError, ConflictError) as exc:
        return _policy_page(page, policy_id, 422, form_problems(exc))
    return redirect(f"/policies/{policy_id}", "issued")


@router.post("/policies/{policy_id}/endorse")
def policy_endorse(page: PageDep, policy_id: int) -> Response:
    """Quote the endorsement and, when its underwriting leaves nothing open, apply it;
    otherwise it waits on the page (and in the referral queue) with its issues."""
    form = form_data(page)
    company = {
        "annual_revenue": as_int(form.get("company.annual_revenue")),
        "industry_group": form.get("company.industry_group") or None,
    }
    product = named(get_policy(page.db, page.actor, policy_id)["product"])
    try:
        quoted = quote_endorsement(
            page.db,
            page.actor,
            policy_id,
            effective_date=day(form, "effective_date"),
            option=option_from_form(form, "option"),
            company={k: v for k, v in company.items() if v is not None},
            disclosure=_answers_from_form(form, product),
        )
        if quoted["status"] != "quoted":
            return redirect(f"/policies/{policy_id}", f"endorsement_{quoted['status']}")
        apply_endorsement(page.db, page.actor, quoted["id"])
    except (InputError, ConflictError) as exc:
        return _policy_page(page, policy_id, 422, form_problems(exc))
    return redirect(f"/policies/{policy_id}", "endorsed")


@router.post("/endorsements/{transaction_id}/apply")
def endorsement_apply(page: PageDep, transaction_id: int) -> Response:
    """Apply an endorsement whose issues an underwriter has cleared."""
    endorsement = get_endorsement(page.db, page.actor, transaction_id)
    policy_id = endorsement["policy_id"]
    try:
        apply_endorsement(page.db, page.actor, transaction_id)
    except (InputError, ConflictError) as exc:
        return _policy_page(page, policy_id, 422, form_problems(exc))
    return redirect(f"/policies/{policy_id}", "endorsed")


def _answers_from_form(form: dict[str, str], product: Product) -> dict[str, Any]:
    """The disclosure answers given on a form (``disclosure.<code>``); blank: no change."""
    answers: dict[str, Any] = {}
    for q in product.disclosure.questions:
        raw = form.get(f"disclosure.{q.code}")
        value = as_bool(raw) if q.type == "bool" else as_int(raw) if q.type == "int" else raw
        if value not in (None, ""):
            answers[q.code] = value
    return answers


@router.post("/policies/{policy_id}/renew")
def policy_renew(page: PageDep, policy_id: int) -> Response:
    try:
        renewal = renew_policy(page.db, page.actor, policy_id)
    except (InputError, ConflictError) as exc:
        return _policy_page(page, policy_id, 422, form_problems(exc))
    return redirect(f"/submissions/{renewal['id']}", "renewal")


@router.post("/policies/{policy_id}/cancel")
def policy_cancel(page: PageDep, policy_id: int) -> Response:
    form = form_data(page)
    try:
        cancel_policy(
            page.db,
            page.actor,
            policy_id,
            effective_date=day(form, "effective_date"),
            by=form.get("by", ""),
            reason=form.get("reason", ""),
        )
    except (InputError, ConflictError) as exc:
        return _policy_page(page, policy_id, 422, form_problems(exc))
    return redirect(f"/policies/{policy_id}", "cancelled")


@router.post("/policies/{policy_id}/reinstate")
def policy_reinstate(page: PageDep, policy_id: int) -> Response:
    form = form_data(page)
    try:
        reinstate_policy(page.db, page.actor, policy_id, reason=form.get("reason", ""))
    except (InputError, ConflictError) as exc:
        return _policy_page(page, policy_id, 422, form_problems(exc))
    return redirect(f"/policies/{policy_id}", "reinstated")


@router.post("/policies/{policy_id}/invoices/{invoice_id}/payment")
def policy_payment(page: PageDep, policy_id: int, invoice_id: int) -> Response:
    """Record a receipt (or a refund paid out) on one of the policy's invoices: the amount,
    the bank's value date (a day in Japan, from its first moment; blank: now) and, for a
    value date before an accident already reported, an underwriter's confirmation."""
    form = form_data(page)
    try:
        value_day = day(form, "paid_at") if form.get("paid_at") else None
        record_payment(
            page.db,
            page.actor,
            invoice_id,
            amount=whole_number(form, "amount"),
            paid_at=datetime.combine(value_day, time(0), tzinfo=JST) if value_day else None,
            confirm=as_bool(form.get("confirm")) is True,
        )
    except (InputError, ConflictError, AuthorityError) as exc:
        return _policy_page(page, policy_id, 422, scoped(form_problems(exc), f"inv{invoice_id}"))
    return redirect(f"/policies/{policy_id}", "premium_recorded")


# ---------------------------------------------------------------- agent


def _agent_page(
    page: PageDep, status: int = 200, problems: Any = (), form: dict[str, str] | None = None
) -> Response:
    companies = list_companies(page.db, page.actor)
    return render(
        page.request,
        "agent.html",
        {
            "companies": companies,
            "company_choices": [(c["id"], c["name"]) for c in companies],
            "company_names": {c["id"]: c["name"] for c in companies},
            "submissions": list_submissions(page.db, page.actor),
            "policies": list_policies(page.db, page.actor),
            "today": jst_date(page.db.clock()).isoformat(),
            "form": form or {},
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/agent")
def agent_home(page: PageDep) -> Response:
    return _agent_page(page)


COMPANY_TEXT = (
    "corporate_number",
    "name",
    "name_kana",
    "postal_code",
    "prefecture",
    "address_line",
    "industry_group",
    "overseas_sales_ratio",
)
COMPANY_INT = ("annual_revenue", "employees", "personal_data_records")


@router.post("/agent/companies")
def company_create(page: PageDep) -> Response:
    """Register a client; the agent's own agency handles it (the service adds it)."""
    form = form_data(page)
    data: dict[str, Any] = {k: form.get(k, "") for k in COMPANY_TEXT}
    data.update({k: as_int(form.get(k)) for k in COMPANY_INT})
    data.update({k: as_bool(form.get(k)) for k in ("handles_my_number", "handles_card_data")})
    for key in ("cloud_vendors", "key_software_vendors"):
        data[key] = [v.strip() for v in form.get(key, "").split(",") if v.strip()]
    try:
        create_company(page.db, page.actor, data)
    except (InputError, ConflictError) as exc:
        return _agent_page(page, 422, form_problems(exc), form)
    return redirect("/agent", "client")


@router.post("/submissions")
def submission_create(page: PageDep) -> Response:
    form = form_data(page)
    try:
        created = create_submission(
            page.db,
            page.actor,
            company_id=whole_number(form, "company_id"),
            start_date=day(form, "start_date"),
        )
    except (InputError, ConflictError) as exc:
        return _agent_page(page, 422, form_problems(exc))
    return redirect(f"/submissions/{created['id']}", "created")


def _submission_page(
    page: PageDep,
    submission_id: int,
    status: int = 200,
    problems: Any = (),
    form: dict[str, str] | None = None,
) -> Response:
    submission = get_submission(page.db, page.actor, submission_id)
    product = named(submission["product"])
    quotes = [q for q in submission["quotes"] if q["status"] in ("quoted", "bound")]
    codes: list[str] = []
    for q in quotes:
        for f in q["factors"]:
            if f["code"] not in codes:
                codes.append(f["code"])
    factor_rows = [
        {
            "code": code,
            "label": next(f for q in quotes for f in q["factors"] if f["code"] == code),
            "cells": [next((f for f in q["factors"] if f["code"] == code), None) for q in quotes],
        }
        for code in codes
    ]
    return render(
        page.request,
        "submission.html",
        {
            "s": submission,
            "questions": product.disclosure.questions,
            "isms_bodies": product.disclosure.isms.bodies,
            "quotes": quotes,
            "factor_rows": factor_rows,
            "options": submission["options"] or DEFAULT_OPTIONS,
            "prebind": list(PREBIND_KINDS.items()),
            "payment_plans": list(product.policy.payment_plans),
            "payment_methods": list(product.policy.payment_methods),
            "may_write": can(page.actor, "submission.write"),
            # the technical price beside the table's (issue #6): the insurer's roles only
            "technical": {
                q["id"]: technical_price_for_quote(page.db, page.actor, q["id"]) for q in quotes
            }
            if can(page.actor, "risk.read")
            else {},
            "form": form or {},
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/submissions/{submission_id}")
def submission_page(page: PageDep, submission_id: int) -> Response:
    return _submission_page(page, submission_id)


@router.post("/submissions/{submission_id}/disclosure")
def submission_disclosure(page: PageDep, submission_id: int) -> Response:
    form = form_data(page)
    submission = get_submission(page.db, page.actor, submission_id)
    product = named(submission["product"])
    answers = _answers_from_form(form, product)
    isms: dict[str, Any] | None = None
    if form.get("isms.certified"):
        isms = {"certified": as_bool(form["isms.certified"])}
        for key in ("body", "certificate_number", "expires_on", "scope"):
            if form.get(f"isms.{key}"):
                isms[key] = form[f"isms.{key}"]
    try:
        update_submission(page.db, page.actor, submission_id, disclosure=answers, isms=isms)
        copy = upload(page, "isms_copy")
        if copy is not None:
            data = read_upload(copy, page.request.app.state.settings.max_upload_bytes + 1)
            upload_document(
                page.db,
                page.actor,
                submission_id,
                kind="isms_certificate",
                filename=copy.filename or "isms.pdf",
                content_type=copy.content_type or "",
                data=data,
                max_bytes=page.request.app.state.settings.max_upload_bytes,
            )
    except (InputError, ConflictError) as exc:
        return _submission_page(page, submission_id, 422, form_problems(exc), form)
    return redirect(f"/submissions/{submission_id}", "saved")


@router.post("/submissions/{submission_id}/quote")
def submission_quote(page: PageDep, submission_id: int) -> Response:
    form = form_data(page)
    options = [o for i in range(2) if (o := option_from_form(form, f"options[{i}]"))]
    try:
        result = quote_submission(page.db, page.actor, submission_id, options)
    except (InputError, ConflictError) as exc:
        return _submission_page(page, submission_id, 422, form_problems(exc), form)
    return redirect(f"/submissions/{submission_id}", result["status"])


@router.post("/submissions/{submission_id}/prebind")
def submission_prebind(page: PageDep, submission_id: int) -> Response:
    form = form_data(page)
    try:
        record_prebinds(
            page.db,
            page.actor,
            submission_id,
            [kind for kind in PREBIND_KINDS if form.get(kind) == "yes"],
        )
    except (InputError, ConflictError) as exc:
        return _submission_page(page, submission_id, 422, form_problems(exc), form)
    return redirect(f"/submissions/{submission_id}", "prebind")


@router.post("/quotes/{quote_id}/bind")
def quote_bind(page: PageDep, quote_id: int) -> Response:
    form = form_data(page)
    submission_id = as_int(form.get("submission_id"))
    try:
        policy = bind_quote(
            page.db,
            page.actor,
            quote_id,
            payment_plan=form.get("payment_plan", ""),
            payment_method=form.get("payment_method", ""),
        )
    except (InputError, ConflictError) as exc:
        if isinstance(submission_id, int):
            return _submission_page(page, submission_id, 422, form_problems(exc), form)
        raise
    return redirect(f"/policies/{policy['id']}", "bound")


@router.get("/agent/commission")
def commission(page: PageDep, month: str = "") -> Response:
    month = month or jst_date(page.db.clock()).strftime("%Y-%m")
    year, number = parse_month(month)
    statement = commission_statement(page.db, page.actor, page.actor.organisation_id, year, number)
    return render(
        page.request, "commission.html", {"statement": statement, "month": month}, page=page
    )


# ---------------------------------------------------------------- underwriter


def _queue_page(page: PageDep, status: int = 200, problems: Any = ()) -> Response:
    return render(
        page.request,
        "underwriting.html",
        {"queue": referral_queue(page.db, page.actor), "limit_keys": LIMIT_KEYS},
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/underwriting")
def underwriting_queue(page: PageDep) -> Response:
    return _queue_page(page)


@router.post("/underwriting/issues/{issue_id}")
def underwriting_decide(page: PageDep, issue_id: int) -> Response:
    form = form_data(page)
    decision: dict[str, Any] = {"kind": form.get("kind", ""), "reason": form.get("reason", "")}
    limits = {k: as_int(form.get(f"limits.{k}")) for k in LIMIT_KEYS if form.get(f"limits.{k}")}
    if limits:
        decision["limits"] = limits
    try:
        decide_issue(page.db, page.actor, issue_id, decision)
    except (InputError, ConflictError, AuthorityError) as exc:
        problems = [
            Problem(p.path.removeprefix("decision."), p.rule, p.ja, p.en)
            for p in form_problems(exc)
        ]
        return _queue_page(page, 422, scoped(problems, f"issue{issue_id}"))
    return redirect("/underwriting", "decided")
