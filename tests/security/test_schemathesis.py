"""Schemathesis against the OpenAPI schema (``/api/v1/openapi.json``) of a running server
(uvicorn on loopback, over HTTP), on a seeded database: for every operation, valid and invalid requests
generated from the schema, sent with an admin's and an underwriter's bearer token so that
they reach the handlers. No answer may be a 5xx, and every documented answer must match
its schema. Bounded: a few examples per operation and mode (about a minute per backend).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from cybercover.services.people import create_user
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import seed
from tests.live_server import serving

EXAMPLES = 5  # per operation and generation mode
# bulk jobs that act on the whole book rather than the request's data: run, not fuzzed
SKIP = {("POST", "/api/v1/billing/lapse-overdue")}
# fuzzed last, in this order: each may end the caller's own access (a user deactivated, a
# token revoked: the caller's token is among those a generated id can name), after which
# every request answers 401 and would test nothing
LAST = [
    ("POST", "/api/v1/users/{user_id}/deactivate"),
    ("POST", "/api/v1/users/{user_id}/activate"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
    ("DELETE", "/api/v1/auth/tokens/current"),
]


@pytest.mark.parametrize("role", ["admin", "underwriter"])
def test_no_generated_request_gets_a_5xx_or_an_answer_off_its_schema(
    make_app_for_test: AppFactory, clock: FakeClock, role: str
) -> None:
    app = make_app_for_test()
    db = app.state.db
    seed(db)
    create_user(
        db,
        None,
        organisation_id=1,
        email="uw@insurer.jp",
        display_name="uw",
        role="underwriter",
        password=PASSWORD,
        underwriting_authority=3,
    )
    client = TestClient(app)
    email = "admin@example.jp" if role == "admin" else "uw@insurer.jp"
    headers = bearer(client, email)
    with serving(app) as url:
        checked = _run_every_operation(
            schemathesis.openapi.from_url(url + "/api/v1/openapi.json"), headers
        )
    assert checked > 120


def _run_every_operation(schema: Any, headers: dict[str, str]) -> int:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60  # the whole API, not an empty schema
    assert {(o.method.upper(), o.path) for o in operations} >= set(LAST)
    operations.sort(key=lambda o: _last_rank((o.method.upper(), o.path)))
    checked = 0
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                case.call_and_validate(
                    headers=headers, checks=[not_a_server_error, response_schema_conformance]
                )

            try:
                run()
            except Unsatisfiable:
                # nothing to make invalid (an operation without parameters or body)
                assert mode is GenerationMode.NEGATIVE, operation.label
                continue
            checked += 1
    return checked


def _last_rank(key: tuple[str, str]) -> int:
    return LAST.index(key) + 1 if key in LAST else 0
