"""The notification outbox end to end: rows commit with the data, a real SMTP server and
a real HTTP receiver get what was committed, once, with retries and backoff; a webhook
reaches 127.0.0.1 only because the administrator allowed it (services/outbound.py)."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from typer.testing import CliRunner

from cybercover.errors import InputError
from cybercover.services.notifications import (
    HttpxPoster,
    SmtpMailer,
    backoff,
    deliver_pending,
    enqueue_mail,
    enqueue_webhook,
    verify_signature,
)
from cybercover.services.outbound import OutboundPolicy, check_url
from cybercover.services.uow import Database
from cybercover.storage.models import OutboxMessage
from tests.integration.conftest import FakeClock

SECRET = "test-webhook-secret-0123456789abcdef"
LOCAL = OutboundPolicy(allow=("127.0.0.1",))
"""The administrator's opt-in (CYBERCOVER_OUTBOUND_ALLOW) for the receivers on 127.0.0.1."""
PUBLIC = "93.184.215.14"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int

    def mailer(self) -> SmtpMailer:
        return SmtpMailer("127.0.0.1", self.port, "desk@cybercover.invalid", timeout=5)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(inbox, port)
    finally:
        controller.stop()


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: answers ``statuses`` in turn, then 200."""

    clock: FakeClock
    statuses: list[int] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


def receiver_handler(state: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            verified = verify_signature(
                SECRET,
                self.headers["X-Cybercover-Timestamp"],
                body,
                self.headers["X-Cybercover-Signature"],
                now=state.clock.now,
            )
            state.calls.append(
                {"body": json.loads(body), "headers": dict(self.headers), "verified": verified}
            )
            status = state.statuses.pop(0) if state.statuses else (200 if verified else 401)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    state = Receiver(clock)
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver_handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/cybercover"
    with serving(server):
        yield state


@dataclass
class TlsReceiver(Receiver):
    """An https receiver on 127.0.0.1 whose certificate names only ``hooks.partner.example``."""

    client_context: ssl.SSLContext | None = None
    server_names: list[str | None] = field(default_factory=list)


@pytest.fixture
def tls_receiver(clock: FakeClock, tmp_path: Path) -> Iterator[TlsReceiver]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=hooks.partner.example"),
            *("-addext", "subjectAltName=DNS:hooks.partner.example"),
        ],
        check=True,
        capture_output=True,
    )
    state = TlsReceiver(clock, client_context=ssl.create_default_context(cafile=str(cert)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: state.server_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver_handler(state))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.url = f"https://hooks.partner.example:{server.server_address[1]}/hooks/cybercover"
    with serving(server):
        yield state


class FakeDns:
    """A resolver from a table: each name answers its lists in turn, the last one from
    then on (a name whose answer changes: DNS rebinding)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str) -> Iterable[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]


class RecordingMailer:
    """A fake :class:`Mailer`: keeps what it was asked to send (thread-safe)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def send(self, to: str, subject: str, body: str) -> None:
        with self._lock:
            self.sent.append((to, subject, body))


class RefusingPoster:
    """A fake :class:`Poster` for tests that send no webhooks."""

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        raise AssertionError("no webhook expected")


def outbox_rows(db: Database) -> list[OutboxMessage]:
    with db.sessions() as session:
        return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_a_committed_mail_reaches_the_smtp_server_with_its_japanese_subject(
    db: Database, clock: FakeClock, smtp_server: SmtpServer
) -> None:
    with db.unit_of_work() as uow:
        message_id = enqueue_mail(
            uow,
            to="ciso@example.co.jp",
            subject="【事故受付】インシデントを受け付けました",
            body="担当者より30分以内にご連絡します。",
            topic="incident.reported",
        )
    assert smtp_server.inbox.messages == []  # nothing leaves at commit

    report = deliver_pending(
        db, mailer=smtp_server.mailer(), poster=RefusingPoster(), secret=SECRET
    )

    assert report.sent == (message_id,)
    [mail] = smtp_server.inbox.messages
    assert mail["Subject"] == "【事故受付】インシデントを受け付けました"
    assert mail["To"] == "ciso@example.co.jp"
    assert mail.get_content().strip() == "担当者より30分以内にご連絡します。"
    [row] = outbox_rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, clock.now)


def test_a_rolled_back_unit_of_work_leaves_no_outbox_row_and_sends_nothing(
    db: Database, smtp_server: SmtpServer
) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        enqueue_mail(uow, to="a@example.jp", subject="s", body="b", topic="incident.reported")
        enqueue_webhook(uow, url="http://127.0.0.1:9/", topic="incident.reported", payload={})
        raise RuntimeError("the use case failed after enqueueing")

    report = deliver_pending(
        db, mailer=smtp_server.mailer(), poster=RefusingPoster(), secret=SECRET
    )

    assert outbox_rows(db) == []
    assert report.sent == report.retrying == report.failed == ()
    assert smtp_server.inbox.messages == []


def test_a_webhook_arrives_signed_with_its_version_and_the_receiver_verifies_it(
    db: Database, clock: FakeClock, receiver: Receiver
) -> None:
    with db.unit_of_work() as uow:
        message_id = enqueue_webhook(
            uow,
            url=receiver.url,
            topic="incident.reported",
            payload={"incident": "INC-2026-0001", "company": "株式会社テスト"},
        )

    report = deliver_pending(
        db, mailer=RecordingMailer(), poster=HttpxPoster(timeout=5, policy=LOCAL), secret=SECRET
    )

    assert report.sent == (message_id,)
    [call] = receiver.calls
    assert call["verified"]
    assert call["body"] == {
        "company": "株式会社テスト",
        "id": message_id,
        "incident": "INC-2026-0001",
        "sent_at": clock.now.isoformat(),
        "topic": "incident.reported",
        "version": 1,
    }
    assert call["headers"]["X-Cybercover-Topic"] == "incident.reported"
    assert call["headers"]["X-Cybercover-Delivery"] == str(message_id)
    assert call["headers"]["X-Cybercover-Timestamp"] == str(int(clock.now.timestamp()))


def test_a_webhook_keeps_the_version_its_caller_gave_and_refuses_reserved_fields(
    db: Database,
) -> None:
    with db.unit_of_work() as uow:
        enqueue_webhook(uow, url="https://example.jp/h", topic="t.x", payload={"version": 3})
    assert outbox_rows(db)[0].payload == {"version": 3}

    with pytest.raises(InputError) as caught, db.unit_of_work() as uow:
        enqueue_webhook(uow, url="ftp://example.jp/h", topic="t.x", payload={"id": 1})
    assert {p.path for p in caught.value.problems} == {"payload.id", "url"}


def test_a_receiver_failing_twice_is_retried_with_backoff_and_gets_the_message_once(
    db: Database, clock: FakeClock, receiver: Receiver
) -> None:
    receiver.statuses = [500, 500]
    with db.unit_of_work() as uow:
        message_id = enqueue_webhook(
            uow, url=receiver.url, topic="incident.reported", payload={"n": 1}
        )
    poster = HttpxPoster(timeout=5, policy=LOCAL)

    def deliver() -> tuple[tuple[int, ...], tuple[int, ...]]:
        report = deliver_pending(db, mailer=RecordingMailer(), poster=poster, secret=SECRET)
        return report.sent, report.retrying

    assert deliver() == ((), (message_id,))  # first attempt: 500
    assert outbox_rows(db)[0].last_error == "HTTP 500"
    clock.advance(seconds=59)
    assert deliver() == ((), ())  # not due before the one-minute backoff
    clock.advance(seconds=1)
    assert deliver() == ((), (message_id,))  # second attempt: 500
    clock.advance(minutes=1)
    assert deliver() == ((), ())  # the second backoff is two minutes
    clock.advance(minutes=1)
    assert deliver() == ((message_id,), ())  # third attempt: 200
    clock.advance(hours=2)
    assert deliver() == ((), ())

    assert [c["verified"] for c in receiver.calls] == [True, True, True]
    assert [c["body"]["id"] for c in receiver.calls] == [message_id] * 3
    [row] = outbox_rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_an_unreachable_url_ends_failed_after_the_maximum_attempts(
    db: Database, clock: FakeClock
) -> None:
    with db.unit_of_work() as uow:
        message_id = enqueue_webhook(
            uow, url=f"http://127.0.0.1:{free_port()}/", topic="incident.reported", payload={}
        )
    outcomes = []
    for attempt in range(1, 5):
        report = deliver_pending(
            db,
            mailer=RecordingMailer(),
            poster=HttpxPoster(timeout=5, policy=LOCAL),
            secret=SECRET,
            max_attempts=3,
        )
        outcomes.append((report.retrying, report.failed))
        clock.advance(minutes=backoff(attempt).total_seconds() / 60)

    assert outcomes == [((message_id,), ()), ((message_id,), ()), ((), (message_id,)), ((), ())]
    [row] = outbox_rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    assert row.last_error is not None and "ConnectError" in row.last_error


def test_two_delivery_runs_never_send_a_message_twice(db: Database, clock: FakeClock) -> None:
    with db.unit_of_work() as uow:
        for n in range(3):
            enqueue_mail(uow, to=f"u{n}@example.jp", subject="s", body="b", topic="t.x")
    mailer = RecordingMailer()

    first = deliver_pending(db, mailer=mailer, poster=RefusingPoster(), secret=SECRET)
    second = deliver_pending(db, mailer=mailer, poster=RefusingPoster(), secret=SECRET)
    clock.advance(days=1)
    third = deliver_pending(db, mailer=mailer, poster=RefusingPoster(), secret=SECRET)

    assert len(first.sent) == 3 and second.sent == third.sent == ()
    assert sorted(to for to, _, _ in mailer.sent) == [
        "u0@example.jp",
        "u1@example.jp",
        "u2@example.jp",
    ]


def test_concurrent_delivery_workers_send_each_message_exactly_once(db: Database) -> None:
    with db.unit_of_work() as uow:
        for n in range(30):
            enqueue_mail(uow, to=f"u{n}@example.jp", subject="s", body="b", topic="t.x")
    mailer = RecordingMailer()

    with ThreadPoolExecutor(4) as pool:
        reports = list(
            pool.map(
                lambda _: deliver_pending(
                    db, mailer=mailer, poster=RefusingPoster(), secret=SECRET
                ),
                range(4),
            )
        )

    assert sum(len(r.sent) for r in reports) == 30
    assert sorted(to for to, _, _ in mailer.sent) == sorted(f"u{n}@example.jp" for n in range(30))
    with db.sessions() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 30


def test_the_outbox_cli_delivers_with_the_configured_smtp_server(
    db: Database, database_url: str, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cybercover.cli import app

    with db.unit_of_work() as uow:
        enqueue_mail(uow, to="a@example.jp", subject="お知らせ", body="本文", topic="t.x")
    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("CYBERCOVER_SMTP_PORT", str(smtp_server.port))

    result = CliRunner().invoke(app, ["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert "sent 1, retrying 0, failed 0" in result.stdout
    assert [m["Subject"] for m in smtp_server.inbox.messages] == ["お知らせ"]


# --- where a webhook may go (services/outbound.py) -------------------------------------


def test_without_the_allow_list_a_webhook_to_127_0_0_1_fails_at_once_and_never_arrives(
    db: Database, receiver: Receiver
) -> None:
    with db.unit_of_work() as uow:  # a URL stored before the rule, or typed into the table
        message_id = enqueue_webhook(uow, url=receiver.url, topic="incident.reported", payload={})

    report = deliver_pending(
        db, mailer=RecordingMailer(), poster=HttpxPoster(timeout=5), secret=SECRET
    )

    assert (report.sent, report.retrying, report.failed) == ((), (), (message_id,))
    assert receiver.calls == []
    [row] = outbox_rows(db)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 1, None)  # no retries
    assert row.last_error is not None
    assert row.last_error.startswith("送信先を拒否 / destination refused: url: 送信先 127.0.0.1")
    assert "is not a public address (loopback)" in row.last_error
    assert "CYBERCOVER_OUTBOUND_ALLOW" in row.last_error
    assert row.last_error.endswith("[url_host_private]")


def test_a_name_public_at_registration_and_loopback_at_delivery_is_refused_unsent(
    db: Database, receiver: Receiver
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://hooks.partner.example:{port}/hooks/cybercover"
    rebinding = FakeDns({"hooks.partner.example": [[PUBLIC], ["127.0.0.1"]]})
    check_url(url, OutboundPolicy(), rebinding)  # registration: the name is public then
    with db.unit_of_work() as uow:
        message_id = enqueue_webhook(uow, url=url, topic="incident.reported", payload={})

    report = deliver_pending(
        db,
        mailer=RecordingMailer(),
        poster=HttpxPoster(timeout=5, resolve=rebinding),
        secret=SECRET,
    )

    assert report.failed == (message_id,)
    assert receiver.calls == []
    assert rebinding.asked == ["hooks.partner.example"] * 2
    [row] = outbox_rows(db)
    assert row.last_error is not None
    assert "hooks.partner.example → 127.0.0.1 is not a public address" in row.last_error


def test_a_webhook_goes_to_the_address_checked_with_the_name_in_the_host_header(
    db: Database, receiver: Receiver
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    with db.unit_of_work() as uow:  # the name exists only in the fake resolver
        message_id = enqueue_webhook(
            uow, url=f"http://hooks.partner.example:{port}/h", topic="t.x", payload={}
        )
    dns = FakeDns({"hooks.partner.example": [["127.0.0.1"]]})

    report = deliver_pending(
        db,
        mailer=RecordingMailer(),
        poster=HttpxPoster(timeout=5, policy=LOCAL, resolve=dns),
        secret=SECRET,
    )

    assert report.sent == (message_id,)
    [call] = receiver.calls
    assert call["verified"]
    assert call["headers"]["Host"] == f"hooks.partner.example:{port}"
    assert dns.asked == ["hooks.partner.example"]


def test_an_https_webhook_pinned_to_its_address_still_checks_the_certificate_by_name(
    db: Database, tls_receiver: TlsReceiver
) -> None:
    with db.unit_of_work() as uow:
        message_id = enqueue_webhook(uow, url=tls_receiver.url, topic="t.x", payload={})
    dns = FakeDns({"hooks.partner.example": [["127.0.0.1"]]})

    def poster(context: ssl.SSLContext | None) -> HttpxPoster:
        return HttpxPoster(timeout=5, policy=LOCAL, resolve=dns, verify=context or True)

    # the certificate is not one the system trusts: refused, and retried later
    first = deliver_pending(db, mailer=RecordingMailer(), poster=poster(None), secret=SECRET)
    assert first.retrying == (message_id,)
    assert "CERTIFICATE_VERIFY_FAILED" in (outbox_rows(db)[0].last_error or "")
    tls_receiver.clock.advance(minutes=1)
    # trusted: the TLS server name is the URL's name, not the address connected to
    second = deliver_pending(
        db, mailer=RecordingMailer(), poster=poster(tls_receiver.client_context), secret=SECRET
    )

    assert second.sent == (message_id,)
    assert tls_receiver.server_names == ["hooks.partner.example"] * 2
    [call] = tls_receiver.calls
    assert call["verified"]
    assert call["headers"]["Host"] == tls_receiver.url.split("/")[2]


def test_the_outbox_cli_refuses_a_private_webhook_unless_the_allow_list_names_it(
    db: Database,
    database_url: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cybercover.cli import app

    with db.unit_of_work() as uow:
        enqueue_webhook(uow, url=receiver.url, topic="t.x", payload={})
        enqueue_webhook(uow, url=receiver.url, topic="t.y", payload={})
    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("CYBERCOVER_WEBHOOK_SECRET", SECRET)

    refused = CliRunner().invoke(app, ["outbox", "deliver"])
    assert refused.exit_code == 0, refused.output
    assert "sent 0, retrying 0, failed 2" in refused.stdout
    assert receiver.calls == []

    with db.unit_of_work() as uow:
        enqueue_webhook(uow, url=receiver.url, topic="t.z", payload={})
    monkeypatch.setenv("CYBERCOVER_OUTBOUND_ALLOW", '["127.0.0.0/8"]')
    receiver.statuses = [204]  # the CLI signs with the real time, not this test's clock
    allowed = CliRunner().invoke(app, ["outbox", "deliver"])
    assert allowed.exit_code == 0, allowed.output
    assert "sent 1, retrying 0, failed 0" in allowed.stdout
    assert [c["body"]["topic"] for c in receiver.calls] == ["t.z"]
