"""X-Forwarded-For is believed only from the proxies named in settings (none by default):
a caller cannot pick the address the login limit counts (docs/operations.md, "Behind a
reverse proxy")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cybercover.api.app import create_app
from cybercover.services.people import bootstrap_admin
from cybercover.settings import Settings
from cybercover.storage.models.people import LoginFailure
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import FakeClock

ADMIN = "admin@example.jp"


@pytest.fixture
def build(database_url: str, clock: FakeClock) -> Iterator[Any]:
    """``build(**settings)``: the app on this test's database with those settings."""
    apps: list[FastAPI] = []

    def make(**overrides: Any) -> FastAPI:
        settings = Settings(environment="test", database_url=database_url, **overrides)
        app = create_app(settings, clock=clock)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.db.engine.dispose()


def _token(client: TestClient, email: str, password: str, forwarded: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": password}, headers=headers
    ).status_code


def _failure_keys(app: FastAPI) -> set[str]:
    with app.state.db.sessions() as session:
        return {
            k for k in session.execute(select(LoginFailure.key)).scalars() if k[:7] == "client:"
        }


def _serve_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``cybercover serve`` hands to ``uvicorn.run`` (a fake one: no server)."""
    import uvicorn

    from cybercover.cli import app

    started: list[dict[str, Any]] = []

    def fake_run(target: str, **options: Any) -> None:
        started.append({"target": target, **options})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    done = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert done.exit_code == 0, done.output
    (options,) = started
    return options


def _as_served(app: FastAPI, options: dict[str, Any]) -> Any:
    """``app`` wrapped as uvicorn wraps it with ``serve``'s options (its own forwarded
    header middleware when ``proxy_headers`` is on, trusting FORWARDED_ALLOW_IPS)."""
    import uvicorn

    config = uvicorn.Config(
        app,
        log_config=None,  # leave this process's logging alone
        proxy_headers=options.get("proxy_headers", True),
        forwarded_allow_ips=options.get("forwarded_allow_ips"),
    )
    config.load()
    return config.loaded_app


def test_serve_turns_uvicorns_own_forwarded_header_handling_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = _serve_options(tmp_path, monkeypatch)
    assert options["target"] == "cybercover.api.asgi:app_factory"
    assert options["proxy_headers"] is False


def test_by_default_a_forwarded_address_from_loopback_does_not_escape_the_address_limit(
    build: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # uvicorn's default: loopback
    app = build()
    bootstrap_admin(app.state.db, email=ADMIN, password=PASSWORD)
    served = _as_served(app, _serve_options(tmp_path, monkeypatch))
    client = TestClient(served, client=("127.0.0.1", 50000))  # a local proxy, or anyone local
    for i in range(5):  # five accounts, five "addresses": one peer
        assert _token(client, f"nobody{i}@example.jp", "wrong", f"203.0.113.{i}") == 401
    # the sixth try, a fresh account with its right password and yet another address
    assert _token(client, ADMIN, PASSWORD, "203.0.113.99") == 429
    assert _failure_keys(app) == {"client:127.0.0.1"}


def test_a_forged_forwarded_address_from_an_untrusted_peer_changes_nothing(
    build: Any,
) -> None:
    app = build(trusted_proxies=["10.0.0.5"])  # a proxy, but not this peer
    client = TestClient(app, client=("192.0.2.44", 41000))
    assert _token(client, "nobody@example.jp", "wrong", "198.51.100.1") == 401
    assert _failure_keys(app) == {"client:192.0.2.44"}
    # nor does X-Forwarded-Proto make the request HTTPS: an https Origin is another site
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    refused = client.post(
        "/login",
        data={"email": "nobody@example.jp", "password": "wrong", "csrf_token": token[1]},
        headers={"X-Forwarded-Proto": "https", "Origin": "https://testserver"},
    )
    assert refused.status_code == 403


def test_behind_a_trusted_proxy_the_limit_counts_the_real_client(build: Any) -> None:
    app = build(trusted_proxies=["127.0.0.1"])
    bootstrap_admin(app.state.db, email=ADMIN, password=PASSWORD)
    proxy = TestClient(app, client=("127.0.0.1", 50000))
    for i in range(5):  # one client behind the proxy tries five accounts
        assert _token(proxy, f"nobody{i}@example.jp", "wrong", "203.0.113.5") == 401
    assert _failure_keys(app) == {"client:203.0.113.5"}
    # that client is held back, even when it adds a made-up hop in front: the right-most
    # address the trusted proxy did not add is the one counted
    assert _token(proxy, ADMIN, PASSWORD, "203.0.113.5") == 429
    assert _token(proxy, ADMIN, PASSWORD, "198.51.100.7, 203.0.113.5") == 429
    # another client behind the same proxy is not (and neither is the account)
    assert _token(proxy, ADMIN, PASSWORD, "203.0.113.6") == 201


def test_a_trusted_proxy_range_is_a_cidr_and_a_wildcard_is_refused(build: Any) -> None:
    app = build(trusted_proxies=["10.1.0.0/16"])
    inside = TestClient(app, client=("10.1.2.3", 50000))
    assert _token(inside, "nobody@example.jp", "wrong", "203.0.113.8") == 401
    assert _failure_keys(app) == {"client:203.0.113.8"}
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        Settings(trusted_proxies=["*"])
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        Settings(trusted_proxies=["proxy.internal"])


def test_a_proxy_list_comes_from_the_environment_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CYBERCOVER_TRUSTED_PROXIES", '["10.0.0.5", "10.2.0.0/16"]')
    assert Settings().trusted_proxies == ["10.0.0.5", "10.2.0.0/16"]


def test_behind_a_trusted_proxy_the_scheme_comes_from_x_forwarded_proto(build: Any) -> None:
    app = build(trusted_proxies=["127.0.0.1"])
    bootstrap_admin(app.state.db, email=ADMIN, password=PASSWORD)
    proxy = TestClient(app, client=("127.0.0.1", 50000))
    # TLS ends at the proxy: the browser's Origin is https, and so is the request
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    token = re.search(r'name="csrf_token" value="([^"]+)"', proxy.get("/login").text)
    assert token is not None
    signed_in = proxy.post(
        "/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": token[1]},
        headers=https | {"Origin": "https://testserver"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
