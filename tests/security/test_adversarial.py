"""The adversarial suite (issue #16), generated from the route table and the role matrix.

For every route of the app — API and pages — and every role, the route is called on the
caller's own objects (tenant A's) and on a foreign tenant's (B's):

- a role the matrix (tests/security/matrix.py, built on ``services/authz.py``) allows
  gets through on what it reaches: never 401/403/404, never a 5xx;
- any other call is refused with 403 or 404, and a policyholder, agent or partner asking
  for a foreign object gets *exactly* the answer it gets for an id that does not exist
  (no existence oracle);
- no answer to tenant A's people carries anything of tenant B, and no answer to a
  policyholder, agent or partner carries a field the visibility table keeps from them
  (reserves, authority, internal notes, limit checks, possible duplicates);
- identifiers a caller puts in a body are checked to exist within its reach (a 404/422
  naming the field, the same for a foreign id as for a missing one), and fields a body
  may not set (ids, statuses, authority, owners) are ignored;
- a page that names a nested object under a parent (a deadline under an incident) refuses
  a child of another parent.

JSON depth and size limits, forwarded headers and outbound URLs have their own files in
this folder (test_json_limits.py, test_forwarded_headers.py, tests/unit/test_outbound_urls.py);
schemathesis fuzzes the API with every role's token (test_schemathesis.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, func, select

from cybercover.services.authz import PEOPLE, STAFF, Role
from cybercover.services.scope import REACH
from cybercover.storage.models import (
    Claim,
    ClaimPayment,
    Company,
    CostDocument,
    Deadline,
    Dispatch,
    Incident,
    Invoice,
    LossItem,
    Organisation,
    Policy,
    PolicyTransaction,
    Quote,
    Submission,
    UnderwritingIssueRow,
)
from tests.integration.api_helpers import PASSWORD, signed_in
from tests.integration.conftest import AppFactory, FakeClock
from tests.security.matrix import API, INFRASTRUCTURE, PAGES, PATH_OBJECTS, UPLOAD, Case
from tests.security.world import ROLE_USERS, SECRETS_OF_B, World, build_world

MISSING = 9_999_999  # an id no row has
MODEL_OF = {
    "company_id": Company,
    "submission_id": Submission,
    "quote_id": Quote,
    "issue_id": UnderwritingIssueRow,
    "policy_id": Policy,
    "invoice_id": Invoice,
    "transaction_id": PolicyTransaction,
    "agency_id": Organisation,
    "incident_id": Incident,
    "deadline_id": Deadline,
    "dispatch_id": Dispatch,
    "cost_id": CostDocument,
    "claim_id": Claim,
    "item_id": LossItem,
    "payment_id": ClaimPayment,
}
# what the visibility table keeps from policyholders, agents and partners: a field, by
# its path in an answer (lists flattened), at any depth
HIDDEN_FROM_OUTSIDE = (
    "reserves",
    "decision.limit_check",
    "decision.by",
    "issues.authority",
    "issues.authority_level",
    "issues.history",
    "possible_duplicates",
    "linked",
    "link",
    "actor_user_id",
    "findings.by",
    "documents.by",
    "payments.idempotency_key",
    "agencies.commission_percent",
)
PDF = b"%PDF-1.4\n%adversarial\n"


def routes(app: FastAPI) -> set[tuple[str, str]]:
    out = set()
    for route in iter_route_contexts(app.routes):
        if route.methods is None:  # a mount (static files)
            continue
        for method in route.methods - {"HEAD"}:
            out.add((method, str(route.path)))
    return out


def matrix() -> dict[tuple[str, str], Case]:
    return {**API, **PAGES}


def params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def reaches(role: Role, key: str, side: str) -> bool:
    """Whether ``role`` reaches the world's ``key`` object of ``side`` (services/scope.py)."""
    if key == "token_id":  # one's own tokens; an administrator's, anyone's
        return side == "own" or role is Role.ADMIN
    if key == "user_id":
        return role is Role.ADMIN
    if role in STAFF:
        return True
    return side == "own" and MODEL_OF[key] in REACH[role]


def expected_through(role: Role, path: str, case: Case, side: str) -> bool:
    if role not in case.roles:
        return False
    return all(reaches(role, p, side) for p in params(path) if p in PATH_OBJECTS)


@dataclass
class Caller:
    """One signed-in user, with a bearer token for the API and a page session."""

    role: Role
    api: TestClient
    headers: dict[str, str]
    page: TestClient
    csrf: str
    extra_token_id: int


def sign_in(app: FastAPI, role: Role) -> Caller:
    email = ROLE_USERS[role.value]
    api = TestClient(app)
    token = api.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    assert token.status_code == 201, token.text
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    second = api.post(
        "/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "name": "second"}
    )
    mine = api.get("/api/v1/auth/tokens", headers=headers).json()
    extra = max(t["id"] for t in mine)
    assert second.status_code == 201
    page, csrf = signed_in(app, email)
    return Caller(role, api, headers, page, csrf, extra)


def url_for(path: str, case: Case, ids: dict[str, Any], caller: Caller, side: str) -> str:
    values: dict[str, Any] = dict(case.literal)
    for name in params(path):
        if name in values:
            continue
        if name == "token_id" and side == "own":
            values[name] = caller.extra_token_id
        else:
            values[name] = ids[PATH_OBJECTS[name]]
    return path.format(**values)


def body_of(case: Case, ids: dict[str, Any]) -> Any:
    body = case.body(ids) if callable(case.body) else case.body
    if isinstance(body, dict) and case.ids:
        body = dict(body)
        for name, key in case.ids.items():
            value = ids[key]
            body[name] = str(value) if isinstance(body.get(name), str) else value
    return body


def call(caller: Caller, method: str, path: str, url: str, case: Case, body: Any) -> Any:
    is_page = not path.startswith("/api/")
    if is_page:
        client = caller.page
        if method == "GET":
            return client.get(url, params=case.query, follow_redirects=False)
        if body == UPLOAD:
            return client.post(
                url,
                data={"csrf_token": caller.csrf},
                files={"file": ("請求書.pdf", PDF, "application/pdf")},
                follow_redirects=False,
            )
        return client.post(
            url, data={**(body or {}), "csrf_token": caller.csrf}, follow_redirects=False
        )
    if case.session:
        return caller.page.request(
            method, url, headers={"X-CSRF-Token": caller.csrf}, json=body, params=case.query
        )
    if body == UPLOAD:
        return caller.api.post(
            url,
            headers=caller.headers,
            data={"kind": "isms_certificate"},
            files={"file": ("c.pdf", PDF, "application/pdf")},
        )
    return caller.api.request(method, url, headers=caller.headers, json=body, params=case.query)


def leaks(role: Role, text: str) -> list[str]:
    """What of tenant B, or of the insurer's internals, an answer shows this role."""
    if role in STAFF:  # the insurer's people reach every tenant
        return []
    found = [s for s in SECRETS_OF_B if s in text]
    try:
        data = json.loads(text)
    except ValueError:
        return found
    paths = _paths(data)
    hidden = HIDDEN_FROM_OUTSIDE if role is not Role.AGENT else HIDDEN_FROM_OUTSIDE[:-1]
    return found + sorted(p for p in paths if any(p == h or p.endswith("." + h) for h in hidden))


def _paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (``payments.idempotency_key``), lists flattened."""
    out: set[str] = set()
    if isinstance(value, dict):
        for key, v in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.add(path)
            out |= _paths(v, path)
    elif isinstance(value, list):
        for v in value:
            out |= _paths(v, prefix)
    return out


def _above_authority(answer: Any) -> bool:
    """A 403 for the person's authority (an amount, a level), not the role's: the route
    was reached and the rule about amounts applied (services/claims.py, underwriting)."""
    if answer.status_code != 403 or not answer.headers.get("content-type", "").startswith(
        "application/problem+json"
    ):
        return False
    return bool(answer.json().get("type") == "/problems/insufficient-authority")


def ordered(cases: dict[tuple[str, str], Case]) -> Iterator[tuple[tuple[str, str], Case]]:
    """Every route, those that end the caller's access last."""
    yield from sorted(cases.items(), key=lambda kv: (kv[1].last, kv[0][1], kv[0][0]))


@pytest.fixture
def app_and_world(make_app_for_test: AppFactory, clock: FakeClock) -> tuple[FastAPI, World]:
    app = make_app_for_test()
    return app, build_world(app.state.db)


def test_every_route_has_an_entry(app_and_world: tuple[FastAPI, World]) -> None:
    """A new route without a decision about who may call it fails here (and a stale
    entry, for a route that no longer exists, too)."""
    app, _ = app_and_world
    found = routes(app)
    assert len(found) >= 140  # the whole app, not the handful FastAPI lists at its top level
    entries = set(matrix()) | INFRASTRUCTURE
    assert sorted(found - entries) == [], "routes without an entry in tests/security/matrix.py"
    assert sorted(entries - found) == [], "entries for routes that do not exist"


@pytest.mark.parametrize("role", sorted(PEOPLE), ids=lambda r: r.value)
def test_every_route_for_every_role_on_own_and_foreign_objects(
    app_and_world: tuple[FastAPI, World], role: Role
) -> None:
    app, world = app_and_world
    caller = sign_in(app, role)
    wrong: list[str] = []
    for (method, path), case in ordered(matrix()):
        if case.public:
            continue
        objects = [p for p in params(path) if p in PATH_OBJECTS]
        for side in ("foreign", "own") if objects else ("own",):
            ids = world.own if side == "own" else world.foreign
            url = url_for(path, case, ids, caller, side)
            answer = call(caller, method, path, url, case, body_of(case, world.own))
            status = answer.status_code
            label = f"{method} {url} as {role.value} ({side}): {status}"
            if status >= 500:
                wrong.append(f"{label} server error {answer.text[:200]}")
                continue
            through = status not in (401, 403, 404) or _above_authority(answer)
            if through != expected_through(role, path, case, side):
                wrong.append(f"{label}, expected {'through' if not through else 'refused'}")
            if through and (shown := leaks(role, answer.text)):
                wrong.append(f"{label} shows {shown}")
            if side == "foreign" and role not in STAFF:
                missing = {p: MISSING for p in objects}
                nowhere = call(
                    caller,
                    method,
                    path,
                    url_for(
                        path,
                        Case(case.roles, literal={**case.literal, **missing}),
                        {},
                        caller,
                        side,
                    ),
                    case,
                    body_of(case, world.own),
                )
                if nowhere.status_code != status:
                    wrong.append(f"{label} but {nowhere.status_code} for a missing id: an oracle")
    assert wrong == []


def _allowed_scoped_or_first(case: Case) -> list[Role]:
    """The roles to try a body on: every scoped role the route allows, and one of staff."""
    roles = [r for r in sorted(PEOPLE) if r in case.roles and r not in STAFF]
    staff = [r for r in sorted(PEOPLE) if r in case.roles and r in STAFF]
    return roles + staff[:1]


def test_identifiers_in_bodies_are_checked_within_the_callers_reach(
    app_and_world: tuple[FastAPI, World],
) -> None:
    app, world = app_and_world
    wrong: list[str] = []
    tried = 0
    callers: dict[Role, Caller] = {}
    for (method, path), case in ordered(matrix()):
        for field, key in case.ids.items():
            for role in _allowed_scoped_or_first(case):
                caller = callers.get(role) or callers.setdefault(role, sign_in(app, role))
                url = url_for(path, case, world.own, caller, "own")
                base = case.id_bodies.get(field, case.body)
                base = base(world.own) if callable(base) else dict(base)
                answers = {}
                for what, value in (("missing", MISSING), ("foreign", world.foreign[key])):
                    body = {**base, field: str(value) if isinstance(base[field], str) else value}
                    answers[what] = call(caller, method, path, url, case, body)
                tried += 1
                missing, foreign = answers["missing"], answers["foreign"]
                label = f"{method} {path} {field} as {role.value}"
                if max(missing.status_code, foreign.status_code) >= 500:
                    wrong.append(f"{label}: server error")
                    continue
                if role in case.ignored_by.get(
                    field, frozenset()
                ):  # the caller's own is used: both go through
                    if not missing.status_code == foreign.status_code < 300:
                        wrong.append(f"{label}: {missing.status_code}/{foreign.status_code}")
                    continue
                if missing.status_code not in (303, 404, 422):
                    wrong.append(f"{label}: {missing.status_code} for an id that does not exist")
                if path.startswith("/api/") and missing.status_code == 422:
                    named = [e["field"] for e in missing.json().get("errors", [])]
                    if field not in named:
                        wrong.append(f"{label}: the problem names {named}, not {field}")
                if role not in STAFF and foreign.status_code != missing.status_code:
                    wrong.append(
                        f"{label}: {foreign.status_code} for a foreign id, "
                        f"{missing.status_code} for a missing one"
                    )
                if role not in STAFF and (shown := leaks(role, foreign.text)):
                    wrong.append(f"{label} shows {shown}")
    assert tried >= 12
    assert wrong == []


def test_a_policyholder_reports_for_its_own_company_whatever_the_body_names(
    app_and_world: tuple[FastAPI, World],
) -> None:
    app, world = app_and_world
    holder = sign_in(app, Role.POLICYHOLDER)
    made = holder.api.post(
        "/api/v1/incidents",
        headers=holder.headers,
        json={"summary": "どこの会社の事故か", "company_id": world.foreign["company_id"]},
    )
    assert made.status_code == 201
    assert made.json()["company_id"] == world.own["company_id"]


MASS = {
    "id": 987_654_321,
    "number": "MASS-ASSIGNED",
    "status": "mass-assigned",
    "insured": True,
    "role": "admin",
    "organisation_id": 987_654_321,
    "payment_authority": 987_654_321,
    "underwriting_authority": 987_654_321,
    "reported_by": 987_654_321,
    "created_by": 987_654_321,
    "approved_by": 987_654_321,
    "linked_to_id": 987_654_321,
    "paid_amount": 987_654_321,
    "premium": 987_654_321,
    "annual_premium": 987_654_321,
    "reserves": {"liability": 987_654_321},
    "company_id": 987_654_321,
    "policy_id": 987_654_321,
}


def test_fields_a_body_may_not_set_are_never_taken(app_and_world: tuple[FastAPI, World]) -> None:
    """Mass assignment: every JSON write gets extra fields it does not declare (ids,
    statuses, authority, owners); none is taken, none is echoed, nothing is stored."""
    app, world = app_and_world
    schema = app.openapi()
    tried = 0
    wrong = []
    callers: dict[Role, Caller] = {}
    for (method, path), case in ordered(API):
        if method not in ("POST", "PUT", "PATCH") or not isinstance(case.body, dict | type(None)):
            continue
        if case.last or case.public or case.body == UPLOAD:
            continue
        operation = schema["paths"][path][method.lower()]
        declared = _declared_fields(schema, operation)
        if declared is None:  # a free-form body (answers, a rating request): its own rules
            continue
        extra = {k: v for k, v in MASS.items() if k not in declared}
        staff = [r for r in sorted(PEOPLE) if r in case.roles and r in STAFF]
        role = staff[0] if staff else next(r for r in sorted(PEOPLE) if r in case.roles)
        caller = callers.get(role) or callers.setdefault(role, sign_in(app, role))
        url = url_for(path, case, world.own, caller, "own")
        body = {**(body_of(case, world.own) or {}), **extra}
        answer = caller.api.request(method, url, headers=caller.headers, json=body)
        tried += 1
        if answer.status_code >= 500:
            wrong.append(f"{method} {path}: {answer.status_code}")
        elif "987654321" in answer.text or "mass-assigned" in answer.text.lower():
            wrong.append(f"{method} {path} took an undeclared field: {answer.text[:200]}")
    assert tried >= 30
    assert wrong == []
    with app.state.db.engine.connect() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            for column in table.columns:
                kind = _python_type(column)
                if kind is int:
                    taken = column == 987_654_321
                elif kind is str:
                    taken = column.in_(["mass-assigned", "MASS-ASSIGNED"])
                else:
                    continue
                count = connection.execute(select(func.count()).where(taken)).scalar_one()
                assert count == 0, f"{table.name}.{column.name} holds a mass-assigned value"


def _python_type(column: Any) -> type | None:
    try:
        kind: type = column.type.python_type
    except NotImplementedError:  # JSON and other types that do not say
        return None
    return kind


def _declared_fields(schema: dict[str, Any], operation: dict[str, Any]) -> set[str] | None:
    body = operation.get("requestBody")
    if body is None:
        return set()
    content = body["content"].get("application/json")
    if content is None:
        return set()
    ref = content["schema"].get("$ref")
    if ref is None:
        return None
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    if model.get("additionalProperties") not in (None, False):
        return None
    return set(model.get("properties", {}))


@pytest.mark.parametrize(
    ("path", "child"),
    [
        ("/incidents/{incident_id}/deadlines/{deadline_id}", "deadline_id"),
        ("/incidents/{incident_id}/costs/{cost_id}", "cost_id"),
        ("/claims/{claim_id}/payments/{payment_id}/approval", "payment_id"),
        ("/claims/{claim_id}/payments/{payment_id}/undo", "payment_id"),
        ("/claims/{claim_id}/items/{item_id}/correction", "item_id"),
    ],
)
def test_a_nested_object_is_refused_under_another_parent(
    app_and_world: tuple[FastAPI, World], path: str, child: str
) -> None:
    app, world = app_and_world
    role = Role.ADMIN  # reaches both tenants: only the parent check can refuse
    caller = sign_in(app, role)
    parent = next(p for p in params(path) if p != child)
    url = path.format(**{parent: world.own[parent], child: world.foreign[child]})
    data = {"approve": "yes", "reason": "別の請求の支払", "amount": "1", "action": "amend"}
    answer = caller.page.post(url, data={**data, "csrf_token": caller.csrf}, follow_redirects=False)
    assert answer.status_code == 404, (url, answer.status_code)


def test_the_matrix_is_not_vacuous() -> None:
    """Every role is allowed somewhere and refused somewhere: a matrix that let everyone
    do everything (or nothing) would pass the tests above for the wrong reason."""
    for role in sorted(PEOPLE):
        allowed = [k for k, c in matrix().items() if role in c.roles and not c.public]
        refused = [k for k, c in matrix().items() if role not in c.roles]
        assert len(allowed) >= 5, role
        assert role is Role.ADMIN or len(refused) >= 20, role
