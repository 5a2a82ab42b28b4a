"""Start and stop what the load bench and the fault tests run against: ``cybercover
serve`` as a subprocess (its own process group, so that SIGKILL takes the uvicorn master
and every worker at once) and a throw-away PostgreSQL cluster.

Both are context managers that clean up on every way out, failures included.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

import httpx

__all__ = ["Cluster", "Server", "free_port", "postgres_cluster", "serve"]

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``cybercover serve``: its URL and process; :meth:`kill` is a crash."""

    url: str
    database_url: str
    workers: int
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, *, demo: bool = True, timeout: float = 90.0) -> None:
        port = self.url.rsplit(":", 1)[1]
        args = [sys.executable, "-m", "cybercover", "serve", "--port", port]
        args += ["--workers", str(self.workers)] + (["--demo"] if demo else [])
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                args,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.tail()}")
            with suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout} s: {self.tail()}")

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the whole process group (master and workers) and reap the master."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        # workers may outlive a killed master for a moment: make sure none is left
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def serve(
    database_url: str,
    *,
    workers: int = 1,
    demo: bool = True,
    log: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """``cybercover serve`` on a free loopback port, stopped (SIGTERM, then SIGKILL) on exit."""
    env = {
        **os.environ,
        "CYBERCOVER_DATABASE_URL": database_url,
        "CYBERCOVER_ENVIRONMENT": "test",
        **(extra_env or {}),
    }
    own_log = log is None
    log = log or Path(tempfile.mkstemp(prefix="cybercover-serve-", suffix=".log")[1])
    server = Server(f"http://127.0.0.1:{free_port()}", database_url, workers, log, env)
    try:
        server.start(demo=demo)
        yield server
    finally:
        server.kill(signal.SIGTERM)
        if own_log:
            log.unlink(missing_ok=True)


def _pg_bin() -> str:
    found = os.environ.get("CYBERCOVER_TEST_PG_BIN") or next(
        iter(sorted(glob("/usr/lib/postgresql/*/bin"), reverse=True)), ""
    )
    if not found or not Path(found, "pg_ctl").exists():
        raise RuntimeError("PostgreSQL programs not found (scripts/_postgres.sh installs them)")
    return found


@dataclass
class Cluster:
    """A throw-away PostgreSQL cluster on loopback; :meth:`restart` as an operator would."""

    bin: str
    dir: Path
    port: int
    as_pg: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/cybercover"

    def ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_pg, f"{self.bin}/pg_ctl", "-D", str(self.dir / "data"), *args],
            check=True,
            capture_output=True,
        )

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: open connections are cut, clients must reconnect."""
        self.ctl("-l", str(self.dir / "log"), "-w", "-m", "fast", "restart")


@contextmanager
def postgres_cluster(*, durable: bool = False) -> Iterator[Cluster]:
    """initdb, start, create database ``cybercover``; stopped and removed on exit.

    ``fsync=off`` unless ``durable``: a crash of the machine could lose commits, a crash
    of the server cannot (the fault tests kill the server, never the machine)."""
    pg_bin = _pg_bin()
    directory = Path(tempfile.mkdtemp(prefix="cybercover-pg-"))
    as_pg: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(pg_bin, directory, free_port(), as_pg)
    started = False
    try:
        subprocess.run(
            [
                *as_pg,
                f"{pg_bin}/initdb",
                "-D",
                str(directory / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {cluster.port} -k {directory} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if durable else 'off'} -c max_connections=200"
        )
        cluster.ctl("-l", str(directory / "log"), "-w", "-o", options, "start")
        started = True
        subprocess.run(
            [
                *as_pg,
                f"{pg_bin}/createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "cybercover",
            ],
            check=True,
            capture_output=True,
        )
        yield cluster
    finally:
        if started:
            with suppress(subprocess.CalledProcessError):
                cluster.ctl("-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)
