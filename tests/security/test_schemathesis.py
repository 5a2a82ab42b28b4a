"""Schemathesis against the OpenAPI schema (``/api/v1/openapi.json``) of a running server
(uvicorn on loopback, over HTTP), on the two-tenant world of the adversarial suite, with
the bearer token of **every role** (issue #16), so that every role's path through each
handler is fuzzed — not only an administrator's.

For each role, in this order:

1. every operation on its own: valid and invalid requests generated from the schema;
2. the stateful phase: sequences of calls chained by the links schemathesis infers
   between operations (an id an answer gives is the next call's path parameter);
3. last, apart, the operations that can end the caller's own access (a user deactivated,
   a token revoked — the caller's own token is among the ids a generated request can
   name), after which every request would answer 401 and test nothing.

No answer may be a 5xx, and every documented answer must match its schema. Bounded: a
few examples per operation and mode, a few short scenarios.
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

from cybercover.services.authz import PEOPLE, Role
from tests.integration.api_helpers import bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.live_server import serving
from tests.security.world import ROLE_USERS, build_world

EXAMPLES = 4  # per operation and generation mode
SCENARIOS = 6  # stateful scenarios per role, each of a few linked steps
CHECKS = [not_a_server_error, response_schema_conformance]
# bulk jobs that act on the whole book rather than the request's data: run, not fuzzed
SKIP = {("POST", "/api/v1/billing/lapse-overdue")}
# fuzzed last, in this order: each may end the caller's own access
LAST = [
    ("POST", "/api/v1/users/{user_id}/deactivate"),
    ("POST", "/api/v1/users/{user_id}/activate"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
    ("POST", "/api/v1/auth/logout"),
    ("DELETE", "/api/v1/auth/tokens/current"),
]


@pytest.mark.parametrize("role", sorted(PEOPLE), ids=lambda r: r.value)
def test_no_generated_request_of_any_role_gets_a_5xx_or_an_answer_off_its_schema(
    make_app_for_test: AppFactory, clock: FakeClock, role: Role
) -> None:
    app = make_app_for_test()
    build_world(app.state.db)
    headers = bearer(TestClient(app), ROLE_USERS[role.value])
    with serving(app) as url:
        schema = schemathesis.openapi.from_url(url + "/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 80  # the whole API, not an empty schema
        keys = {(o.method.upper(), o.path) for o in operations}
        assert keys >= set(LAST)
        checked = _each_operation(
            [o for o in operations if (o.method.upper(), o.path) not in SKIP | set(LAST)],
            headers,
        )
        steps = _stateful(schema, headers)
        checked += _each_operation(
            sorted(
                (o for o in operations if (o.method.upper(), o.path) in LAST),
                key=lambda o: LAST.index((o.method.upper(), o.path)),
            ),
            headers,
        )
    assert checked > 150
    assert steps >= SCENARIOS


def _each_operation(operations: list[Any], headers: dict[str, str]) -> int:
    checked = 0
    for operation in operations:
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
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # nothing to make invalid (an operation without parameters or body)
                assert mode is GenerationMode.NEGATIVE, operation.label
                continue
            checked += 1
    return checked


def _stateful(schema: Any, headers: dict[str, str]) -> int:
    """Linked scenarios (schemathesis infers the links from the answers and the path
    parameters), none of them through an operation that ends the caller's access."""
    machine = schema.exclude(
        func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in set(LAST) | SKIP
    ).as_state_machine()
    assert schema.statistic.transitions.total > 50  # the chains exist
    taken: list[int] = []

    class Scenario(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            taken.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

    Scenario.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=5,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    return len(taken)
