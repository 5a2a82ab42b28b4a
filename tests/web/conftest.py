"""Browser fixtures: the app served by uvicorn on a free port over a fresh SQLite
database seeded through the services, and Debian's Chromium driven by Playwright.

Each test gets its own server and world (so every figure it checks is its own); the
browser is started once. The server's clock is a :class:`FakeClock` the test moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cybercover.api.app import create_app
from cybercover.services.authz import SYSTEM
from cybercover.services.people import create_user
from cybercover.services.uow import Database
from cybercover.settings import Settings
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import FakeClock
from tests.integration.test_desk_api import seed
from tests.live_server import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
expect.set_options(timeout=10_000)  # a shared CI machine with two cores can be slow
# the night of the report: 02:30 on 10 July 2026 in Tokyo
NIGHT = datetime(2026, 7, 9, 17, 30, tzinfo=UTC)


@dataclass
class Site:
    """A running server: its address, clock, database and the seeded world."""

    url: str
    clock: FakeClock
    db: Database
    world: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[FastAPI, FakeClock, dict[str, Any]]]:
    """The app on a fresh SQLite database with its world, at 02:30 on 10 July (JST)."""
    clock = FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 10:00 JST, 2 March 2026
    app = create_app(
        Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'web.db'}"),
        clock=clock,
    )
    db: Database = app.state.db
    world = seed(db)  # admin, agencies, desk, partners, two companies, a paid policy
    for email, name, role, extra in [
        ("underwriter@insurer.jp", "引受 一郎", "underwriter", {"underwriting_authority": 3}),
        ("claims@insurer.jp", "損害 花子", "claims_handler", {"payment_authority": 10_000_000}),
        ("manager@insurer.jp", "課長 三郎", "claims_handler", {"payment_authority": 50_000_000}),
    ]:
        create_user(
            db,
            SYSTEM,
            organisation_id=1,  # the insurer (made by bootstrap_admin)
            email=email,
            display_name=name,
            role=role,
            password=PASSWORD,
            **extra,
        )
    clock.now = NIGHT
    yield app, clock, world
    db.engine.dispose()


@pytest.fixture
def site(seeded: tuple[FastAPI, FakeClock, dict[str, Any]]) -> Iterator[Site]:
    app, clock, world = seeded
    with serving(app) as url:
        yield Site(url=url, clock=clock, db=app.state.db, world=world)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: scripts/test.sh installs it (apt-get)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


class User:
    """One person at one browser: signs in, opens pages, keeps screenshots."""

    def __init__(
        self, browser: Browser, site: Site, test: str, shots: list[int], **context: Any
    ) -> None:
        self.context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", **context)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.site = site
        self.test = test
        self.shots = shots  # one numbering for every user of the test

    def sign_in(self, email: str, password: str = PASSWORD) -> Page:
        page = self.page
        page.goto(self.site.url + "/login")
        page.get_by_label("メールアドレス").fill(email)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_load_state()
        return page

    def open(self, path: str) -> Page:
        self.page.goto(self.site.url + path)
        return self.page

    def shot(self, name: str) -> None:
        """Keep a full-page screenshot under test-artifacts/ (not committed)."""
        ARTIFACTS.mkdir(exist_ok=True)
        self.shots[0] += 1
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.test}-{self.shots[0]:02d}-{name}.png"), full_page=True
        )


@pytest.fixture
def people(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``people(**context)`` opens a new browser context (its own cookies) as a user."""
    opened: list[User] = []
    shots = [0]

    def make(**context: Any) -> User:
        user = User(browser, site, request.node.name, shots, **context)
        opened.append(user)
        return user

    yield make
    for user in opened:
        user.context.close()
