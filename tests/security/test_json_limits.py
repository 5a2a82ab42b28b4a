"""One size and depth limit for every body read as JSON (api/limits.py): a body nested
ten thousand deep was a ``RecursionError`` and a 500 on ``POST /api/v1/rating``. Every
route of the API answers such a body, and one of 2 MB, with problem JSON, and a body of
legitimate depth still reaches the handler."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from cybercover.api.limits import JsonLimits, json_depth
from cybercover.services.people import bootstrap_admin
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory

ADMIN = "admin@example.jp"
JSON = {"Content-Type": "application/json"}
DEEP = b"[" * 10_000
LARGE = b'{"note": "' + b"x" * 2_000_000 + b'"}'  # 2 MB, but shallow


def _nested(depth: int) -> bytes:
    """Arrays and objects in turn, ``depth`` deep: ``[{"k": [...]}]``."""
    value: Any = 1
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return json.dumps(value).encode()


def _problem(answer: Any) -> dict[str, Any]:
    assert answer.headers["content-type"] == "application/problem+json", answer.text[:200]
    body: dict[str, Any] = answer.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == answer.status_code
    return body


@pytest.fixture
def admin(make_app_for_test: AppFactory) -> tuple[FastAPI, TestClient]:
    app = make_app_for_test()
    bootstrap_admin(app.state.db, email=ADMIN, password=PASSWORD)
    return app, TestClient(app)


def _api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, URL) of every operation under /api/v1, path parameters set to 1."""
    found = [
        (method, re.sub(r"\{[^}]+\}", "1", route.path))
        for route in iter_route_contexts(app.routes)
        if (route.path or "").startswith("/api/v1/")
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    assert len({url for _, url in found}) > 60 and len(found) > 80  # not vacuous
    return found


def test_every_api_route_refuses_a_deep_or_large_body_and_takes_a_legitimate_one(
    admin: tuple[FastAPI, TestClient],
) -> None:
    app, client = admin
    auth = bearer(client, ADMIN)
    legit = _nested(20)
    for method, url in _api_routes(app):
        deep = client.request(method, url, content=DEEP, headers=auth | JSON)
        assert deep.status_code == 400, (method, url, deep.status_code)
        assert _problem(deep)["type"] == "/problems/json-too-deep"
        assert "32" in deep.json()["detail"]
        large = client.request(method, url, content=LARGE, headers=auth | JSON)
        assert large.status_code == 413, (method, url, large.status_code)
        assert _problem(large)["type"] == "/problems/body-too-large"
        fine = client.request(method, url, content=legit, headers=auth | JSON)
        assert fine.status_code < 500 and fine.status_code != 413, (method, url, fine.text)
        if fine.status_code == 400:
            assert _problem(fine)["type"] != "/problems/json-too-deep", (method, url)
        if method == "DELETE":  # it may have revoked this very token
            auth = bearer(client, ADMIN)


def test_the_rating_route_is_held_to_the_limit_whatever_the_body_is_labelled(
    admin: tuple[FastAPI, TestClient],
) -> None:
    # /rating decodes its body as JSON without looking at Content-Type
    _, client = admin
    auth = bearer(client, ADMIN)
    for content_type in (
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/merge-patch+json",
        "APPLICATION/JSON; charset=utf-8",
    ):
        headers = auth | ({"Content-Type": content_type} if content_type else {})
        answer = client.post("/api/v1/rating", content=DEEP, headers=headers)
        assert answer.status_code == 400, content_type
        assert _problem(answer)["type"] == "/problems/json-too-deep"
    # labelled an upload, it must start as one (with its boundary)
    multipart = auth | {"Content-Type": "multipart/form-data; boundary=x"}
    for body in (DEEP, b"\r\n" + DEEP, b"{}"):
        answer = client.post("/api/v1/rating", content=body, headers=multipart)
        assert answer.status_code == 400
        assert _problem(answer)["type"] == "/problems/malformed-multipart"
    answer = client.post("/api/v1/rating", content=b"--x--\r\n", headers=multipart)
    assert answer.status_code == 422  # through to the handler, which finds no JSON


def test_the_depth_limit_is_thirty_two_and_strings_do_not_count(
    admin: tuple[FastAPI, TestClient],
) -> None:
    _, client = admin
    auth = bearer(client, ADMIN) | JSON
    at_limit = client.post("/api/v1/rating", content=_nested(32), headers=auth)
    assert at_limit.status_code == 422  # not a rating request, but read and answered
    over = client.post("/api/v1/rating", content=_nested(33), headers=auth)
    assert over.status_code == 400 and _problem(over)["type"] == "/problems/json-too-deep"
    brackets_in_text = json.dumps({"company": {"name": "[{" * 500 + '\\"' + "]" * 40}})
    assert json_depth(brackets_in_text.encode()) == 2
    answer = client.post("/api/v1/rating", content=brackets_in_text.encode(), headers=auth)
    assert answer.status_code == 422
    assert _problem(answer)["type"] == "/problems/invalid-input"


def test_json_that_is_not_utf8_or_not_json_is_a_problem_not_an_error(
    admin: tuple[FastAPI, TestClient],
) -> None:
    _, client = admin
    auth = bearer(client, ADMIN) | JSON
    for url in ("/api/v1/rating", "/api/v1/auth/tokens", "/api/v1/organisations"):
        for body in (
            b'{"email": "\xff\xfe"}',  # not UTF-8
            '{"email": "a"}'.encode("utf-16"),  # UTF-16, which json.loads would take
            b'{"email": "a\x00"}',
        ):
            answer = client.post(url, content=body, headers=auth)
            assert answer.status_code == 400, (url, body)
            assert _problem(answer)["type"] == "/problems/json-not-utf8"
        for body in (b'{"email":', b"[" * 32, b"{]", b'"\\'):
            answer = client.post(url, content=body, headers=auth)
            assert answer.status_code == 422, (url, body, answer.text)
            assert _problem(answer)["type"] == "/problems/invalid-input"


def test_the_size_limit_counts_streamed_bytes_when_no_length_is_given() -> None:
    """Pure ASGI: a body in chunks, without Content-Length, is cut off at the limit
    and the app never runs; under the limit it is replayed unchanged."""
    reached: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        reached.append(message["body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def run(chunks: list[bytes]) -> list[Message]:
        sent: list[Message] = []
        pending = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        read: list[int] = []

        async def receive() -> Message:
            read.append(1)
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
        asyncio.run(JsonLimits(app, max_bytes=2048, max_depth=32)(scope, receive, send))
        if sent[0]["status"] == 413:
            assert len(read) < len(chunks)  # stopped reading at the limit
        return sent

    refused = run([b'["' + b"x" * 1000] * 10)
    assert refused[0]["status"] == 413 and reached == []
    assert json.loads(refused[1]["body"])["type"] == "/problems/body-too-large"
    body = [b'{"a": [1, ', b'2], "b": "', b'x"}']
    assert run(body)[0]["status"] == 204
    assert reached == [b"".join(body)]


def test_a_content_length_over_the_limit_is_refused_before_reading() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not run")

    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError("nothing may be read")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"5000")],
    }
    asyncio.run(JsonLimits(app, max_bytes=2048, max_depth=32)(scope, receive, send))
    assert sent[0]["status"] == 413


def test_the_depth_count_reads_strings_as_json_does() -> None:
    assert json_depth(b"") == 0
    assert json_depth(b'[[1], {"a": "]]"}]') == 2
    assert json_depth(b'{"a": "\\"[[[["}') == 1  # an escaped quote does not end the string
    assert json_depth(b'["\\\\", [[]]]') == 3  # an escaped backslash does not escape "
    assert json_depth(b'"unterminated [[[[') == 0
    assert json_depth(b'[[["') == 3
    assert json_depth(b"[" * 10_000) == 10_000
    assert json_depth(b'{"a":' * 10_000) == 10_000
    # no backtracking blow-up on a megabyte of escaped quotes
    assert json_depth(b'"' + b'\\"' * 500_000) == 0
