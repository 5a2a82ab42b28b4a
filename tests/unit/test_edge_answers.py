"""The one mapping of the exception tree to HTTP (cybercover/edge.py), which the API's
problem JSON and the pages' error pages both use (issue #18: error mapping written once)."""

from __future__ import annotations

import pytest

from cybercover.edge import answer_for
from cybercover.errors import (
    AuthenticationError,
    AuthorityError,
    ConflictError,
    CybercoverError,
    ForbiddenError,
    InputError,
    NotFoundError,
    Problem,
)


@pytest.mark.parametrize(
    ("exc", "status", "kind"),
    [
        (InputError([Problem("amount", "required", "必須", "required")]), 422, "invalid-input"),
        (NotFoundError("claim", 7), 404, "not-found"),
        (AuthorityError("claim.pay", ja="権限外", en="above"), 403, "insufficient-authority"),
        (ForbiddenError("claim.manage"), 403, "forbidden"),
        (AuthenticationError("no credentials"), 401, "unauthenticated"),
        (ConflictError("claim_not_open", "終了済み", "closed"), 409, "claim_not_open"),
    ],
)
def test_each_error_has_one_answer(exc: CybercoverError, status: int, kind: str) -> None:
    answer = answer_for(exc)
    assert (answer.status, answer.kind) == (status, kind)
    assert " / " in answer.title  # Japanese first, then English


def test_an_error_outside_the_tree_has_no_answer() -> None:
    with pytest.raises(TypeError):
        answer_for(CybercoverError("something else"))
