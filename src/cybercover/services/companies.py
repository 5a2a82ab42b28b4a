"""Insured companies: register (with their own organisation), read, update, list.

Validation is the companies domain's (:func:`cybercover.companies.parse_company`: 法人番号
check digit, NFKC names, postal code ↔ prefecture from Japan Post's data, JSIC). An agent
who registers a company makes it a client of its agency; policies later name both
agencies of the product (共同取扱).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from cybercover.companies import PostalCode, PostalDirectory, PosutoDirectory, parse_company
from cybercover.companies.profile import CompanyProfile
from cybercover.errors import ConflictError, InputError, NotFoundError, Problem
from cybercover.services.authz import Actor, authorize, can
from cybercover.services.scope import load_company, reach_filter
from cybercover.services.snapshots import company_view
from cybercover.services.uow import Database
from cybercover.storage.models import Company, CompanyAgency, Organisation

__all__ = [
    "create_company",
    "get_company",
    "list_companies",
    "lookup_postal_code",
    "postal_directory",
    "update_company",
]

_COUNTRY = re.compile(r"^[A-Z]{2}$")


@lru_cache(maxsize=1)
def postal_directory() -> PostalDirectory:
    return PosutoDirectory()


def _parse(data: dict[str, Any]) -> tuple[CompanyProfile, str]:
    fields = dict(data)
    country = str(fields.pop("country", "JP") or "JP").upper()
    agencies = fields.pop("agency_codes", None)
    del agencies  # handled by the caller
    problems: list[Problem] = []
    if not _COUNTRY.match(country):
        problems.append(
            Problem(
                "country",
                "country_code",
                "ISO 3166-1 の2文字の国コードで指定してください",
                "must be an ISO 3166-1 alpha-2 country code",
            )
        )
    try:
        profile = parse_company(fields, postal_directory())
    except InputError as exc:
        raise InputError([*problems, *exc.problems]) from None
    if problems:
        raise InputError(problems)
    return profile, country


def _apply(company: Company, profile: CompanyProfile, country: str) -> None:
    company.corporate_number = profile.corporate_number.digits
    company.name = profile.name
    company.name_normalized = profile.name
    company.name_kana = profile.name_kana
    company.country = country
    company.postal_code = profile.postal_code.digits
    company.prefecture = profile.prefecture.ja
    company.address = profile.address_line
    company.industry_division = profile.industry.division.code
    company.industry_group = profile.industry.group.code
    company.annual_revenue = profile.annual_revenue
    company.overseas_sales_ratio = str(profile.overseas_sales_ratio)
    company.employees = profile.employees
    company.personal_records = profile.personal_data_records
    company.handles_my_number = profile.handles_my_number
    company.handles_card_data = profile.handles_card_data
    company.cloud_vendors = list(profile.cloud_vendors)
    company.software_vendors = list(profile.key_software_vendors)


def create_company(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Register a company and its organisation; an agent's agency handles it."""
    authorize(actor, "company.create")
    agency_codes = list(data.get("agency_codes") or [])
    profile, country = _parse(data)
    with db.unit_of_work() as uow:
        session = uow.session
        number = profile.corporate_number.digits
        if session.execute(select(Company.id).where(Company.corporate_number == number)).first():
            raise ConflictError(
                "duplicate_corporate_number",
                f"法人番号 {number} の会社は登録済みです",
                f"a company with corporate number {number} is already registered",
            )
        org = Organisation(
            kind="insured_company", code=f"corp-{number}", name=profile.name, created_at=uow.now
        )
        session.add(org)
        session.flush()
        company = Company(organisation_id=org.id, created_at=uow.now, updated_at=uow.now)
        _apply(company, profile, country)
        session.add(company)
        session.flush()
        agency_ids: set[int] = set()
        if can(actor, "sales.as_own_agency"):
            agency_ids.add(actor.organisation_id)
        for code in agency_codes:
            agency = session.execute(
                select(Organisation).where(Organisation.code == code, Organisation.kind == "agency")
            ).scalar_one_or_none()
            if agency is None:
                raise InputError(
                    [
                        Problem(
                            "agency_codes",
                            "unknown_agency",
                            f"代理店 {code} がありません",
                            f"no agency with code {code}",
                        )
                    ]
                )
            agency_ids.add(agency.id)
        for agency_id in sorted(agency_ids):
            session.add(CompanyAgency(company_id=company.id, agency_id=agency_id))
        session.flush()
        view = company_view(company)
        uow.audit(actor.user_id, "company.create", ("company", company.id), after=view)
        return view


def update_company(
    db: Database, actor: Actor, company_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    profile, country = _parse(data)
    with db.unit_of_work() as uow:
        company = load_company(uow.session, actor, company_id, "company.update")
        if profile.corporate_number.digits != company.corporate_number:
            raise InputError(
                [
                    Problem(
                        "corporate_number",
                        "immutable",
                        "法人番号は変更できません",
                        "the corporate number cannot change",
                    )
                ]
            )
        before = company_view(company)
        _apply(company, profile, country)
        company.updated_at = uow.now
        uow.session.flush()
        after = company_view(company)
        uow.audit(
            actor.user_id, "company.update", ("company", company.id), before=before, after=after
        )
        return after


def get_company(db: Database, actor: Actor, company_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        return company_view(load_company(session, actor, company_id, "company.read"))


def list_companies(db: Database, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "company.read")
    with db.sessions() as session:
        query = select(Company).where(reach_filter(actor, Company)).order_by(Company.id)
        return [company_view(c) for c in session.execute(query).scalars()]


def lookup_postal_code(actor: Actor, code: str) -> list[dict[str, Any]]:
    """Postal code → address (prefecture, city, town) from Japan Post's data, so a form
    can fill the address; any signed-in user may look codes up (public data)."""
    try:
        postal = PostalCode.parse(code)
    except ValueError as exc:
        ja, _, en = str(exc).partition(" / ")
        raise InputError([Problem("postal_code", "postal_code_format", ja, en or ja)]) from None
    areas = postal_directory().lookup(postal)
    if not areas:
        raise NotFoundError("postal code", postal.digits)
    return [
        {
            "postal_code": str(a.postal_code),
            "prefecture": {"code": a.prefecture.code, "ja": a.prefecture.ja, "en": a.prefecture.en},
            "city": a.city,
            "town": a.town,
        }
        for a in areas
    ]
