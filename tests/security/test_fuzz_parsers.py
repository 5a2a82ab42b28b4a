"""Fuzzing the three parsers of user-written input: the product file, the adjudicate
scenario and the disclosure answers. Whatever comes in, the answer is a value or an
:class:`InputError` whose problems name a field and a rule in both languages — never
another exception (a traceback on the CLI, a 500 on the API)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cybercover.errors import InputError
from cybercover.product import Product, load_product, parse_product
from cybercover.terms.scenario import run_scenario
from cybercover.underwriting.answers import parse_isms, validate_answers
from tests.factories import CLEAN_ANSWERS, product_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FUZZ = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# what a user might type where a value belongs: wrong types, signs, sizes and texts
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "-1", "1e309", "NaN", "2026-13-45", "24:00", "<script>", "１２"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    if not path:
        return value
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _drop(data: Any, path: tuple[Any, ...]) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


def _assert_clear(exc: InputError) -> None:
    assert exc.problems
    for problem in exc.problems:
        assert problem.rule and problem.ja and problem.en, problem
    assert any(p.path for p in exc.problems), exc.problems


PRODUCT = product_data()
PRODUCT_LEAVES = _leaves(PRODUCT)


@FUZZ
@given(
    path=st.sampled_from(PRODUCT_LEAVES),
    value=ODD_VALUES,
    drop=st.booleans(),
)
def test_a_product_file_with_any_field_broken_gives_problems_naming_fields(
    path: tuple[Any, ...], value: Any, drop: bool
) -> None:
    data = _drop(PRODUCT, path) if drop and path else _set(PRODUCT, path, value)
    try:
        assert isinstance(parse_product(data), Product)
    except InputError as exc:
        _assert_clear(exc)


@FUZZ
@given(text=st.text(max_size=300) | st.binary(max_size=300))
def test_any_bytes_as_a_product_file_give_a_clear_error(
    text: str | bytes, tmp_path_factory: Any
) -> None:
    path = tmp_path_factory.mktemp("product") / "p.toml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    try:
        load_product(path)
    except InputError as exc:
        assert exc.problems and all(p.rule for p in exc.problems)


SCENARIOS = [
    json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(EXAMPLES.glob("*.json"))
    if not p.name.startswith("rate-")
]


@FUZZ
@given(data=st.data(), value=ODD_VALUES, drop=st.booleans())
def test_a_scenario_with_any_field_broken_is_adjudicated_or_refused_naming_fields(
    product: Product, data: st.DataObject, value: Any, drop: bool
) -> None:
    scenario = data.draw(st.sampled_from(SCENARIOS))
    path = data.draw(st.sampled_from(_leaves(scenario)))
    broken = _drop(scenario, path) if drop and path else _set(scenario, path, value)
    try:
        text = json.dumps(broken, ensure_ascii=False)
    except ValueError:
        text = json.dumps(broken, ensure_ascii=False, allow_nan=True)
    try:
        assert "total_paid" in run_scenario(text, product)
    except InputError as exc:
        _assert_clear(exc)


@FUZZ
@given(text=st.text(max_size=200))
def test_any_text_as_a_scenario_gives_a_clear_error(product: Product, text: str) -> None:
    try:
        run_scenario(text, product)
    except InputError as exc:
        assert exc.problems and all(p.rule for p in exc.problems)


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from([*CLEAN_ANSWERS, "unknown_question", ""]), ODD_VALUES, max_size=4
    ),
    stage=st.sampled_from(["quote", "bind"]),
)
def test_disclosure_answers_of_any_type_are_accepted_or_refused_per_question(
    product: Product, changes: dict[str, Any], stage: Any
) -> None:
    answers = {**CLEAN_ANSWERS, **changes}
    try:
        checked = validate_answers(product, answers, stage, None, on=date(2026, 4, 1))
        assert set(checked.values) <= set(answers)
    except InputError as exc:
        _assert_clear(exc)
        assert all(p.path.startswith("disclosure") for p in exc.problems), exc.problems


@FUZZ
@given(
    isms=st.dictionaries(
        st.sampled_from(["certified", "body", "certificate_number", "expires_on", "scope", "x"]),
        ODD_VALUES,
        max_size=5,
    )
)
def test_an_isms_declaration_of_any_shape_is_accepted_or_refused_naming_fields(
    product: Product, isms: dict[str, Any]
) -> None:
    try:
        parse_isms(product, isms)
    except InputError as exc:
        _assert_clear(exc)
        assert all(p.path.startswith("isms") for p in exc.problems), exc.problems


def test_the_bundled_product_file_parses_as_the_fuzzing_base() -> None:
    assert isinstance(parse_product(copy.deepcopy(PRODUCT)), Product)
