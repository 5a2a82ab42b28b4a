"""A policy's lifecycle as one table (policies/lifecycle.py, issue #18): each status
allows the steps drawn in the module's diagram and refuses the others with their rule."""

from __future__ import annotations

import pytest

from cybercover.errors import ConflictError
from cybercover.policies.lifecycle import Action, Status, allowed, next_status, require


def test_each_status_allows_its_steps() -> None:
    assert allowed(Status.BOUND) == (Action.ISSUE,)
    assert allowed(Status.IN_FORCE) == (
        Action.ENDORSE,
        Action.CANCEL,
        Action.LAPSE,
        Action.RENEW,
    )
    assert allowed(Status.CANCELLED) == (Action.REINSTATE,)
    assert allowed(Status.LAPSED) == (Action.REINSTATE,)
    assert allowed(Status.EXPIRED) == (Action.RENEW,)


def test_each_step_leads_where_the_diagram_says() -> None:
    assert next_status("bound", Action.ISSUE) is Status.IN_FORCE
    assert next_status("in_force", Action.CANCEL) is Status.CANCELLED
    assert next_status("in_force", Action.LAPSE) is Status.LAPSED
    assert next_status("lapsed", Action.REINSTATE) is Status.IN_FORCE
    assert next_status("in_force", Action.ENDORSE) is Status.IN_FORCE  # unchanged


@pytest.mark.parametrize(
    ("status", "action", "rule"),
    [
        ("in_force", Action.ISSUE, "not_bound"),
        ("cancelled", Action.ENDORSE, "not_in_force"),
        ("lapsed", Action.CANCEL, "not_in_force"),
        ("in_force", Action.REINSTATE, "not_cancelled"),
        ("cancelled", Action.RENEW, "not_renewable"),
    ],
)
def test_a_step_the_status_does_not_allow_is_refused_with_its_rule(
    status: str, action: Action, rule: str
) -> None:
    with pytest.raises(ConflictError) as refused:
        require(status, action)
    assert refused.value.rule == rule
    assert status in refused.value.en
