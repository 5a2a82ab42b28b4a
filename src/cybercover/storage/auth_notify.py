"""Hear PostgreSQL's ``NOTIFY cybercover_auth`` and clear the worker's token cache.

Migration 0010 puts a statement trigger on ``api_tokens`` and ``users``: any UPDATE,
DELETE or TRUNCATE sends a notification, delivered to every listener when (and only if)
its transaction commits. :class:`AuthListener` holds one connection of its own per worker
in a daemon thread: it listens, clears the cache on every notification, and proves the
connection alive with a ``SELECT 1`` after each quiet second, which keeps the cache live
(``TokenCache.heard``). Any error marks the cache dead (``TokenCache.lost``: no
caching) until the listener has reconnected, listened again and cleared the cache.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import psycopg
from sqlalchemy import Engine

__all__ = ["CHANNEL", "AuthListener", "Invalidated"]

CHANNEL = "cybercover_auth"
log = logging.getLogger("cybercover.auth_notify")


class Invalidated(Protocol):
    """What the listener keeps honest (services/token_cache.py's ``TokenCache``)."""

    def clear(self) -> None: ...
    def heard(self, for_s: float) -> None: ...
    def lost(self) -> None: ...


class AuthListener:
    """One per worker process; :meth:`start` at startup, :meth:`stop` at shutdown."""

    def __init__(
        self,
        engine: Engine,
        cache: Invalidated,
        *,
        quiet_s: float = 1.0,
        live_s: float = 5.0,
    ) -> None:
        url = engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self.cache = cache
        self.quiet_s = quiet_s
        self.live_s = live_s  # the cache answers this long after the last sign of life
        self.connected = threading.Event()  # for tests and the bench: listening now
        self.backend_pid: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="auth-notify", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.quiet_s + 5)
        self.cache.lost()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.5
            except (psycopg.Error, OSError) as exc:
                log.warning("token cache off: listener lost its connection (%s)", exc)
            self.connected.clear()
            self.cache.lost()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.backend_pid = conn.info.backend_pid
            self.cache.clear()  # whatever changed while nobody listened
            self.cache.heard(self.live_s)
            self.connected.set()
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=self.quiet_s):
                    self.cache.clear()
                conn.execute("SELECT 1")  # still there? (a dead socket raises here)
                self.cache.heard(self.live_s)
