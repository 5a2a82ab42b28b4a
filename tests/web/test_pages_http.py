"""The pages without a browser: formats, the catalog, CSRF, redirects, the agent's policy
transactions, the commission statement, the administrator's page, and the service
queries the pages added (each with its denial)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cybercover.errors import ForbiddenError, NotFoundError
from cybercover.product import default_product
from cybercover.services.authz import SYSTEM
from cybercover.services.claims import (
    add_loss_item,
    get_claim,
    limits_left,
    list_claims,
    open_claim,
    request_payment,
    set_reserve,
    submit_claim_document,
)
from cybercover.services.partners import list_partners
from cybercover.services.people import authenticate, create_organisation
from cybercover.services.submissions import referral_queue
from cybercover.storage.models import ClaimDocument
from cybercover.timeutil import JST
from cybercover.web import fmt
from cybercover.web.i18n import translations
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD, signed_in
from tests.integration.conftest import FakeClock

Seeded = tuple[FastAPI, FakeClock, dict[str, Any]]
WEB = Path(__file__).resolve().parents[2] / "src" / "cybercover" / "web"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- formats --------------------------------------------------------------------------


def test_era_years_dates_amounts_and_clocks() -> None:
    assert fmt.era_year(date(2019, 5, 1)) == "令和元年"
    assert fmt.era_year(date(2019, 4, 30)) == "平成31年"
    assert fmt.era_year(date(1989, 1, 8)) == "平成元年"
    assert fmt.era_year(date(2026, 7, 10)) == "令和8年"
    # 15:00 UTC on 31 March is 00:00 on 1 April in Tokyo
    assert fmt.jst_date("2026-03-31T15:00:00+00:00", "ja") == "2026年4月1日（令和8年）"
    assert fmt.jst_date("2026-03-31T15:00:00+00:00", "en") == "1 Apr 2026"
    assert fmt.jst_datetime("2026-07-09T17:30:00+00:00", "en") == "10 Jul 2026 02:30 JST"
    assert fmt.yen_short(1_234_500_000, "ja") == "12億3,450万円"
    assert fmt.yen_short(30_000_000, "ja") == "3,000万円"
    assert fmt.yen_short(1_234_567, "ja") == "1,234,567円"  # not whole 万: every yen shown
    assert fmt.yen_short(30_000_000, "en") == "30,000,000 yen"
    assert fmt.duration(71 * 3600, "ja") == "残り 71時間00分"
    assert fmt.duration(-15 * 60, "ja") == "15分超過"
    assert fmt.duration(-15 * 60, "en") == "15 min late"
    assert fmt.local_input("2026-07-09T17:15:00+00:00") == "2026-07-10T02:15"
    with pytest.raises(ValueError, match="naive"):
        fmt.jst_date("2026-07-10T02:15:00", "ja")


def test_every_message_of_the_pages_has_its_japanese() -> None:
    ids = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(WEB),
            method_map=[("templates/**.html", "jinja2"), ("**.py", "python")],
            options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "N_": None},
        )
    }
    assert len(ids) > 300
    ja = translations("ja")
    untranslated = sorted(m for m in ids if isinstance(m, str) and ja.gettext(m) == m)
    assert untranslated == []
    assert ja.gettext("Report an incident") == "事故を報告する"
    assert translations("en").gettext("Report an incident") == "Report an incident"


# -- security of the pages -------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(seeded: Seeded) -> None:
    app, _, _ = seeded
    client, csrf = signed_in(app, "holder@test.jp")
    refused = client.post("/incidents", data={"summary": "偽のフォームから"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    wrong = client.post("/incidents", data={"summary": "x", "csrf_token": csrf[::-1]})
    assert wrong.status_code == 403
    assert "INC-2026" not in client.get("/my").text
    done = client.post(
        "/incidents", data={"summary": "本物", "csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/incidents/1?done=reported"


def test_sign_in_never_sends_the_browser_off_the_site(seeded: Seeded) -> None:
    app, _, _ = seeded
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/login",
            data={"email": "holder@test.jp", "password": PASSWORD, "csrf_token": token[1]}
            | {"next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/", target
    # without the login form's own token, no session is started
    fresh = TestClient(app)
    refused = fresh.post("/login", data={"email": "holder@test.jp", "password": PASSWORD})
    assert refused.status_code == 403 and "cc_session" not in fresh.cookies
    # a page without a session: to the login form, and back afterwards
    moved = TestClient(app).get("/claims/1?x=1", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/login?next=/claims/1%3Fx%3D1"
    # the API keeps its problem JSON
    api = TestClient(app).get("/api/v1/policies")
    assert api.status_code == 401 and api.json()["status"] == 401


# -- the agent's policy transactions and commission --------------------------------------


def test_an_agent_endorses_renews_and_cancels_from_the_policy_page(seeded: Seeded) -> None:
    app, _, world = seeded
    client, csrf = signed_in(app, "agent@lac.jp")
    pid = world["policy_id"]
    page = text(client.get(f"/policies/{pid}").text)
    assert "年間保険料 53,200円" in page  # plan ①: 70,000 × 0.95 × 0.80 (every control)
    endorsed = client.post(
        f"/policies/{pid}/endorse",
        data={
            "csrf_token": csrf,
            "effective_date": "2026-10-01",
            "option.label": "異動",
            "option.limits.liability": "300,000,000",
            "option.limits.response_costs": "30000000",
            "option.deductibles.liability": "100000",
            "option.deductibles.response_costs": "100000",
        },
    )
    page = text(endorsed.text)
    assert "異動を反映しました。" in page
    # limit, paid, committed (issue #17: payments awaiting approval, partner costs), left
    assert "賠償責任 3億円 0円 0円 300,000,000円" in page
    # ¥300M liability: 70,000 × 1.25 × 0.95 × 0.80 = 66,500 a year; from 1 October,
    # 182 of 365 days: (66,500 − 53,200) × 182 / 365 = 6,631.78 → 6,631
    assert "異動 2026年10月1日（令和8年） 6,631円" in page
    # a date that is no date is refused with the API's words, next to the field
    bad = client.post(f"/policies/{pid}/cancel", data={"csrf_token": csrf, "effective_date": "x"})
    assert bad.status_code == 422
    assert 'id="err-effective_date">日付（YYYY-MM-DD）の形式が正しくありません' in bad.text

    renewal = client.post(f"/policies/{pid}/renew", data={"csrf_token": csrf})
    page = text(renewal.text)
    assert "更新の申込を作成しました。" in page
    assert "保険始期: 2027年4月1日（令和9年）" in page

    cancelled = client.post(
        f"/policies/{pid}/cancel",
        data={"csrf_token": csrf, "effective_date": "2026-12-01", "by": "insured"}
        | {"reason": "事業譲渡"},
    )
    assert "解約しました。" in text(cancelled.text)
    assert "解約" in text(cancelled.text).split("契約 CY-")[1][:40]
    # written 53,200 + 6,631 = 59,831; cancelled from 1 December (244 days, short rate
    # returns 20 %): 11,966 back. Reinstated (within 30 days of the end), exactly that is
    # charged again, not the new annual 66,500 less what is left (18,635)
    assert "解約 2026年12月1日（令和8年） -11,966円" in text(cancelled.text)
    reinstated = client.post(
        f"/policies/{pid}/reinstate", data={"csrf_token": csrf, "reason": "誤解約"}
    )
    page = text(reinstated.text)
    assert "契約を復活しました。" in page
    assert "復活 2026年7月10日（令和8年） 11,966円" in page
    again = client.post(f"/policies/{pid}/reinstate", data={"csrf_token": csrf, "reason": "x"})
    assert again.status_code == 422 and "この契約はin_forceです" in again.text

    # March 2026, when the seed's policy was issued: 20 % commission on a 50 % share
    statement = text(client.get("/agent/commission?month=2026-03").text)
    assert "手数料合計 5,320円" in statement  # 53,200 × 50 % × 20 %
    refused = client.get("/agent/commission?month=2026-13")
    assert refused.status_code == 422 and "YYYY-MM で指定してください" in refused.text

    other, _ = signed_in(app, "agent@other.jp")
    denied = other.get(f"/policies/{pid}")
    assert denied.status_code == 404 and "CY-2026" not in denied.text


# -- the administrator ---------------------------------------------------------------------


def test_an_administrator_adds_a_user_and_verifies_the_audit_log(seeded: Seeded) -> None:
    app, _, _ = seeded
    client, csrf = signed_in(app, "admin@example.jp")
    user = {
        "csrf_token": csrf,
        "organisation_id": "1",
        "email": "new.handler@insurer.jp",
        "display_name": "新任 担当",
        "role": "claims_handler",
        "payment_authority": "5,000,000",
    }
    short = client.post("/admin/users", data=user | {"password": "short"})
    assert short.status_code == 422
    assert 'id="err-password">パスワードは10文字以上にしてください' in short.text
    made = client.post("/admin/users", data=user | {"password": "long enough password"})
    assert "利用者を作成しました。" in made.text and "new.handler@insurer.jp" in made.text
    verified = text(client.get("/admin?verify=1").text)
    assert re.search(r"ハッシュチェーンは正常です（\d+ 件を検証）", verified)
    assert "sj-cyber" in verified  # the product versions

    agent, agent_csrf = signed_in(app, "agent@lac.jp")
    denied = agent.get("/admin")
    assert denied.status_code == 403 and "new.handler" not in denied.text

    # deactivating the agent ends their page session at once; the administrator's own
    # row offers no such button
    page = client.get("/admin").text
    agent_row = re.search(r'<tr id="user-(\d+)"><td>agent@lac.jp</td>', page)
    admin_row = re.search(r'<tr id="user-(\d+)"><td>admin@example.jp</td>.*?</tr>', page, re.S)
    assert agent_row is not None and admin_row is not None
    assert "/deactivate" not in admin_row[0]
    refused = agent.post(f"/admin/users/{agent_row[1]}/deactivate", data={"csrf_token": agent_csrf})
    assert refused.status_code == 403
    done = client.post(f"/admin/users/{agent_row[1]}/deactivate", data={"csrf_token": csrf})
    assert "利用者を無効にしました。" in done.text
    ended = agent.get("/agent", follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == "/login?next=/agent"
    again = client.post(f"/admin/users/{agent_row[1]}/activate", data={"csrf_token": csrf})
    assert "利用者を再び有効にしました。" in again.text


def test_an_administrator_registers_a_partner_firm_the_desk_then_finds(seeded: Seeded) -> None:
    app, _, _ = seeded
    db = app.state.db
    firm = create_organisation(db, SYSTEM, kind="partner", code="newfirm", name="新規調査株式会社")
    client, csrf = signed_in(app, "admin@example.jp")
    bad = client.post(
        "/admin/partners",
        data={
            "csrf_token": csrf,
            "organisation_id": str(firm),
            "regions": "東京都, 火星",
            "registration_number": "T123",
            "contact_email": "desk@newfirm.jp",
        },
    )
    assert bad.status_code == 422
    assert 'id="err-partner.services">1つ以上指定してください' in bad.text
    assert 'id="err-partner.regions">都道府県名または「全国」で指定してください' in bad.text
    assert 'id="err-partner.registration_number">T＋13桁で指定してください' in bad.text
    made = client.post(
        "/admin/partners",
        data={
            "csrf_token": csrf,
            "organisation_id": str(firm),
            "service.investigation": "yes",
            "regions": "東京都、神奈川県",
            "registration_number": "T7000012050002",
            "contact_email": "desk@newfirm.jp",
        },
    )
    assert "提携先を登録しました。" in made.text
    row = re.search(rf'<tr data-partner="{firm}">.*?</tr>', made.text, re.S)
    assert row is not None
    assert text(row[0]).split() == [
        "新規調査株式会社",
        "調査・応急対応",
        "東京都、神奈川県",
        "T7000012050002",
        "desk@newfirm.jp",
    ]
    # the desk's search for an investigator in Kanagawa now finds it, and not in Osaka
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    found = list_partners(db, desk, "investigation", "神奈川県")
    assert firm in [p["id"] for p in found]
    assert firm not in [p["id"] for p in list_partners(db, desk, "investigation", "大阪府")]

    agent, agent_csrf = signed_in(app, "agent@lac.jp")
    denied = agent.post(
        "/admin/partners",
        data={"csrf_token": agent_csrf, "organisation_id": str(firm), "service.pr": "yes"},
    )
    assert denied.status_code == 403


# -- the service queries the pages added ------------------------------------------------------


def test_the_claims_list_and_limits_left_are_scoped(seeded: Seeded) -> None:
    app, _, world = seeded
    db = app.state.db
    holder = authenticate(db, "holder@test.jp", PASSWORD)
    other = authenticate(db, "holder@other.jp", PASSWORD)
    left = limits_left(db, holder, world["policy_id"])
    assert [(p["code"], p["limit"], p["left"]) for p in left["parts"]] == [
        ("liability", 100_000_000, 100_000_000),
        ("response_costs", 30_000_000, 30_000_000),
    ]
    assert (left["aggregate"]["limit"], left["aggregate"]["left"]) == (100_000_000, 100_000_000)
    with pytest.raises(NotFoundError):
        limits_left(db, other, world["policy_id"])
    assert list_claims(db, holder) == [] == list_claims(db, other)
    with pytest.raises(ForbiddenError):
        list_claims(db, authenticate(db, "agent@lac.jp", PASSWORD))
    with pytest.raises(ForbiddenError):
        referral_queue(db, authenticate(db, "agent@lac.jp", PASSWORD))
    assert referral_queue(db, authenticate(db, "underwriter@insurer.jp", PASSWORD)) == []


# -- the ISMS shortcut and lowered limits ----------------------------------------------------


def _new_submission(client: TestClient, csrf: str, company_id: int) -> int:
    made = client.post(
        "/submissions",
        data={"csrf_token": csrf, "company_id": str(company_id), "start_date": "2026-08-01"},
    )
    found = re.search(r"申込 (\d+)", text(made.text))
    assert found is not None, made.text
    return int(found[1])


PLAN_1_FORM = {
    "options[0].label": "A",
    "options[0].limits.liability": "100,000,000",
    "options[0].limits.response_costs": "30,000,000",
    "options[0].deductibles.liability": "100000",
    "options[0].deductibles.response_costs": "100000",
}


def test_the_isms_certificate_copy_answers_the_security_questions(seeded: Seeded) -> None:
    app, _, world = seeded
    client, csrf = signed_in(app, "agent@lac.jp")
    sid = _new_submission(client, csrf, world["company"]["id"])
    waived = {
        q.code for q in default_product().disclosure.questions if q.waived_by_isms_certificate
    }
    assert {"mfa", "edr", "offline_backups"} <= waived
    data = {
        "csrf_token": csrf,
        "isms.certified": "yes",
        "isms.body": "JQA",
        "isms.certificate_number": "IS 123456",
        "isms.expires_on": "2027-07-31",
    }
    for code, value in CLEAN_ANSWERS.items():
        if code not in waived:  # the questions marked [ISMS] stay blank
            answer = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            data[f"disclosure.{code}"] = answer
    # a copy that is not what it claims to be is refused next to the file field
    bad = client.post(
        f"/submissions/{sid}/disclosure",
        data=data,
        files={"isms_copy": ("cert.png", b"%PDF-1.7 not a png", "image/png")},
    )
    assert bad.status_code == 422
    assert 'id="err-file">ファイルの内容が形式と一致しません' in bad.text
    saved = client.post(
        f"/submissions/{sid}/disclosure",
        data=data,
        files={"isms_copy": ("cert.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")},
    )
    assert "保存しました。" in saved.text
    quoted = text(
        client.post(f"/submissions/{sid}/quote", data=PLAN_1_FORM | {"csrf_token": csrf}).text
    )
    # 70,000 × 0.95 (deductible) = 66,500; security unanswered × 1.00; JQA 50 % → 33,250
    assert "ISMS認証割引（JQA） 50% ×0.50 → 33,250円" in quoted
    assert "年間保険料 33,250円" in quoted


def test_an_underwriter_lowers_the_limits_and_the_quote_keeps_to_them(seeded: Seeded) -> None:
    app, _, world = seeded
    agent, csrf = signed_in(app, "agent@lac.jp")
    sid = _new_submission(agent, csrf, world["company"]["id"])
    answers = {
        f"disclosure.{k}": ("yes" if v else "no") if isinstance(v, bool) else str(v)
        for k, v in CLEAN_ANSWERS.items()
    }
    agent.post(
        f"/submissions/{sid}/disclosure",
        data=answers | {"csrf_token": csrf, "disclosure.mfa": "no"},
    )
    agent.post(f"/submissions/{sid}/quote", data=PLAN_1_FORM | {"csrf_token": csrf})

    underwriter, uw_csrf = signed_in(app, "underwriter@insurer.jp")
    queue = underwriter.get("/underwriting").text
    issue = re.search(r'action="/underwriting/issues/(\d+)"', queue)
    assert issue is not None
    decided = underwriter.post(
        f"/underwriting/issues/{issue[1]}",
        data={"csrf_token": uw_csrf, "kind": "lower_limits", "reason": "MFA未導入のため"}
        | {"limits.liability": "50,000,000"},
    )
    assert "判断を記録しました。" in decided.text
    page = text(agent.get(f"/submissions/{sid}").text)
    assert "引受担当が提示した限度額: 損害賠償責任 5,000万円" in page
    refused = agent.post(f"/submissions/{sid}/quote", data=PLAN_1_FORM | {"csrf_token": csrf})
    assert refused.status_code == 422
    assert (
        'id="err-options[0].limits.liability">引受者が提示した上限 50,000,000円 を超えています'
        in refused.text
    )


# -- accessibility -----------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_colours_meet_wcag_aa_contrast() -> None:
    css = (WEB / "static" / "site.css").read_text()
    var = dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6})", css))
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0  # the formula itself
    pairs = [
        ("ink", "bg"),  # body text
        ("muted", "bg"),  # help text, statuses
        ("brand", "bg"),  # links
        ("late", "late-bg"),  # late rows and errors
        ("ok", "bg"),
    ]
    for fg, bg in pairs:
        assert contrast(var[fg], var[bg]) >= 4.5, (fg, bg)
    assert contrast("#ffffff", var["brand"]) >= 4.5  # buttons and the header
    assert contrast("#ffffff", var["late"]) >= 4.5  # the late badge, danger buttons


def test_every_input_of_every_template_has_a_label() -> None:
    for path in sorted((WEB / "templates").glob("*.html")):
        html = path.read_text()
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            ident = re.search(r'id="([^"]+)"', tag)
            assert ident is not None, (path.name, tag)
            assert f'for="{ident[1]}"' in html, (path.name, tag)


# -- the insured's documents ---------------------------------------------------------------------


def test_a_policyholder_sends_a_document_for_its_own_claim_only(seeded: Seeded) -> None:
    app, _, world = seeded
    db = app.state.db
    handler = authenticate(db, "claims@insurer.jp", PASSWORD)
    claim = open_claim(
        db, handler, policy_id=world["policy_id"], accident_at=datetime(2026, 7, 1, tzinfo=JST)
    )
    holder, csrf = signed_in(app, "holder@test.jp")
    url = f"/my/claims/{claim['id']}/documents"
    pdf = ("請求書.pdf", b"%PDF-1.7\n" + b"0" * 100, "application/pdf")
    refused = holder.post(url, data={"csrf_token": csrf}, files={"file": ("a.exe", b"MZ", "x/y")})
    assert refused.status_code == 422
    assert f'id="err-c{claim["id"]}.file">PDF・PNG・JPEG のみ受け付けます' in refused.text
    sent = holder.post(url, data={"csrf_token": csrf}, files={"file": pdf})
    assert "書類を受け付けました。" in sent.text
    # the claim lists what it has received: name, size, when (the test clock's 02:30 JST)
    assert "受け付けた書類： 請求書.pdf (109 B, 2026年7月10日（令和8年） 02:30)" in text(sent.text)
    with db.sessions() as session:
        stored = session.execute(select(ClaimDocument)).scalars().all()
        assert [(d.filename, d.size) for d in stored] == [("請求書.pdf", 109)]

    other, other_csrf = signed_in(app, "holder@other.jp")
    denied = other.post(url, data={"csrf_token": other_csrf}, files={"file": pdf})
    assert denied.status_code == 404 and "CLM-2026" not in denied.text
    assert "請求書.pdf" not in other.get("/my").text
    agent, agent_csrf = signed_in(app, "agent@lac.jp")
    # claims are between the insured and the insurer: an agent does not reach them at all
    assert agent.post(url, data={"csrf_token": agent_csrf}, files={"file": pdf}).status_code == 404
    with db.sessions() as session:
        assert len(session.execute(select(ClaimDocument)).scalars().all()) == 1


def test_a_handler_sees_the_documents_completes_them_and_records_a_recovery(
    seeded: Seeded,
) -> None:
    app, _, world = seeded
    db = app.state.db
    handler = authenticate(db, "claims@insurer.jp", PASSWORD)
    holder = authenticate(db, "holder@test.jp", PASSWORD)
    claim = open_claim(
        db, handler, policy_id=world["policy_id"], accident_at=datetime(2026, 7, 1, tzinfo=JST)
    )
    cid = claim["id"]
    submit_claim_document(
        db,
        holder,
        cid,
        filename="見積書.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.7\n" + b"0" * 200,
        max_bytes=10_000,
    )
    client, csrf = signed_in(app, "claims@insurer.jp")
    page = text(client.get(f"/claims/{cid}").text)
    assert "受け付けた書類 見積書.pdf (209 B, 2026年7月10日（令和8年） 02:30)" in page
    assert "支払期限 書類がそろってから" in page

    done = client.post(f"/claims/{cid}/documents-complete", data={"csrf_token": csrf})
    assert "書類が揃いました。支払期限の計算が始まります。" in done.text
    # complete on 10 July (JST): due within the product's 30 days, by 9 August
    assert "支払期限 2026年8月9日（令和8年）" in text(done.text)
    assert 'id="complete-documents"' not in done.text  # once only
    again = client.post(f"/claims/{cid}/documents-complete", data={"csrf_token": csrf})
    assert again.status_code == 422 and "書類は既に揃っています" in again.text

    # a recovery: never more than was paid (900,000 = 1,000,000 less the 100,000 deductible)
    add_loss_item(
        db,
        handler,
        cid,
        coverage="response_costs",
        category="forensics",
        description="調査",
        amount=1_000_000,
    )
    set_reserve(db, handler, cid, coverage="response_costs", amount=900_000, reason="見積")
    paid = request_payment(
        db,
        handler,
        cid,
        idempotency_key="r1",
        coverage="response_costs",
        amount=900_000,  # what is due on the part: 1,000,000 − 100,000
        payee_kind="insured",
        payee_name="株式会社テスト製作所",
    )
    assert (paid["status"], paid["amount"]) == ("paid", 900_000)
    form = {"csrf_token": csrf, "from_party": "委託先株式会社", "note": "求償合意"}
    over = client.post(f"/claims/{cid}/recoveries", data=form | {"amount": "1,000,000"})
    assert over.status_code == 422
    assert 'id="err-recovery.amount">回収額の合計が支払額 900,000円 を超えます' in over.text
    made = client.post(f"/claims/{cid}/recoveries", data=form | {"amount": "300,000"})
    assert "回収を記録しました。" in made.text
    assert 'id="recovered">300,000円</strong>' in made.text

    holder_client, holder_csrf = signed_in(app, "holder@test.jp")
    refused = holder_client.post(
        f"/claims/{cid}/recoveries", data=form | {"amount": "1", "csrf_token": holder_csrf}
    )
    # a role that may never record a recovery gets the 403 page (a payment above one's
    # authority, a step the role may take, is shown at its form instead), nothing written
    assert refused.status_code == 403 and "この操作の権限がありません。" in refused.text
    assert 'id="recovered"' not in refused.text  # the insured sees no handler's form
    assert get_claim(db, handler, cid)["recovered"] == 300_000


def test_an_agent_registers_a_client_with_the_services_checks(seeded: Seeded) -> None:
    app, _, _ = seeded
    client, csrf = signed_in(app, "agent@lac.jp")
    company = {
        "csrf_token": csrf,
        "corporate_number": "1000012010023",  # check digit wrong: 1 should be 6
        "name": "株式会社ページ登録",
        "name_kana": "ページトウロク",
        "postal_code": "100-0005",
        "prefecture": "東京都",
        "address_line": "千代田区丸の内1-1-1",
        "industry_group": "39",
        "annual_revenue": "300,000,000",
        "overseas_sales_ratio": "0",
        "employees": "40",
        "personal_data_records": "5000",
        "handles_my_number": "yes",
        "handles_card_data": "no",
        "cloud_vendors": "AWS, Google Cloud",
    }
    refused = client.post("/agent/companies", data=company)
    assert refused.status_code == 422
    assert 'id="err-corporate_number">' in refused.text
    assert 'value="株式会社ページ登録"' in refused.text  # what was typed is kept
    made = client.post("/agent/companies", data=company | {"corporate_number": "6000012010023"})
    assert "顧客を登録しました。" in made.text
    assert "株式会社ページ登録 6000012010023 東京都 3億円" in text(made.text)
    other, _ = signed_in(app, "agent@other.jp")
    assert "ページ登録" not in other.get("/agent").text


# -- reports of one event (issue #16) -----------------------------------------------------


def test_a_report_form_sent_twice_makes_one_incident(seeded: Seeded) -> None:
    """The form carries its own idempotency key: a double click or a resent form is the
    same request, and lands on the incident the first one made."""
    app, _, _ = seeded
    holder, _ = signed_in(app, "holder@test.jp")
    form = holder.get("/incidents/new").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert key is not None and csrf is not None
    data = {"csrf_token": csrf[1], "idempotency_key": key[1], "summary": "画面に脅迫文"}
    first = holder.post("/incidents", data=data, follow_redirects=False)
    second = holder.post("/incidents", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    numbers = re.findall(r"INC-2026-\d{6}", holder.get("/my").text)
    assert sorted(set(numbers)) == ["INC-2026-000001"]
    # a new form is a new key: a second, different report is an incident of its own
    fresh = re.search(r'name="idempotency_key" value="([^"]+)"', holder.get("/incidents/new").text)
    assert fresh is not None and fresh[1] != key[1]


def test_the_desk_links_two_reports_of_one_event_with_a_reason_and_can_undo_it(
    seeded: Seeded,
) -> None:
    app, _, world = seeded
    db = app.state.db
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    from cybercover.services.incidents import get_incident, report_incident

    def report(caller: str) -> dict[str, Any]:
        return report_incident(
            db,
            desk,
            {"summary": f"{caller}から：ファイルが開けない", "company_id": world["company"]["id"]},
        )

    first, second = report("情報システム部"), report("総務部")
    page, csrf = signed_in(app, "desk@desk.jp")
    shown = page.get(f"/incidents/{second['id']}").text
    assert 'id="possible-duplicates"' in shown and first["number"] in shown
    # a link needs its reason, shown at the link form's field; nothing is linked
    refused = page.post(
        f"/incidents/{second['id']}/link",
        data={"csrf_token": csrf, "to_incident_id": str(first["id"]), "reason": ""},
    )
    assert refused.status_code == 422
    assert 'id="err-link.reason">関連付ける理由を入力してください' in refused.text
    assert get_incident(db, desk, second["id"])["linked_to_id"] is None
    linked = page.post(
        f"/incidents/{second['id']}/link",
        data={"csrf_token": csrf, "to_incident_id": str(first["id"]), "reason": "同じ事故"},
    )
    assert "報告を関連付けました" in linked.text and 'id="linked-to"' in linked.text
    assert second["number"] in page.get(f"/incidents/{first['id']}").text
    assert [q["number"] for q in desk_queue_numbers(app)] == [first["number"]]
    # the policyholder sees its two reports, not the desk's decision about them
    holder, _ = signed_in(app, "holder@test.jp")
    own = holder.get(f"/incidents/{second['id']}").text
    assert "同じ事故" not in own and 'id="possible-duplicates"' not in own
    undone = page.post(
        f"/incidents/{second['id']}/unlink", data={"csrf_token": csrf, "reason": "別の事故だった"}
    )
    assert "関連付けを解除しました" in undone.text
    assert get_incident(db, desk, second["id"])["linked_to_id"] is None
    assert sorted(q["number"] for q in desk_queue_numbers(app)) == [
        first["number"],
        second["number"],
    ]


def desk_queue_numbers(app: FastAPI) -> list[dict[str, Any]]:
    from cybercover.services.dispatch import desk_queue

    db = app.state.db
    return desk_queue(db, authenticate(db, "desk@desk.jp", PASSWORD))
