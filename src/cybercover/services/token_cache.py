"""A worker's cache of bearer token → actor, kept honest by the database.

Every API request names its caller with a bearer token. Looking the token up costs a
PostgreSQL round trip or three (BEGIN, the query, ROLLBACK) and a trip through the thread
pool: about a third of a worker's CPU for a rate-table quote under load (bench/README.md,
"The token cache"). This cache answers repeat calls from memory, under three rules:

1. **Only while invalidations can arrive.** On PostgreSQL a trigger on ``api_tokens`` and
   ``users`` (migration 0010) sends ``NOTIFY cybercover_auth`` when a change to either
   commits; each worker listens (``storage/auth_notify.py``) and clears its whole cache on
   each notification. The cache answers only while its listener has heard from the
   server in the last few seconds (:meth:`TokenCache.heard`); if the listener's connection
   drops or hangs, every request goes to the database again. On SQLite there is no
   listener, so there is no caching at all.
2. **No stale entry survives a clear.** A look-up notes the cache's generation before it
   reads the database and stores its answer only if no clear happened meanwhile, so an
   answer read just before a revocation cannot outlive that revocation's notification.
3. **Bounded.** An entry lasts at most ``ttl_s`` seconds and never past the token's own
   expiry (by the application's clock); the cache holds at most ``max_entries``.

A revocation therefore takes effect in every worker once its notification arrives
(milliseconds after the commit), and at once in the worker that made it
(:meth:`cybercover.services.uow.Database.auth_changed`). docs/operations.md, "The token
cache", says what this trades and how to turn it off (``CYBERCOVER_TOKEN_CACHE_SECONDS=0``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cybercover.services.authz import Actor

__all__ = ["TokenCache"]


@dataclass(frozen=True, slots=True)
class _Entry:
    actor: Actor
    token_expires_at: datetime
    stored_at: float  # monotonic seconds


class TokenCache:
    """Token digest → actor for one worker; thread-safe (the event loop reads, the thread
    pool stores, the listener's thread clears)."""

    def __init__(
        self,
        ttl_s: float,
        *,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s < 0 or max_entries < 1:
            raise ValueError("ttl_s must be >= 0 and max_entries >= 1")
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._generation = 0
        self._live_until = float("-inf")
        self.hits = 0
        self.misses = 0

    @property
    def live(self) -> bool:
        """Whether an invalidation would reach this cache now (its listener is connected
        and answered within its heartbeat)."""
        return self.ttl_s > 0 and self._monotonic() < self._live_until

    def get(self, key: str, now: datetime) -> Actor | None:
        """The cached actor of a token digest, or None (ask the database)."""
        if not self.live:
            return None
        entry = self._entries.get(key)
        if (
            entry is None
            or self._monotonic() - entry.stored_at >= self.ttl_s
            or entry.token_expires_at <= now
        ):
            self.misses += 1
            return None
        self.hits += 1
        return entry.actor

    def generation(self) -> int:
        """Read before the database look-up; pass to :meth:`put`."""
        return self._generation

    def put(self, key: str, actor: Actor, token_expires_at: datetime, generation: int) -> None:
        """Keep the answer of a look-up that started at ``generation``, unless the cache
        was cleared since (the answer may predate a revocation) or is not live."""
        with self._lock:
            if generation != self._generation or not self.live:
                return
            if key not in self._entries and len(self._entries) >= self.max_entries:
                self._entries.pop(next(iter(self._entries)))  # the oldest
            self._entries[key] = _Entry(actor, token_expires_at, self._monotonic())

    def clear(self) -> None:
        """Forget everything (a token or user changed somewhere)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def heard(self, for_s: float) -> None:
        """The listener is connected and just heard from the server: the cache may
        answer for the next ``for_s`` seconds."""
        self._live_until = self._monotonic() + for_s

    def lost(self) -> None:
        """The listener lost its connection: answer nothing until it is back (when it
        clears the cache again, since notifications may have been missed)."""
        with self._lock:
            self._live_until = float("-inf")
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
