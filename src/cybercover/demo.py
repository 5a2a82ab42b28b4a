"""A small, realistic demo data set for ``cybercover serve --demo``.

Both agencies, the insurer's underwriters and claims handler, the incident desk, a
partner firm for each of the seven emergency services, five insured companies in
different industries and regions, and policies in force for three of them — made through
the same services as real use, so every step is audited. Loading twice changes nothing.
The companies' 法人番号 are made up (with a valid check digit); postal codes are real.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from cybercover.companies import check_digit
from cybercover.product.catalogue import on_sale
from cybercover.services.authz import SYSTEM, Actor, Role
from cybercover.services.billing import record_payment
from cybercover.services.companies import create_company
from cybercover.services.partners import NATIONWIDE, register_partner
from cybercover.services.people import (
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
)
from cybercover.services.policies import (
    PREBIND_KINDS,
    bind_quote,
    get_policy,
    issue_policy,
    jst_date,
)
from cybercover.services.submissions import (
    create_submission,
    quote_submission,
    record_prebind,
    update_submission,
)
from cybercover.services.uow import Database
from cybercover.storage.models import Organisation, PartnerProfile, User

__all__ = ["DEMO_PASSWORD", "load_demo"]

DEMO_PASSWORD = "demo-password-2026"

PARTNERS = [
    ("partner-forensics", "株式会社デモ・フォレンジック", "investigation"),
    ("partner-pr", "デモ広報コンサルティング株式会社", "public_relations"),
    ("partner-callcenter", "デモ・コールセンター株式会社", "call_centre"),
    ("partner-trust", "デモ信頼回復支援株式会社", "trust_recovery"),
    ("partner-gdpr", "デモ国際法律事務所", "gdpr"),
    ("partner-coordination", "デモ・コーディネーション株式会社", "coordination"),
    ("partner-finance", "デモ・ファイナンス株式会社", "finance"),
]

ANSWERS: dict[str, object] = {
    "mfa": True,
    "edr": True,
    "offline_backups": True,
    "patch_cadence_days": 14,
    "incident_response_plan": True,
    "staff_training": True,
    "email_filtering": True,
    "privileged_access_management": False,
    "prior_incidents_3y": 0,
    "rdp_exposed": False,
    "pending_claims": False,
    "known_circumstances": False,
    "outsourced_it": "partly",
    "security_officer": "情報システム部長",
}


def _number(base: str) -> str:
    return f"{check_digit(base)}{base}"


COMPANIES: list[dict[str, Any]] = [
    {
        "corporate_number": _number("010401000001"),
        "name": "株式会社みなと精機",
        "name_kana": "ミナトセイキ",
        "postal_code": "105-0011",
        "prefecture": "東京都",
        "address_line": "港区芝公園1-1-1",
        "industry_group": "29",
        "annual_revenue": 500_000_000,
        "overseas_sales_ratio": "0.05",
        "employees": 140,
        "personal_data_records": 8_000,
        "handles_my_number": True,
        "handles_card_data": False,
        "cloud_vendors": ["AWS"],
        "key_software_vendors": ["Microsoft"],
    },
    {
        "corporate_number": _number("120001000002"),
        "name": "なにわ食品販売株式会社",
        "name_kana": "ナニワショクヒンハンバイ",
        "postal_code": "530-0001",
        "prefecture": "大阪府",
        "address_line": "大阪市北区梅田3-1-1",
        "industry_group": "58",
        "annual_revenue": 1_200_000_000,
        "overseas_sales_ratio": "0",
        "employees": 260,
        "personal_data_records": 45_000,
        "handles_my_number": True,
        "handles_card_data": True,
        "cloud_vendors": ["Microsoft Azure"],
        "key_software_vendors": ["SAP"],
    },
    {
        "corporate_number": _number("011001000003"),
        "name": "株式会社クラウドアプリ開発",
        "name_kana": "クラウドアプリカイハツ",
        "postal_code": "150-0002",
        "prefecture": "東京都",
        "address_line": "渋谷区渋谷2-21-1",
        "industry_group": "39",
        "annual_revenue": 800_000_000,
        "overseas_sales_ratio": "0.15",
        "employees": 90,
        "personal_data_records": 300_000,
        "handles_my_number": True,
        "handles_card_data": True,
        "cloud_vendors": ["AWS", "Google Cloud"],
        "key_software_vendors": ["GitHub"],
    },
    {
        "corporate_number": _number("180001000004"),
        "name": "中部ロジスティクス株式会社",
        "name_kana": "チュウブロジスティクス",
        "postal_code": "450-0002",
        "prefecture": "愛知県",
        "address_line": "名古屋市中村区名駅1-1-4",
        "industry_group": "44",
        "annual_revenue": 2_500_000_000,
        "overseas_sales_ratio": "0",
        "employees": 420,
        "personal_data_records": 20_000,
        "handles_my_number": True,
        "handles_card_data": False,
        "cloud_vendors": ["AWS"],
        "key_software_vendors": ["Oracle"],
    },
    {
        "corporate_number": _number("290001000005"),
        "name": "株式会社はかた食堂",
        "name_kana": "ハカタショクドウ",
        "postal_code": "812-0012",
        "prefecture": "福岡県",
        "address_line": "福岡市博多区博多駅中央街1-1",
        "industry_group": "76",
        "annual_revenue": 300_000_000,
        "overseas_sales_ratio": "0",
        "employees": 60,
        "personal_data_records": 12_000,
        "handles_my_number": True,
        "handles_card_data": True,
        "cloud_vendors": [],
        "key_software_vendors": ["Square"],
    },
]

OPTIONS: list[dict[str, Any]] = [
    {
        "label": "プラン① / Plan 1",
        "limits": {"liability": 100_000_000, "response_costs": 30_000_000},
        "deductibles": {"liability": 100_000, "response_costs": 100_000},
    },
    {
        "label": "プラン② + 利益損害 / Plan 2 + BI",
        "limits": {
            "liability": 500_000_000,
            "response_costs": 100_000_000,
            "profit_loss": 50_000_000,
            "continuation_costs": 50_000_000,
            "business_interruption": 50_000_000,
        },
        "deductibles": {"liability": 100_000, "response_costs": 100_000},
        "business_interruption": True,
        "waiting_period": {"hours": 12, "mode": "qualifying"},
    },
]


def _org(db: Database, kind: str, code: str, name: str) -> int:
    with db.sessions() as session:
        found = session.execute(select(Organisation.id).where(Organisation.code == code)).scalar()
    return (
        found
        if found is not None
        else create_organisation(db, SYSTEM, kind=kind, code=code, name=name)
    )


def _user(db: Database, org: int, email: str, name: str, role: Role, **extra: Any) -> None:
    with db.sessions() as session:
        if session.execute(select(User.id).where(User.email == email)).first():
            return
    create_user(
        db,
        SYSTEM,
        organisation_id=org,
        email=email,
        display_name=name,
        role=role.value,
        password=DEMO_PASSWORD,
        **extra,
    )


def load_demo(db: Database) -> Iterator[str]:
    """Load the demo data (once) and yield the lines to print: every login."""
    with db.sessions() as session:
        has_users = session.execute(select(User.id)).first() is not None
        loaded = (
            session.execute(select(Organisation.id).where(Organisation.code == "lac")).first()
            is not None
        )
    if not has_users:
        bootstrap_admin(
            db,
            email="admin@demo.cybercover.jp",
            password=DEMO_PASSWORD,
            display_name="管理者 / Admin",
        )
    product = on_sale()
    lac = _org(db, "agency", "lac", product.product.agencies[0].name.ja)
    sjp = _org(db, "agency", "sjp", product.product.agencies[1].name.ja)
    insurer = _org(db, "insurer", "insurer", product.product.insurer.ja)
    desk = _org(db, "desk", "sompo-desk", "SOMPOサイバーインシデントサポートデスク（デモ）")
    _user(
        db,
        insurer,
        "underwriter@demo.cybercover.jp",
        "引受 一郎 / Underwriter",
        Role.UNDERWRITER,
        underwriting_authority=3,
    )
    _user(
        db,
        insurer,
        "claims@demo.cybercover.jp",
        "損害 花子 / Claims handler",
        Role.CLAIMS_HANDLER,
        payment_authority=10_000_000,
    )
    _user(db, insurer, "actuary@demo.cybercover.jp", "数理 三郎 / Actuary", Role.ACTUARY)
    _user(db, insurer, "auditor@demo.cybercover.jp", "監査 四郎 / Internal audit", Role.AUDITOR)
    _user(db, desk, "desk@demo.cybercover.jp", "受付 次郎 / Desk operator", Role.DESK_OPERATOR)
    _user(db, lac, "agent@lac.demo.cybercover.jp", "ラック 代理店 / LAC agent", Role.AGENT)
    _user(db, sjp, "agent@sjp.demo.cybercover.jp", "SJP 代理店 / SJP agent", Role.AGENT)
    for i, (code, name, service) in enumerate(PARTNERS):
        org = _org(db, "partner", code, name)
        _user(db, org, f"{code}@demo.cybercover.jp", name, Role.PARTNER)
        with db.sessions() as session:
            registered = session.get(PartnerProfile, org) is not None
        if not registered:
            register_partner(
                db,
                SYSTEM,
                organisation_id=org,
                services=[service],
                regions=[NATIONWIDE],
                registration_number="T" + _number(f"0104010{i + 1:05d}"),
                contact_email=f"{code}@demo.cybercover.jp",
            )
    if not loaded:
        agent = authenticate(db, "agent@lac.demo.cybercover.jp", DEMO_PASSWORD)
        for i, data in enumerate(COMPANIES):
            company = create_company(db, agent, {**data, "agency_codes": ["lac", "sjp"]})
            _user(
                db,
                company["organisation_id"],
                f"user{i + 1}@insured.demo.cybercover.jp",
                f"{company['name']} 担当者",
                Role.POLICYHOLDER,
            )
            if i < 3:
                _issue_demo_policy(db, agent, company["id"], OPTIONS[i % 2])
    yield "cybercover demo: every user's password is " + DEMO_PASSWORD
    with db.sessions() as session:
        for user in session.execute(select(User).order_by(User.id)).scalars():
            yield f"  {user.role:<15} {user.email}"


def _issue_demo_policy(db: Database, agent: Actor, company_id: int, option: dict[str, Any]) -> None:
    today = jst_date(db.clock())
    submission = create_submission(db, agent, company_id=company_id, start_date=today)
    update_submission(db, agent, submission["id"], disclosure=ANSWERS)
    quoted = quote_submission(db, agent, submission["id"], [option])
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, submission["id"], kind=kind, result=result)
    policy = bind_quote(
        db, agent, quoted["quotes"][0]["id"], payment_plan="lump_sum", payment_method="invoice"
    )
    issue_policy(db, agent, policy["id"])
    admin = authenticate(db, "admin@demo.cybercover.jp", DEMO_PASSWORD)
    invoice = get_policy(db, admin, policy["id"])["invoices"][0]
    record_payment(db, admin, invoice["id"], amount=invoice["amount"])
