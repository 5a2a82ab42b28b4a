"""The administrator's page: users and organisations, product versions, and the audit
log's hash chain verified on demand."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Response

from cybercover.errors import ConflictError, InputError, NotFoundError, Problem
from cybercover.product import load_product, products_dir
from cybercover.product.catalogue import on_sale
from cybercover.services.audit import recent_audit, verify_audit_as
from cybercover.services.outbound import OutboundPolicy
from cybercover.services.partners import list_partners, register_partner
from cybercover.services.people import (
    ORG_KINDS,
    create_organisation,
    create_user,
    list_organisations,
    list_users,
    set_user_active,
)
from cybercover.web.common import PageDep, form_problems, redirect, render, scoped
from cybercover.web.forms import as_int, form_data, whole_number
from cybercover.web.labels import ROLES

router = APIRouter()


def _admin_page(
    page: PageDep,
    status: int = 200,
    problems: Any = (),
    form: Any = None,
    verify: bool = False,
) -> Response:
    users = list_users(page.db, page.actor)  # refuses anyone but an administrator first
    organisations = list_organisations(page.db, page.actor)
    services = on_sale().emergency_support.services
    report = verify_audit_as(page.db, page.actor) if verify else None
    return render(
        page.request,
        "admin.html",
        {
            "users": users,
            "organisations": organisations,
            "org_names": {o["id"]: o["name"] for o in organisations},
            "org_choices": [(o["id"], f"{o['name']} ({o['kind']})") for o in organisations],
            "org_kinds": ORG_KINDS,
            "roles": list(ROLES),
            "products": [
                load_product(path).product for path in sorted(products_dir().glob("*.toml"))
            ],
            "audit": recent_audit(page.db, page.actor, 20),
            "partners": list_partners(page.db, page.actor),
            "service_choices": [(service.code, service.label) for service in services],
            "service_labels": {service.code: service.label for service in services},
            "partner_orgs": [(o["id"], o["name"]) for o in organisations if o["kind"] == "partner"],
            "report": report,
            "form": form or {},
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/admin")
def admin_home(page: PageDep, verify: int = 0) -> Response:
    return _admin_page(page, verify=bool(verify))


@router.get("/audit")
def audit_home(page: PageDep, verify: int = 0) -> Response:
    """The audit log for internal audit (and administrators): the latest rows, who did
    what, and the hash chain verified on request; reading it changes nothing."""
    rows = recent_audit(page.db, page.actor, 200)  # refuses anyone without audit.read
    report = verify_audit_as(page.db, page.actor) if verify else None
    return render(page.request, "audit.html", {"audit": rows, "report": report}, page=page)


@router.post("/admin/users")
def admin_user(page: PageDep) -> Response:
    form = form_data(page)
    try:
        authority = as_int(form.get("payment_authority"))
        create_user(
            page.db,
            page.actor,
            organisation_id=whole_number(form, "organisation_id"),
            email=form.get("email", ""),
            display_name=form.get("display_name", ""),
            role=form.get("role", ""),
            password=form.get("password", ""),
            payment_authority=whole_number(form, "payment_authority")
            if authority is not None
            else None,
            underwriting_authority=whole_number(form, "underwriting_authority")
            if form.get("underwriting_authority")
            else 0,
        )
    except (InputError, ConflictError) as exc:
        return _admin_page(page, 422, form_problems(exc), form)
    return redirect("/admin", "user")


@router.post("/admin/users/{user_id}/deactivate")
def admin_deactivate_user(user_id: int, page: PageDep) -> Response:
    return _set_active(page, user_id, active=False)


@router.post("/admin/users/{user_id}/activate")
def admin_activate_user(user_id: int, page: PageDep) -> Response:
    return _set_active(page, user_id, active=True)


def _set_active(page: PageDep, user_id: int, *, active: bool) -> Response:
    try:
        set_user_active(page.db, page.actor, user_id, active=active)
    except ConflictError as exc:
        return _admin_page(page, 409, form_problems(exc))
    return redirect("/admin", "user_activated" if active else "user_deactivated")


@router.post("/admin/partners")
def admin_partner(page: PageDep) -> Response:
    """Register (or update) a partner firm's services, regions, invoice registration
    number and contact: what the desk's dispatch searches by."""
    form = form_data(page)
    codes = [service.code for service in on_sale().emergency_support.services]
    regions = [r.strip() for r in re.split(r"[,、，\s]+", form.get("regions", "")) if r.strip()]
    try:
        register_partner(
            page.db,
            page.actor,
            organisation_id=whole_number(form, "organisation_id"),
            services=[code for code in codes if form.get(f"service.{code}") == "yes"],
            regions=regions,
            registration_number=form.get("registration_number", ""),
            contact_email=form.get("contact_email", ""),
            webhook_url=form.get("webhook_url") or None,
            outbound=OutboundPolicy.from_settings(page.request.app.state.settings),
        )
    except NotFoundError:
        missing = Problem(
            "partner.organisation_id",
            "not_found",
            "提携先（partner）の組織を選んでください",
            "choose an organisation of kind partner",
        )
        return _admin_page(page, 422, [missing], form)
    except (InputError, ConflictError) as exc:
        return _admin_page(page, 422, scoped(form_problems(exc), "partner"), form)
    return redirect("/admin", "partner")


@router.post("/admin/organisations")
def admin_organisation(page: PageDep) -> Response:
    form = form_data(page)
    try:
        create_organisation(
            page.db,
            page.actor,
            kind=form.get("kind", ""),
            code=form.get("code", ""),
            name=form.get("name", ""),
        )
    except (InputError, ConflictError) as exc:
        return _admin_page(page, 422, form_problems(exc), form)
    return redirect("/admin", "organisation")
