"""The webhook signature scheme: HMAC-SHA256 over "<timestamp>.<body>", checked by
receivers in constant time within a five-minute window."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from cybercover.services.notifications import (
    backoff,
    canonical_json,
    verify_signature,
    webhook_request,
)
from cybercover.settings import Settings

SECRET = "receiver-shared-secret-0123456789abcdef"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def signed() -> tuple[bytes, dict[str, str]]:
    return webhook_request(7, "incident.reported", {"version": 1, "会社": "テスト"}, SECRET, NOW)


def test_a_signature_is_hex_hmac_sha256_over_timestamp_dot_body() -> None:
    body, headers = signed()
    expected = hmac.new(
        SECRET.encode(), headers["X-Cybercover-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Cybercover-Signature"] == f"sha256={expected}"
    assert body == canonical_json(
        {
            "id": 7,
            "sent_at": NOW.isoformat(),
            "topic": "incident.reported",
            "version": 1,
            "会社": "テスト",
        }
    )


def test_a_good_signature_verifies() -> None:
    body, h = signed()
    assert verify_signature(
        SECRET, h["X-Cybercover-Timestamp"], body, h["X-Cybercover-Signature"], NOW
    )


def test_a_tampered_body_does_not_verify() -> None:
    body, h = signed()
    tampered = body.replace(b'"id":7', b'"id":8')
    assert tampered != body
    assert not verify_signature(
        SECRET, h["X-Cybercover-Timestamp"], tampered, h["X-Cybercover-Signature"], NOW
    )


def test_a_signature_made_with_another_secret_does_not_verify() -> None:
    body, h = signed()
    assert not verify_signature(
        "another-secret", h["X-Cybercover-Timestamp"], body, h["X-Cybercover-Signature"], NOW
    )


def test_a_timestamp_swapped_after_signing_does_not_verify() -> None:
    body, h = signed()
    later = str(int(h["X-Cybercover-Timestamp"]) + 1)
    assert not verify_signature(SECRET, later, body, h["X-Cybercover-Signature"], NOW)


@pytest.mark.parametrize("skew", [timedelta(seconds=301), timedelta(seconds=-301)])
def test_a_stale_or_future_timestamp_is_refused_even_with_a_good_signature(
    skew: timedelta,
) -> None:
    body, h = signed()
    args = (SECRET, h["X-Cybercover-Timestamp"], body, h["X-Cybercover-Signature"])
    assert verify_signature(*args, NOW + timedelta(seconds=300))
    assert not verify_signature(*args, NOW + skew)


@pytest.mark.parametrize("timestamp", ["", "soon", "１７７２４１３２００"])
def test_a_malformed_timestamp_does_not_verify(timestamp: str) -> None:
    body, h = signed()
    assert not verify_signature(SECRET, timestamp, body, h["X-Cybercover-Signature"], NOW)


def test_backoff_doubles_from_one_minute_and_stops_at_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(7) == backoff(50) == timedelta(hours=1)


def test_production_refuses_the_default_webhook_secret() -> None:
    strong = "k" * 40
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        Settings(environment="production", secret_key=strong)
    assert Settings(environment="production", secret_key=strong, webhook_secret=strong)
