"""The token cache's rules, with a hand-moved monotonic clock (services/token_cache.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cybercover.services.authz import Actor, Role
from cybercover.services.token_cache import TokenCache

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=90)  # the token's own expiry
AGENT = Actor(user_id=7, organisation_id=2, role=Role.AGENT)
ADMIN = Actor(user_id=1, organisation_id=1, role=Role.ADMIN)


class Ticks:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def live_cache(ttl_s: float = 30.0, **kwargs: int) -> tuple[TokenCache, Ticks]:
    ticks = Ticks()
    cache = TokenCache(ttl_s, monotonic=ticks, **kwargs)
    cache.heard(5.0)
    return cache, ticks


def test_an_answer_is_kept_for_its_ttl_and_never_past_the_tokens_expiry() -> None:
    cache, ticks = live_cache(30.0)
    cache.put("a", AGENT, LATER, cache.generation())
    cache.heard(100.0)  # keep the listener's heartbeat out of this test
    assert cache.get("a", NOW) == AGENT
    ticks.t += 29.9
    assert cache.get("a", NOW) == AGENT
    ticks.t += 0.1  # 30 s after it was stored
    assert cache.get("a", NOW) is None
    cache.put("b", AGENT, NOW + timedelta(seconds=10), cache.generation())
    assert cache.get("b", NOW + timedelta(seconds=9)) == AGENT
    assert cache.get("b", NOW + timedelta(seconds=10)) is None  # the token has expired
    assert (cache.hits, cache.misses) == (3, 2)


def test_nothing_is_answered_or_kept_unless_the_listener_was_heard_lately() -> None:
    ticks = Ticks()
    cache = TokenCache(30.0, monotonic=ticks)
    assert not cache.live
    cache.put("a", AGENT, LATER, cache.generation())
    assert len(cache) == 0 and cache.get("a", NOW) is None
    cache.heard(5.0)
    cache.put("a", AGENT, LATER, cache.generation())
    assert cache.get("a", NOW) == AGENT
    ticks.t += 5.0  # no heartbeat for 5 s: a hung listener turns the cache off
    assert not cache.live and cache.get("a", NOW) is None
    cache.heard(5.0)
    assert cache.get("a", NOW) == AGENT
    cache.lost()  # the connection dropped: everything goes, and stays off
    assert len(cache) == 0 and not cache.live
    cache.heard(5.0)
    assert cache.get("a", NOW) is None


def test_an_answer_read_before_a_clear_is_not_kept() -> None:
    """A look-up that read the database just before a revocation committed must not
    store its answer after the revocation's notification cleared the cache."""
    cache, _ = live_cache()
    started = cache.generation()
    cache.clear()  # the notification arrives while the look-up runs
    cache.put("a", AGENT, LATER, started)
    assert cache.get("a", NOW) is None
    cache.put("a", AGENT, LATER, cache.generation())
    assert cache.get("a", NOW) == AGENT
    started = cache.generation()
    cache.lost()
    cache.heard(5.0)
    cache.put("a", AGENT, LATER, started)  # read before the reconnection: dropped
    assert cache.get("a", NOW) is None


def test_a_full_cache_forgets_its_oldest_entry() -> None:
    cache, _ = live_cache(max_entries=2)
    for key, actor in [("a", AGENT), ("b", ADMIN), ("c", AGENT)]:
        cache.put(key, actor, LATER, cache.generation())
    assert len(cache) == 2
    assert [cache.get(k, NOW) for k in "abc"] == [None, ADMIN, AGENT]
    cache.put("b", AGENT, LATER, cache.generation())  # replacing keeps the size
    assert len(cache) == 2 and cache.get("c", NOW) == AGENT


def test_a_zero_ttl_turns_the_cache_off_and_bad_sizes_are_refused() -> None:
    cache, _ = live_cache(0.0)
    cache.put("a", AGENT, LATER, cache.generation())
    assert not cache.live and cache.get("a", NOW) is None
    with pytest.raises(ValueError, match="max_entries"):
        TokenCache(30.0, max_entries=0)
    with pytest.raises(ValueError, match="ttl_s"):
        TokenCache(-1.0)
