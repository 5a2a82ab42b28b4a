"""Mail and webhooks through a transactional outbox (STYLE.md habit 3).

A use case calls :func:`enqueue_mail` or :func:`enqueue_webhook` inside its own unit of
work: the outbox row commits or rolls back with the data, and nothing leaves the process
there. :func:`deliver_pending` runs after commit (``cybercover outbox deliver``) and sends
what is due through injectable transports (:class:`Mailer`, :class:`Poster`).

Delivery is *at least once*: a message is claimed in one short transaction (its attempt is
counted and it is leased for :data:`LEASE`), sent with no transaction open, then marked in
a second transaction. A worker that dies between sending and marking leaves the row to be
sent again once the lease ends, so receivers must de-duplicate on the delivery id
(``X-Cybercover-Delivery``). Two workers never hold the same row: PostgreSQL claims with
``SELECT … FOR UPDATE SKIP LOCKED`` and SQLite serialises writers (``BEGIN IMMEDIATE``).
See docs/notifications.md for the webhook signature scheme, and services/outbound.py for
where a webhook may be sent (public addresses, unless the administrator allows more).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import select, update

from cybercover.errors import InputError, Problem
from cybercover.services.outbound import OutboundPolicy, Resolver, pin_url, system_resolve
from cybercover.services.uow import Database, UnitOfWork
from cybercover.storage.models import OutboxMessage

__all__ = [
    "LEASE",
    "PAYLOAD_VERSION",
    "DeliveryReport",
    "HttpxPoster",
    "Mailer",
    "Poster",
    "SmtpMailer",
    "backoff",
    "canonical_json",
    "deliver_pending",
    "enqueue_mail",
    "enqueue_webhook",
    "sign",
    "verify_signature",
    "webhook_request",
]

PAYLOAD_VERSION = 1
"""The ``version`` put on a webhook payload whose caller gave none (habit 12)."""

LEASE = timedelta(minutes=5)
"""How long a claimed message is hidden from other workers while it is being sent."""

MAX_BACKOFF = timedelta(hours=1)
RESERVED_KEYS = ("id", "topic", "sent_at")
"""Webhook body fields the outbox fills in; a payload may not set them itself."""


# --- transports ------------------------------------------------------------------------


class Mailer(Protocol):
    """Sends one mail; raises on failure (any exception counts as a failed attempt)."""

    def send(self, to: str, subject: str, body: str) -> None: ...


class Poster(Protocol):
    """POSTs one body; returns the HTTP status code, raises on a transport error.

    An :class:`InputError` means the destination itself is refused (the outbound rule,
    services/outbound.py): no retry can change that, so the message is failed at once.
    """

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int: ...


class SmtpMailer:
    """A :class:`Mailer` over SMTP (stdlib ``smtplib``), UTF-8 headers and body."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.username = username
        self.password = password
        self.timeout = timeout

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject  # non-ASCII is encoded (RFC 2047) by EmailMessage
        message.set_content(body, charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class HttpxPoster:
    """A :class:`Poster` over ``httpx``; redirects are not followed (a 3xx is a failure).

    Each post resolves the host once, checks every address against ``policy`` (public
    addresses only, unless the administrator's allow-list says otherwise) and connects to
    a checked address, not to the name again: the URL is rewritten to the address, the
    ``Host`` header and, for https, the TLS server name (SNI and the certificate check)
    stay the name (services/outbound.py). A refused destination raises
    :class:`InputError`; addresses are tried in turn while the connection fails. Proxy
    settings from the environment are ignored: a proxy would resolve the name again.
    """

    def __init__(
        self,
        timeout: float = 10.0,
        policy: OutboundPolicy | None = None,
        resolve: Resolver = system_resolve,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.timeout = timeout
        self.policy = policy if policy is not None else OutboundPolicy()
        self.resolve = resolve
        self.verify = verify

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        import httpx  # imported here: only the delivery worker needs it

        pinned = pin_url(url, self.policy, self.resolve)
        target = httpx.URL(pinned.url)
        extensions = {"sni_hostname": pinned.tls_name} if pinned.tls_name else {}
        with httpx.Client(
            timeout=self.timeout, follow_redirects=False, trust_env=False, verify=self.verify
        ) as client:
            for i, address in enumerate(pinned.addresses):
                request = client.build_request(
                    "POST",
                    target.copy_with(host=str(address)),
                    content=body,
                    headers={**headers, "Host": pinned.host_header},
                    extensions=extensions,
                )
                try:
                    return client.send(request).status_code
                except httpx.ConnectError:
                    if i == len(pinned.addresses) - 1:
                        raise
        raise AssertionError("pin_url returns at least one address")  # pragma: no cover


# --- enqueue (inside the caller's unit of work) ----------------------------------------


def enqueue_mail(uow: UnitOfWork, *, to: str, subject: str, body: str, topic: str) -> int:
    """Write a mail to the outbox in the caller's transaction; returns the outbox id."""
    return _enqueue(uow, "mail", topic, to, {"subject": subject, "body": body})


def enqueue_webhook(uow: UnitOfWork, *, url: str, topic: str, payload: Mapping[str, Any]) -> int:
    """Write a webhook to the outbox in the caller's transaction; returns the outbox id.

    The payload gets ``version`` (:data:`PAYLOAD_VERSION`) if it has none; ``id``,
    ``topic`` and ``sent_at`` are filled in at delivery and may not be set here.

    Only the scheme of ``url`` is checked here: the host is checked against the outbound
    rule where the URL comes in (``register_partner``) and again, with the administrator's
    allow-list, at every delivery (:class:`HttpxPoster`), so a URL the allow-list let in
    is not refused here, where no settings are known.
    """
    problems = [
        Problem(
            f"payload.{key}",
            "outbox.reserved_key",
            f"{key} は配信時に設定されるため指定できません",
            f"{key} is set at delivery and cannot be given",
        )
        for key in RESERVED_KEYS
        if key in payload
    ]
    if not url.startswith(("https://", "http://")):
        problems.append(
            Problem(
                "url",
                "outbox.url",
                "URL は http:// または https:// で始まる必要があります",
                "the URL must start with http:// or https://",
            )
        )
    if problems:
        raise InputError(problems)
    data = dict(payload)
    data.setdefault("version", PAYLOAD_VERSION)
    return _enqueue(uow, "webhook", topic, url, data)


def _enqueue(
    uow: UnitOfWork, kind: str, topic: str, recipient: str, payload: dict[str, Any]
) -> int:
    try:  # refuse now, in the caller's transaction, what could never be sent
        canonical_json(payload)
    except (TypeError, ValueError) as exc:
        raise InputError(
            [
                Problem(
                    "payload",
                    "outbox.json",
                    "JSON に変換できない値があります",
                    f"the payload is not JSON: {exc}",
                )
            ]
        ) from exc
    message = OutboxMessage(
        kind=kind,
        topic=topic,
        payload=payload,
        recipient=recipient,
        status="pending",
        attempts=0,
        next_attempt_at=uow.now,
        created_at=uow.now,
    )
    uow.session.add(message)
    uow.session.flush()
    return message.id


# --- webhook signatures ----------------------------------------------------------------


def canonical_json(data: Mapping[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes for the same value, every time."""
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` under ``secret``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: datetime,
    tolerance_s: int = 300,
) -> bool:
    """For receivers: true when ``signature`` is ours over this body and timestamp.

    A timestamp more than ``tolerance_s`` seconds away from ``now`` (either way) is
    refused, so a captured request cannot be replayed later; the comparison is
    constant-time.
    """
    try:
        sent = int(timestamp)
        timestamp.encode("ascii")
    except (ValueError, UnicodeEncodeError):
        return False
    if abs(now.timestamp() - sent) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def webhook_request(
    message_id: int, topic: str, payload: Mapping[str, Any], secret: str, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """The signed body and headers for one delivery attempt of a webhook."""
    body = canonical_json(
        {**payload, "id": message_id, "topic": topic, "sent_at": now.astimezone(UTC).isoformat()}
    )
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Cybercover-Topic": topic,
        "X-Cybercover-Delivery": str(message_id),
        "X-Cybercover-Timestamp": timestamp,
        "X-Cybercover-Signature": sign(secret, timestamp, body),
    }
    return body, headers


# --- delivery (after commit) -----------------------------------------------------------


@dataclass(frozen=True)
class DeliveryReport:
    """Outbox ids by outcome of this run: sent, scheduled for a retry, given up."""

    sent: tuple[int, ...] = ()
    retrying: tuple[int, ...] = ()
    failed: tuple[int, ...] = ()


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 16)), MAX_BACKOFF)


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    topic: str
    recipient: str
    payload: dict[str, Any]
    attempts: int


def deliver_pending(
    db: Database,
    *,
    mailer: Mailer,
    poster: Poster,
    secret: str,
    now: datetime | None = None,
    limit: int = 100,
    max_attempts: int = 8,
) -> DeliveryReport:
    """Send up to ``limit`` due messages, one claim–send–mark cycle each.

    A failure (an exception from the transport, or a non-2xx status) schedules the next
    attempt after :func:`backoff`; the ``max_attempts``-th failure marks the row
    ``failed``, and so does at once a destination the outbound rule refuses (the poster
    raises :class:`InputError`, services/outbound.py). ``now`` defaults to the database clock, read afresh for each message.
    """
    sent: list[int] = []
    retrying: list[int] = []
    failed: list[int] = []
    for _ in range(limit):
        claimed = _claim(db, now or db.clock())
        if claimed is None:
            break
        at = now or db.clock()
        error, permanent = _send(claimed, mailer, poster, secret, at)
        outcome = _mark(db, claimed, error, now or db.clock(), max_attempts, permanent)
        if outcome == "sent":
            sent.append(claimed.id)
        elif outcome == "retrying":
            retrying.append(claimed.id)
        else:
            failed.append(claimed.id)
    return DeliveryReport(tuple(sent), tuple(retrying), tuple(failed))


def _claim(db: Database, now: datetime) -> _Claimed | None:
    with db.unit_of_work() as uow:
        row = uow.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # no-op on SQLite, which serialises writers
        ).scalar_one_or_none()
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        return _Claimed(row.id, row.kind, row.topic, row.recipient, dict(row.payload), row.attempts)


def _send(
    message: _Claimed, mailer: Mailer, poster: Poster, secret: str, now: datetime
) -> tuple[str | None, bool]:
    """Send once: the error text on failure (``None`` on success), and whether the
    failure is permanent (a destination the outbound rule refuses: not retried)."""
    try:
        if message.kind == "mail":
            mailer.send(message.recipient, message.payload["subject"], message.payload["body"])
            return None, False
        if message.kind == "webhook":
            body, headers = webhook_request(message.id, message.topic, message.payload, secret, now)
            status = poster.post(message.recipient, body, headers)
            return (None if 200 <= status < 300 else f"HTTP {status}"), False
        return f"unknown kind {message.kind!r}", False
    except InputError as exc:  # the destination is refused: no later attempt can succeed
        refused = "; ".join(str(problem) for problem in exc.problems)
        return f"送信先を拒否 / destination refused: {refused}"[:2000], True
    except Exception as exc:  # any transport failure is retried, never fatal to the run
        return f"{type(exc).__name__}: {exc}"[:2000], False


def _mark(
    db: Database,
    message: _Claimed,
    error: str | None,
    now: datetime,
    max_attempts: int,
    permanent: bool = False,
) -> str:
    if error is None:
        outcome, values = "sent", {"status": "sent", "sent_at": now, "last_error": None}
    elif permanent or message.attempts >= max_attempts:
        outcome, values = "failed", {"status": "failed", "last_error": error}
    else:
        outcome = "retrying"
        values = {"next_attempt_at": now + backoff(message.attempts), "last_error": error}
    with db.unit_of_work() as uow:
        # Fenced on the attempt count: a worker whose lease ran out cannot overwrite the
        # outcome of the worker that claimed the row after it.
        uow.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.status == "pending",
                OutboxMessage.attempts == message.attempts,
            )
            .values(**values)
        )
    return outcome
