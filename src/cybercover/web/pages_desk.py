"""Incident pages: the short report form (policyholder or desk), the incident with its
hearing, advice, regulatory clocks and dispatches, the desk's live queue, and the
partner's own dispatches with its work log, estimates and invoices."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Response

from cybercover.errors import ConflictError, InputError
from cybercover.incidents.hearing import hearing
from cybercover.product.catalogue import on_sale
from cybercover.services.authz import authorize, can
from cybercover.services.dispatch import (
    decide_cost,
    desk_queue,
    dispatch_partner,
    dispatchable_services,
    hand_over,
    list_dispatches,
    log_work,
    respond_dispatch,
    submit_cost,
)
from cybercover.services.hearing import (
    complete_deadline,
    give_advice,
    list_deadlines,
    record_hearing,
)
from cybercover.services.incidents import (
    get_incident,
    link_incident,
    report_incident,
    timeline,
    unlink_incident,
)
from cybercover.services.partners import list_partners
from cybercover.web.common import PageDep, form_problems, redirect, render, scoped
from cybercover.web.forms import as_bool, as_int, as_jst, form_data, whole_number

router = APIRouter()

REPORT_FIELDS = ("summary", "caller_name", "caller_contact", "caller_organisation")


# ---------------------------------------------------------------- reporting


def _report_page(
    page: PageDep, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    form = dict(form or {})
    # one key per form shown: sending it twice (a double click, a reload) is one report
    form.setdefault("idempotency_key", secrets.token_urlsafe(16))
    return render(
        page.request,
        "report.html",
        {"form": form, "desk": can(page.actor, "incident.report_for_others")},
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/incidents/new")
def report_form(page: PageDep) -> Response:
    authorize(page.actor, "incident.report")  # the form only for those who may send it
    return _report_page(page)


@router.post("/incidents")
def report_submit(page: PageDep) -> Response:
    form = form_data(page)
    data: dict[str, Any] = {k: form[k] for k in REPORT_FIELDS if form.get(k)}
    data["summary"] = form.get("summary", "")
    if form.get("idempotency_key"):
        data["idempotency_key"] = form["idempotency_key"]
    if form.get("occurred_at"):
        data["occurred_at"] = as_jst(form["occurred_at"])
    if can(page.actor, "incident.report_for_others"):
        data["channel"] = form.get("channel") or "phone"
        if form.get("corporate_number"):
            data["corporate_number"] = form["corporate_number"]
    try:
        incident = report_incident(page.db, page.actor, data)
    except (InputError, ConflictError) as exc:
        return _report_page(page, 422, form_problems(exc), form)
    return redirect(f"/incidents/{incident['id']}", "reported")


# ---------------------------------------------------------------- the incident


def _incident_page(
    page: PageDep, incident_id: int, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    incident = get_incident(page.db, page.actor, incident_id)
    manage = can(page.actor, "incident.manage")
    context: dict[str, Any] = {
        "i": incident,
        "deadlines": list_deadlines(page.db, page.actor, incident_id),
        "manage": manage,
        "form": form or {},
    }
    if manage:
        services = dispatchable_services(page.db, page.actor, incident_id)
        context.update(
            questions=hearing().questions,
            services=services,
            partners={s.code: list_partners(page.db, page.actor, s.code) for s in services},
            dispatches=[
                d for d in list_dispatches(page.db, page.actor) if d["incident_id"] == incident_id
            ],
            events=timeline(page.db, page.actor, incident_id),
            link_choices=[
                (d["id"], f"{d['number']} — {d['summary'][:40]}")
                for d in incident.get("possible_duplicates", [])
                if d["linked_to_id"] is None
            ],
        )
    return render(
        page.request, "incident.html", context, page=page, status=status, problems=problems
    )


@router.get("/incidents/{incident_id}")
def incident_page(page: PageDep, incident_id: int) -> Response:
    return _incident_page(page, incident_id)


@router.post("/incidents/{incident_id}/hearing")
def incident_hearing(page: PageDep, incident_id: int) -> Response:
    form = form_data(page)
    answers: dict[str, Any] = {}
    for q in hearing().questions:
        raw = form.get(f"hearing.{q.code}")
        if raw in (None, ""):
            continue
        if q.type == "bool":
            answers[q.code] = as_bool(raw)
        elif q.type == "int":
            answers[q.code] = as_int(raw)
        elif q.type == "datetime":
            answers[q.code] = as_jst(raw)
        else:
            answers[q.code] = raw
    try:
        record_hearing(page.db, page.actor, incident_id, answers)
    except (InputError, ConflictError) as exc:
        return _incident_page(page, incident_id, 422, form_problems(exc), form)
    return redirect(f"/incidents/{incident_id}", "heard")


def _step(page: PageDep, incident_id: int, done: str, action: Any) -> Response:
    """One button on the incident page: run the service step, or show why not."""
    try:
        action()
    except (InputError, ConflictError) as exc:
        return _incident_page(page, incident_id, 422, form_problems(exc))
    return redirect(f"/incidents/{incident_id}", done)


@router.post("/incidents/{incident_id}/link")
def incident_link(page: PageDep, incident_id: int) -> Response:
    """The operator's decision that this report is part of another incident."""
    form = form_data(page)
    try:
        link_incident(
            page.db,
            page.actor,
            incident_id,
            to_incident_id=whole_number(form, "to_incident_id"),
            reason=form.get("reason", ""),
        )
    except (InputError, ConflictError) as exc:
        problems = scoped(form_problems(exc), "link")
        return _incident_page(page, incident_id, 422, problems, form)
    return redirect(f"/incidents/{incident_id}", "linked")


@router.post("/incidents/{incident_id}/unlink")
def incident_unlink(page: PageDep, incident_id: int) -> Response:
    form = form_data(page)
    try:
        unlink_incident(page.db, page.actor, incident_id, reason=form.get("reason", ""))
    except (InputError, ConflictError) as exc:
        problems = scoped(form_problems(exc), "unlink")
        return _incident_page(page, incident_id, 422, problems, form)
    return redirect(f"/incidents/{incident_id}", "unlinked")


@router.post("/incidents/{incident_id}/advice")
def incident_advice(page: PageDep, incident_id: int) -> Response:
    return _step(
        page, incident_id, "advised", lambda: give_advice(page.db, page.actor, incident_id)
    )


@router.post("/incidents/{incident_id}/hand-over")
def incident_hand_over(page: PageDep, incident_id: int) -> Response:
    return _step(
        page, incident_id, "handed_over", lambda: hand_over(page.db, page.actor, incident_id)
    )


@router.post("/incidents/{incident_id}/deadlines/{deadline_id}")
def deadline_done(page: PageDep, incident_id: int, deadline_id: int) -> Response:
    return _step(
        page,
        incident_id,
        "deadline_done",
        lambda: complete_deadline(page.db, page.actor, deadline_id, incident_id=incident_id),
    )


@router.post("/incidents/{incident_id}/dispatches")
def incident_dispatch(page: PageDep, incident_id: int) -> Response:
    form = form_data(page)
    partner, _, service = form.get("partner_service", "").partition(":")
    form = {**form, "partner_id": partner}
    return _step(
        page,
        incident_id,
        "dispatched",
        lambda: dispatch_partner(
            page.db,
            page.actor,
            incident_id,
            partner_id=whole_number(form, "partner_id"),
            service=service,
        ),
    )


@router.post("/incidents/{incident_id}/costs/{cost_id}")
def cost_decision(page: PageDep, incident_id: int, cost_id: int) -> Response:
    form = form_data(page)
    return _step(
        page,
        incident_id,
        "cost_decided",
        lambda: decide_cost(
            page.db,
            page.actor,
            cost_id,
            approve=form.get("approve") == "yes",
            reason=form.get("reason", ""),
            incident_id=incident_id,
        ),
    )


# ---------------------------------------------------------------- the desk queue


@router.get("/desk")
def desk(page: PageDep) -> Response:
    return render(page.request, "desk.html", {"queue": desk_queue(page.db, page.actor)}, page=page)


@router.get("/desk/queue")
def desk_queue_fragment(page: PageDep) -> Response:
    """The queue alone, polled by HTMX every 30 seconds."""
    return render(
        page.request, "_queue.html", {"queue": desk_queue(page.db, page.actor)}, page=page
    )


# ---------------------------------------------------------------- partners


def _partner_page(
    page: PageDep,
    status: int = 200,
    problems: Any = (),
    form: Any = None,
    dispatch_id: int | None = None,
) -> Response:
    return render(
        page.request,
        "partner.html",
        {
            "dispatches": list_dispatches(page.db, page.actor),
            "services": {s.code: s.label for s in on_sale().emergency_support.services},
            "form": form or {},
            "form_dispatch": dispatch_id,
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/partner")
def partner_home(page: PageDep) -> Response:
    return _partner_page(page)


def _partner_step(
    page: PageDep, dispatch_id: int, done: str, action: Any, form: Any = None
) -> Response:
    """One form of one dispatch card: its problems are shown on that card only."""
    try:
        action()
    except (InputError, ConflictError) as exc:
        problems = scoped(form_problems(exc), f"d{dispatch_id}")
        return _partner_page(page, 422, problems, form, dispatch_id)
    return redirect("/partner", done)


@router.post("/dispatches/{dispatch_id}/response")
def dispatch_response(page: PageDep, dispatch_id: int) -> Response:
    form = form_data(page)
    return _partner_step(
        page,
        dispatch_id,
        "responded",
        lambda: respond_dispatch(
            page.db,
            page.actor,
            dispatch_id,
            accept=form.get("accept") == "yes",
            reason=form.get("reason", ""),
        ),
    )


@router.post("/dispatches/{dispatch_id}/work")
def dispatch_work(page: PageDep, dispatch_id: int) -> Response:
    form = form_data(page)
    return _partner_step(
        page,
        dispatch_id,
        "logged",
        lambda: log_work(
            page.db,
            page.actor,
            dispatch_id,
            note=form.get("note", ""),
            hours=form.get("hours") or "0",
        ),
        form,
    )


@router.post("/dispatches/{dispatch_id}/costs")
def dispatch_cost(page: PageDep, dispatch_id: int) -> Response:
    form = form_data(page)

    def send() -> None:
        submit_cost(
            page.db,
            page.actor,
            dispatch_id,
            kind=form.get("kind", ""),
            description=form.get("description", ""),
            amount_ex_tax=whole_number(form, "amount_ex_tax"),
            tax_rate_percent=whole_number(form, "tax_rate_percent"),
            registration_number=form.get("registration_number", ""),
        )

    return _partner_step(page, dispatch_id, "cost", send, form)
