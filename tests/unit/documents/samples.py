"""Plain data for each document, written by hand (no database): the renderers' tests
read these back out of the PDFs, and ``python -m tests.unit.documents.samples DIR``
writes the four PDFs and the first page of each as PNG (docs/img/ in the README)."""

from __future__ import annotations

import sys
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

from cybercover.documents import (
    IncidentReport,
    PolicySchedule,
    Quote,
    SettlementLetter,
    T,
    render_incident,
    render_quote,
    render_schedule,
    render_settlement,
)
from cybercover.documents import model as m
from cybercover.timeutil import JST
from tests.unit.documents.pdftext import first_page_png

COMPANY = m.Insured(
    "株式会社サンプル精工", "1234567890123", "〒102-0093 東京都千代田区平河町2-16-1"
)
START = datetime(2026, 4, 1, 0, 0, tzinfo=JST)
END = datetime(2027, 4, 1, 0, 0, tzinfo=JST)
INSURER = T("損害保険ジャパン株式会社", "Sompo Japan Insurance Inc.")
SHARED = T(
    "利益損害・営業継続費用の合算限度額", "Shared limit of loss of profit and continuation costs"
)


def terms(bi: bool, liability: int = 500_000_000) -> m.Terms:
    parts = (
        m.CoverageLine(1, T("賠償責任", "Liability"), True, liability, 100_000, False),
        m.CoverageLine(
            2, T("事故対応特別費用", "Response costs"), True, 100_000_000, 100_000, False
        ),
        m.CoverageLine(3, T("利益損害", "Loss of profit"), bi, 50_000_000, 0, True, SHARED),
        m.CoverageLine(4, T("営業継続費用", "Continuation costs"), bi, 50_000_000, 0, True, SHARED),
    )
    return m.Terms(
        parts=parts,
        shared=(m.LimitLine(SHARED, 50_000_000, T("③利益損害＋④営業継続費用", "③ + ④")),),
        aggregate=m.LimitLine(
            T("保険期間中のお支払限度額（①～④合算）", "Overall limit for the policy period"),
            liability,
            T("①～④の合算", "parts 1 to 4 together"),
        ),
        waiting_label=T("免責時間", "Waiting period"),
        waiting_hours=Fraction(7, 2) if bi else None,
        waiting_mode=T("免責時間を超えて継続した場合に初時間から支払", "Qualifying period"),
        option_label=T("利益損害・営業継続費用（オプション）", "Business interruption option"),
        option_bought=bi,
    )


def factors(limit_factor: str, premium: int) -> tuple[m.Factor, ...]:
    return (
        m.Factor("base", T("基本保険料（売上高 500,000,000円）", "Base premium"), "70000", 70_000),
        m.Factor("industry", T("業種係数（製造業）", "Industry factor"), "0.95", 66_500),
        m.Factor(
            "liability", T("賠償責任の限度額係数", "Liability limit factor"), limit_factor, premium
        ),
        m.Factor("isms", T("ISMS認証割引 30%", "ISMS discount 30%"), "0.70", premium * 7 // 10),
    )


def quote() -> Quote:
    return Quote(
        reference="Q-7-2",
        issued_at=datetime(2026, 3, 2, 10, 0, tzinfo=JST),
        product=T("サイバー保険", "Cyber insurance"),
        approval_number="SJ22-13328",
        insurer=INSURER,
        agencies=(
            T("株式会社ラック", "LAC Co., Ltd."),
            T("損保ジャパンパートナーズ株式会社", "Sompo Japan Partners Inc."),
        ),
        company=COMPANY,
        industry=T("29 電気機械器具製造業", "29 Electrical machinery"),
        annual_revenue=500_000_000,
        start=START,
        end=END,
        valid_until=date(2026, 4, 1),
        options=(
            m.QuoteOption(
                "プラン1", 46_550, terms(False, 100_000_000), factors("1.00", 66_500), "quoted"
            ),
            m.QuoteOption("プラン2＋BI", 114_513, terms(True), factors("2.46", 163_590), "quoted"),
        ),
        isms=T("JQA 第12345号（有効期限 2027-03-31）: 割引30%", "JQA 12345: 30% off"),
    )


def schedule() -> PolicySchedule:
    return PolicySchedule(
        number="CY-2026-000123-7",
        status=T("有効", "in force"),
        issued_at=datetime(2026, 3, 20, 15, 0, tzinfo=JST),
        product=T("サイバー保険", "Cyber insurance"),
        product_version="2023-01-06",
        approval_number="SJ22-13328",
        insurer=INSURER,
        company=COMPANY,
        insured_note=T("貴社（役員・従業員を含む）", "The company, officers and employees"),
        start=START,
        end=END,
        retroactive_date=date(2026, 4, 1),
        terms=terms(True),
        exclusions=(
            (T("被保険者の故意", "Intentional act"), (T("①賠償責任", "Liability"),)),
            (
                T("被保険者の犯罪行為", "Criminal act"),
                (T("①賠償責任", "Liability"), T("②事故対応特別費用", "Response costs")),
            ),
        ),
        emergency_label=T("緊急時サポート総合サービス", "Emergency support service"),
        emergency_services=(T("調査・応急対応", "Investigation"), T("GDPR対応", "GDPR response")),
        emergency_paid_from=T("②事故対応特別費用", "Response costs"),
        desk=T("サンプルデスク（24時間受付）", "Sample desk (24 hours)"),
        agencies=(
            m.AgencyShare(
                T("株式会社ラック", "LAC Co., Ltd."),
                "〒102-0093 東京都千代田区",
                (T("募集", "sales"),),
                "60",
                True,
            ),
            m.AgencyShare(
                T("損保ジャパンパートナーズ株式会社", "Sompo Japan Partners Inc."),
                "〒163-0417 東京都新宿区",
                (T("契約管理", "administration"),),
                "40",
                False,
            ),
        ),
        annual_premium=114_513,
        written_premium=114_513,
        payment=T("一時払・請求書払い", "single payment, invoice"),
    )


def settlement() -> SettlementLetter:
    at = datetime(2026, 9, 30, 14, 0, tzinfo=JST)
    return SettlementLetter(
        claim_number="CLM-2026-000042",
        policy_number="CY-2026-000123-7",
        issued_at=at,
        insurer=INSURER,
        company=COMPANY,
        accident_at=datetime(2026, 9, 14, 9, 30, tzinfo=JST),
        payments=(
            m.PaymentLine(
                at,
                2_400_000,
                (
                    (T("賠償責任", "Liability"), 1_900_000),
                    (T("事故対応特別費用", "Response costs"), 500_000),
                ),
                "P-9",
            ),
        ),
        items=(
            m.SettlementItem(
                "顧客への損害賠償金 <和解>",
                T("賠償責任", "Liability"),
                None,
                2_000_000,
                1_900_000,
                (
                    m.Withheld(
                        100_000,
                        "PRODUCT.md §3 ※2",
                        T("賠償責任の自己負担額（1事故 100,000円）", "Liability deductible"),
                    ),
                ),
            ),
            m.SettlementItem(
                "見舞品",
                T("事故対応特別費用", "Response costs"),
                T("見舞金・見舞品購入費用", "Apology gifts"),
                900_000,
                500_000,
                (
                    m.Withheld(
                        400_000,
                        "REFERENCE.md §4",
                        T("1名あたり1,000円まで（500名）", "¥1,000 a person (500 people)"),
                    ),
                ),
            ),
            m.SettlementItem(
                "身代金",
                T("事故対応特別費用", "Response costs"),
                None,
                3_000_000,
                0,
                (
                    m.Withheld(
                        3_000_000,
                        "ours",
                        T("身代金の支払いは保険金の対象外です", "ransom payments are not paid"),
                    ),
                ),
            ),
        ),
        paid_to_date=2_400_000,
        remaining=(
            (T("保険期間中のお支払限度額", "Overall limit"), 500_000_000, 497_600_000),
            (T("賠償責任", "Liability"), 500_000_000, 498_100_000),
            (T("事故対応特別費用", "Response costs"), 100_000_000, 99_500_000),
        ),
    )


def incident() -> IncidentReport:
    def jst(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 7, day, hour, minute, tzinfo=JST)

    return IncidentReport(
        number="INC-2026-000005",
        issued_at=jst(12, 9),
        status=T("緊急時サポートへ引継ぎ済", "handed over"),
        company=COMPANY.name,
        policy_number="CY-2026-000123-7",
        insured=True,
        channel=T("電話", "phone"),
        caller="情報システム部 山田 / 03-0000-0000",
        summary="ランサムウェアでファイルサーバーが暗号化された",
        occurred_at=jst(10, 2, 10),
        aware_at=jst(10, 2, 15),
        reported_at=jst(10, 2, 30),
        first_response_at=jst(10, 2, 40),
        handed_over_at=jst(10, 3, 0),
        triage=((T("重大度", "Severity"), T("緊急", "critical")),),
        hearing=(
            (T("事象の種類", "Kind of event"), T("ランサムウェア（暗号化・脅迫）", "Ransomware")),
            (T("関係する個人情報の人数（推定で可）", "Personal records"), T.same("30,000")),
        ),
        advice=(
            (
                T("感染端末をネットワークから切り離してください", "Isolate infected machines"),
                jst(10, 2, 40),
            ),
        ),
        deadlines=(
            m.DeadlineLine(
                T("個人情報保護委員会への速報", "Preliminary report to the PPC"),
                "個人情報保護法26条",
                jst(16, 0),
                jst(14, 0),
                T("完了", "done"),
                jst(13, 11),
            ),
            m.DeadlineLine(
                T("個人情報保護委員会への確報", "Final report to the PPC"),
                "個人情報保護法26条",
                datetime(2026, 8, 10, 0, 0, tzinfo=JST),
                None,
                T("期限超過", "overdue"),
                None,
            ),
        ),
        dispatches=(
            m.DispatchLine(
                "フォレンジック株式会社",
                T("調査・応急対応", "Investigation"),
                T("受諾", "accepted"),
                jst(10, 3, 5),
                jst(10, 3, 20),
                (
                    m.CostLine(
                        T("請求", "invoice"),
                        "初動調査",
                        1_000_000,
                        100_000,
                        1_100_000,
                        T("承認", "approved"),
                    ),
                ),
            ),
        ),
        timeline=(
            m.TimelineLine(jst(10, 2, 30), T("受付", "reported"), "受付 次郎", "channel: phone"),
            m.TimelineLine(
                jst(10, 3, 5),
                T("提携先の手配", "partner dispatched"),
                "受付 次郎",
                "service: investigation",
            ),
        ),
        desk=T.same("SOMPOサイバーインシデントサポートデスク"),
    )


RENDERERS = {
    "quote": lambda lang: render_quote(quote(), lang),
    "schedule": lambda lang: render_schedule(schedule(), lang),
    "settlement": lambda lang: render_settlement(settlement(), lang),
    "incident": lambda lang: render_incident(incident(), lang),
}


def main(folder: str) -> None:
    """Write each sample document and its first page as PNG (pdftoppm, 72 dpi)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, render in RENDERERS.items():
        pdf = out / f"doc-{name}.pdf"
        pdf.write_bytes(render("ja"))
        first_page_png(pdf, out / f"doc-{name}", 72)
        pdf.unlink()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
