"""Isolation by construction (issue #16): an identifier that came from a caller reaches the
database only through the scoping layer (``services/scope.py``), which fetches the row
with the actor's reach in the same query.

This test reads the source of every layer that handles a request and refuses the classic
hole: ``session.get(Model, <something the caller passed in>)`` — a function parameter, an
item of a parameter (``data["company_id"]``) or ``int(...)`` of one. Reading a row by an
id *stored on a row already reached* (``session.get(Policy, claim.policy_id)``) is how a
service walks from an object it has authorised to its parts, and stays allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cybercover

ROOT = Path(cybercover.__file__).parent
LAYERS = ["services", "web", "api", "documents"]
ALLOWED = {
    "services/scope.py",  # the scoping layer itself
    # people and organisations: every read by an id is an administrator's act
    # (``user.manage``, ``organisation.manage``, ``partner.manage``: authorised before the
    # read) or the system's, from the CLI; other users reach only their own user
    "services/people.py",
}


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    a = fn.args
    names = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    names += [x for x in (a.vararg, a.kwarg) if x is not None]
    return {n.arg for n in names} - {"self", "cls", "session", "db", "uow", "actor"}


def _from_caller(node: ast.expr, params: set[str]) -> bool:
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        node = node.args[0]  # int(x), str(x)
    if isinstance(node, ast.Name):
        return node.id in params
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name) and node.value.id in params
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        return node.func.attr == "get" and isinstance(owner, ast.Name) and owner.id in params
    return False


def _is_session_get(call: ast.Call) -> bool:
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get" and len(call.args) >= 2):
        return False
    owner = func.value
    return (isinstance(owner, ast.Name) and owner.id == "session") or (
        isinstance(owner, ast.Attribute) and owner.attr == "session"
    )


def holes() -> list[str]:
    found = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                params = _params(fn)
                for node in ast.walk(fn):
                    if (
                        isinstance(node, ast.Call)
                        and _is_session_get(node)
                        and _from_caller(node.args[1], params)
                    ):
                        found.append(f"{rel}:{node.lineno} {fn.name}: {ast.unparse(node)}")
    return found


def test_no_identifier_from_a_caller_is_read_past_the_scoping_layer() -> None:
    assert holes() == []


def test_the_check_finds_the_hole_it_is_written_for(tmp_path: Path) -> None:
    """The other side: the pattern of the cross-tenant holes is recognised."""
    source = (
        "def open_claim(db, actor, data, incident_id):\n"
        "    with db.unit_of_work() as uow:\n"
        "        a = uow.session.get(Incident, incident_id)\n"
        "        b = uow.session.get(Company, int(data['company_id']))\n"
        "        c = uow.session.get(Policy, a.policy_id)\n"
    )
    tree = ast.parse(source)
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    params = _params(fn)
    flagged = [
        ast.unparse(node)
        for node in ast.walk(fn)
        if isinstance(node, ast.Call)
        and _is_session_get(node)
        and _from_caller(node.args[1], params)
    ]
    assert flagged == [
        "uow.session.get(Incident, incident_id)",
        "uow.session.get(Company, int(data['company_id']))",
    ]
