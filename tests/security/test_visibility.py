"""The field table (services/visibility.py) against every view of a full journey.

- Every field a shaped view carries is in the table: a field nobody classified would be
  shown to nobody (and a new one could not be added without deciding who sees it).
- What each role sees of the same objects, worked out from the table's rules by hand:
  the reserves to claims, underwriting and administrators; a partner the incident's
  number, summary, status and triage only; the agencies' commission to agents and staff.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from cybercover.services import (
    claims,
    dispatch,
    endorsements,
    hearing,
    incidents,
    policies,
    submissions,
)
from cybercover.services import visibility as table
from cybercover.services.authz import PEOPLE, Actor, Role
from cybercover.services.claims import get_claim, list_claims, set_reserve
from cybercover.services.dispatch import list_dispatches
from cybercover.services.endorsements import get_endorsement, list_endorsements
from cybercover.services.incidents import get_incident, list_incidents, timeline
from cybercover.services.people import authenticate
from cybercover.services.policies import get_policy, list_policies
from cybercover.services.submissions import get_submission, list_submissions
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import AppFactory, FakeClock
from tests.security.world import PENDING, ROLE_USERS, World, build_world

SHAPING_MODULES = [claims, dispatch, endorsements, hearing, incidents, policies, submissions]


def unclassified(kind: str, view: dict[str, Any], path: str = "") -> list[str]:
    """The fields of ``view`` the table does not name, with their paths."""
    fields = table.FIELDS[kind]
    out = []
    for key, value in view.items():
        rule = fields.get(key)
        where = f"{path}{kind}.{key}"
        if rule is None:
            out.append(where)
        elif isinstance(rule, table.Nested):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, dict):
                    out += unclassified(rule.kind, item, f"{where}>")
    return out


@pytest.fixture
def app_and_world(make_app_for_test: AppFactory, clock: FakeClock) -> tuple[FastAPI, World]:
    app = make_app_for_test()
    return app, build_world(app.state.db)


@pytest.fixture
def shaped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every (kind, raw view) the services shape while the test runs."""
    seen: list[tuple[str, dict[str, Any]]] = []
    real = table.shape

    def recording(actor: Actor, kind: str, view: dict[str, Any]) -> dict[str, Any]:
        seen.append((kind, view))
        return real(actor, kind, view)

    def recording_all(actor: Actor, kind: str, views: list[dict[str, Any]]) -> Any:
        return [recording(actor, kind, v) for v in views]

    for module in SHAPING_MODULES:
        if hasattr(module, "shape"):
            monkeypatch.setattr(module, "shape", recording)
        if hasattr(module, "shape_all"):
            monkeypatch.setattr(module, "shape_all", recording_all)
    yield seen


def everything(app: FastAPI, world: World, actor: Actor) -> None:
    db = app.state.db
    get_incident(db, actor, world.own["incident_id"])
    list_incidents(db, actor)
    timeline(db, actor, world.own["incident_id"])
    get_claim(db, actor, world.own["claim_id"])
    list_claims(db, actor)
    list_dispatches(db, actor)
    get_submission(db, actor, world.own["submission_id"])
    list_submissions(db, actor)
    get_policy(db, actor, world.own["policy_id"])
    list_policies(db, actor)
    get_endorsement(db, actor, world.own["transaction_id"])
    list_endorsements(db, actor, world.own["policy_id"])


def test_every_field_of_every_shaped_view_is_in_the_table(
    app_and_world: tuple[FastAPI, World], shaped: list[tuple[str, dict[str, Any]]]
) -> None:
    app, world = app_and_world
    db = app.state.db
    admin = authenticate(db, ROLE_USERS["admin"], PASSWORD)
    claims_handler = authenticate(db, ROLE_USERS["claims_handler"], PASSWORD)
    # a reserve is never below what the part has paid or awaits (the pending 4,900,000)
    set_reserve(
        db, claims_handler, world.own["claim_id"], coverage="liability", amount=PENDING, reason="x"
    )
    everything(app, world, admin)
    kinds = {kind for kind, _ in shaped}
    assert kinds >= {"incident", "incident_event", "claim", "claim_summary", "dispatch"}
    assert kinds >= {"submission", "policy", "endorsement"}
    missing = sorted({m for kind, view in shaped for m in unclassified(kind, view)})
    assert missing == []


def test_what_each_role_sees_of_the_same_claim_incident_dispatch_and_policy(
    app_and_world: tuple[FastAPI, World],
) -> None:
    app, world = app_and_world
    db = app.state.db
    actors = {r: authenticate(db, ROLE_USERS[r.value], PASSWORD) for r in PEOPLE}
    set_reserve(
        db,
        actors[Role.CLAIMS_HANDLER],
        world.own["claim_id"],
        coverage="liability",
        amount=6_000_000,
        reason="見込み",
    )
    claim_id = world.own["claim_id"]
    # the reserves: the money people (claims, underwriting, audit); not the insured
    assert get_claim(db, actors[Role.CLAIMS_HANDLER], claim_id)["reserves"] == {
        "liability": 6_000_000
    }
    assert get_claim(db, actors[Role.ADMIN], claim_id)["reserves"] == {"liability": 6_000_000}
    holder_claim = get_claim(db, actors[Role.POLICYHOLDER], claim_id)
    assert "reserves" not in holder_claim
    assert all("idempotency_key" not in p for p in holder_claim["payments"])
    assert [p["amount"] for p in holder_claim["payments"]] == [PENDING]  # 5,000,000 − 100,000
    # a partner: the incident's number, summary, status and triage, nothing else
    partner_view = get_incident(db, actors[Role.PARTNER], world.own["incident_id"])
    assert set(partner_view) == {"id", "number", "summary", "status", "triage"}
    # its dispatch, with the estimate, but not the insurer's checks or who decided
    (own_dispatch,) = list_dispatches(db, actors[Role.PARTNER])
    assert own_dispatch["id"] == world.own["dispatch_id"]
    assert [c["total"] for c in own_dispatch["costs"]] == [1_100]  # 1,000 + 10 % tax
    # the desk sees possible duplicates; the insured does not
    desk_view = get_incident(db, actors[Role.DESK_OPERATOR], world.own["incident_id"])
    assert desk_view["possible_duplicates"] == []
    assert "possible_duplicates" not in get_incident(
        db, actors[Role.POLICYHOLDER], world.own["incident_id"]
    )
    # the underwriting issue: its decisions and authority to underwriters only
    issue_for_agent = get_submission(db, actors[Role.AGENT], world.own["submission_id"])["issues"][
        0
    ]
    assert issue_for_agent["rule_code"] == "no_mfa" and issue_for_agent["status"] == "open"
    assert not {"authority", "authority_level", "history"} & set(issue_for_agent)
    issue_for_underwriter = get_submission(
        db, actors[Role.UNDERWRITER], world.own["submission_id"]
    )["issues"][0]
    assert {"authority", "authority_level", "history"} <= set(issue_for_underwriter)
    # the agencies' commission on the policy: agents and staff, not the insured
    shares = get_policy(db, actors[Role.AGENT], world.own["policy_id"])["agencies"]
    assert sorted((a["share_percent"], a["commission_percent"] > 0) for a in shares) == [
        (50.0, True),
        (50.0, True),
    ]
    insured_sees = get_policy(db, actors[Role.POLICYHOLDER], world.own["policy_id"])["agencies"]
    assert sorted(a["share_percent"] for a in insured_sees) == [50.0, 50.0]  # the schedule's
    assert all("commission_percent" not in a for a in insured_sees)


def test_a_field_the_table_does_not_name_is_shown_to_nobody() -> None:
    admin = Actor(user_id=1, organisation_id=1, role=Role.ADMIN)
    assert table.shape(admin, "claim", {"id": 1, "new_field": "x"}) == {"id": 1}
