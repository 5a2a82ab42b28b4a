"""Companies: register, read, update, list (scoped to what the actor may see)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.companies import (
    create_company,
    get_company,
    list_companies,
    lookup_postal_code,
    update_company,
)

router = APIRouter(prefix="/companies", tags=["companies"])

CompanyBody = Body(
    ...,
    examples=[
        {
            "corporate_number": "7000012050002",
            "name": "株式会社サンプル製作所",
            "name_kana": "サンプルセイサクショ",
            "postal_code": "102-0093",
            "prefecture": "東京都",
            "address_line": "千代田区平河町2-16-1",
            "industry_group": "29",
            "annual_revenue": 500_000_000,
            "overseas_sales_ratio": "0",
            "employees": 120,
            "personal_data_records": 30_000,
            "handles_my_number": True,
            "handles_card_data": False,
            "cloud_vendors": ["AWS"],
            "key_software_vendors": ["Microsoft"],
            "agency_codes": ["lac", "sjp"],
        }
    ],
)


@router.get("")
def companies(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return list_companies(db, actor)


@router.post("", status_code=201)
def create(actor: CurrentActor, db: Db, body: dict[str, Any] = CompanyBody) -> dict[str, Any]:
    return create_company(db, actor, body)


@router.get("/postal-codes/{code}", tags=["companies"])
def postal_code(code: str, actor: CurrentActor) -> list[dict[str, Any]]:
    return lookup_postal_code(actor, code)


@router.get("/{company_id}")
def read(company_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_company(db, actor, company_id)


@router.put("/{company_id}")
def update(
    company_id: int, actor: CurrentActor, db: Db, body: dict[str, Any] = CompanyBody
) -> dict[str, Any]:
    return update_company(db, actor, company_id, body)
