"""Partner firms (提携先企業) and the emergency services they deliver (PRODUCT.md §6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cybercover.companies import CorporateNumber, Prefecture
from cybercover.errors import InputError, Problem
from cybercover.product.catalogue import on_sale
from cybercover.services.authz import Actor, authorize, person
from cybercover.services.outbound import OutboundPolicy, Resolver, check_url, system_resolve
from cybercover.services.scope import reference
from cybercover.services.uow import Database
from cybercover.storage.models import Organisation, PartnerProfile

__all__ = [
    "NATIONWIDE",
    "check_registration_number",
    "list_partners",
    "partner_view",
    "register_partner",
]

NATIONWIDE = "全国"


def check_registration_number(value: str, field: str = "registration_number") -> str:
    """適格請求書発行事業者登録番号: ``T`` and a 13-digit corporate number (check digit)."""
    text = value.strip().upper()
    if len(text) != 14 or not text.startswith("T"):
        raise InputError(
            [
                Problem(
                    field,
                    "registration_number",
                    "T＋13桁で指定してください（例: T7000012050002）",
                    "must be T followed by 13 digits (e.g. T7000012050002)",
                )
            ]
        )
    try:
        CorporateNumber.parse(text[1:])
    except ValueError as exc:
        ja, _, en = str(exc).partition(" / ")
        raise InputError([Problem(field, "registration_number", ja, en or ja)]) from None
    return text


def partner_view(org: Organisation, profile: PartnerProfile) -> dict[str, Any]:
    return {
        "id": org.id,
        "code": org.code,
        "name": org.name,
        "services": profile.services,
        "regions": profile.regions,
        "invoice_registration_number": profile.invoice_registration_number,
        "contact_email": profile.contact_email,
    }


def register_partner(
    db: Database,
    actor: Actor,
    *,
    organisation_id: int,
    services: list[str],
    regions: list[str],
    registration_number: str,
    contact_email: str,
    webhook_url: str | None = None,
    outbound: OutboundPolicy | None = None,
    resolve: Resolver = system_resolve,
) -> dict[str, Any]:
    """Record which of the seven services a partner organisation delivers, and where.

    ``webhook_url`` must pass the outbound rule (services/outbound.py): http(s), no
    credentials, a public host unless ``outbound`` (the administrator's
    ``CYBERCOVER_OUTBOUND_ALLOW``; none given: nothing beyond public addresses) allows it.
    """
    authorize(actor, "partner.manage")
    known = [s.code for s in on_sale().emergency_support.services]  # the programme's
    problems: list[Problem] = []
    for i, service in enumerate(services):
        if service not in known:
            problems.append(
                Problem(
                    f"services[{i}]",
                    "unknown_service",
                    f"不明なサービスです（{', '.join(known)}）",
                    f"must be one of {', '.join(known)}",
                )
            )
    if not services:
        problems.append(
            Problem("services", "too_short", "1つ以上指定してください", "give at least one service")
        )
    for i, region in enumerate(regions):
        if region != NATIONWIDE:
            try:
                regions[i] = Prefecture.parse(region).ja
            except ValueError:
                problems.append(
                    Problem(
                        f"regions[{i}]",
                        "unknown_prefecture",
                        f"都道府県名または「{NATIONWIDE}」で指定してください",
                        f"must be a prefecture or {NATIONWIDE} (nationwide)",
                    )
                )
    if webhook_url is not None:
        try:
            check_url(webhook_url, outbound or OutboundPolicy(), resolve, path="webhook_url")
        except InputError as exc:
            problems.extend(exc.problems)
    try:
        number = check_registration_number(registration_number)
    except InputError as exc:
        problems.extend(exc.problems)
        number = ""
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        org = reference(uow.session, actor, Organisation, organisation_id, "organisation_id")
        if org.kind != "partner":
            raise InputError(
                [
                    Problem(
                        "organisation_id",
                        "not_a_partner",
                        "提携先企業の組織を指定してください",
                        "name an organisation of kind partner",
                    )
                ]
            )
        profile = uow.session.get(PartnerProfile, org.id)
        before = partner_view(org, profile) if profile else None
        if profile is None:
            profile = PartnerProfile(
                organisation_id=org.id,
                services=[],
                regions=[],
                invoice_registration_number=number,
                contact_email=contact_email,
            )
            uow.session.add(profile)
        profile.services, profile.regions = list(services), list(regions or [NATIONWIDE])
        profile.invoice_registration_number, profile.contact_email = number, contact_email
        profile.webhook_url = webhook_url
        uow.session.flush()
        view = partner_view(org, profile)
        uow.audit(
            person(actor),
            "partner.register",
            ("organisation", org.id),
            before=before,
            after=view,
        )
        return view


def list_partners(
    db: Database, actor: Actor, service: str | None = None, prefecture: str | None = None
) -> list[dict[str, Any]]:
    """Partners, optionally those delivering ``service`` in ``prefecture``."""
    authorize(actor, "partner.read")
    with db.sessions() as session:
        rows = session.execute(
            select(Organisation, PartnerProfile)
            .join(PartnerProfile, PartnerProfile.organisation_id == Organisation.id)
            .order_by(Organisation.id)
        ).all()
        out = []
        for org, profile in rows:
            if service is not None and service not in profile.services:
                continue
            if (
                prefecture is not None
                and NATIONWIDE not in profile.regions
                and prefecture not in profile.regions
            ):
                continue
            out.append(partner_view(org, profile))
        return out
