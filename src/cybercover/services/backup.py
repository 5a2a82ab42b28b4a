"""Back up and restore the whole database (docs/operations.md).

- SQLite: the online backup API of :mod:`sqlite3` — a consistent copy while the service
  runs (WAL readers and writers carry on), written page by page into ``FILE``.
- PostgreSQL: ``pg_dump -Fc`` (custom format, compressed, one consistent snapshot) and
  ``pg_restore``; the client programs of the newest PostgreSQL installed are used.

A restore goes into an *empty* database only (never over live data); afterwards
:func:`table_counts` and the audit chain (``cybercover audit verify``) show that what
came back is whole.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

from sqlalchemy import Engine, MetaData, func, inspect, select
from sqlalchemy.engine import make_url

from cybercover.errors import ConflictError, InputError, Problem
from cybercover.storage.db import normalise_url

__all__ = ["backup_database", "restore_database", "table_counts"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _sqlite_path(url: str) -> str | None:
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise InputError(
            [
                Problem(
                    "database_url",
                    "file_database",
                    "ファイルの SQLite データベースが必要です",
                    "a file SQLite database is needed",
                )
            ]
        )
    return str(parsed.database)


def _libpq_url(url: str) -> str:
    """The URL as libpq's programs take it (no ``+psycopg`` driver part)."""
    parsed = make_url(normalise_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _pg_program(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    program = found[-1] if found else shutil.which(name)
    if program is None:
        raise InputError(
            [
                Problem(
                    "database_url",
                    "pg_tools_missing",
                    f"{name} が見つかりません（postgresql-client を導入してください）",
                    f"{name} not found (install postgresql-client)",
                )
            ]
        )
    return program


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # the programs' own message (never the URL: it may hold a password)
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        raise InputError(
            [
                Problem(
                    "file",
                    "pg_tool_failed",
                    f"{Path(args[0]).name} が失敗しました: {message}",
                    f"{Path(args[0]).name} failed: {message}",
                )
            ]
        )


def backup_database(database_url: str, file: Path) -> None:
    """Write a consistent copy of the database at ``database_url`` to ``file``."""
    source = _sqlite_path(database_url)
    file.parent.mkdir(parents=True, exist_ok=True)
    if source is not None:
        target = file.with_name(file.name + ".part")
        target.unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        target.replace(file)  # never a half-written backup under the final name
        return
    _run(
        [
            _pg_program("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--file",
            str(file),
            "--dbname",
            _libpq_url(database_url),
        ]
    )


def _refuse_if_not_empty(engine: Engine) -> None:
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    if tables:
        raise ConflictError(
            "database_not_empty",
            "復元先のデータベースが空ではありません（既存のデータは上書きしません）",
            f"the target database is not empty ({len(tables)} tables); restore goes into an "
            "empty database only",
        )


def restore_database(engine: Engine, database_url: str, file: Path) -> None:
    """Restore ``file`` (made by :func:`backup_database`) into the empty database."""
    try:
        head = file.read_bytes()[:16] if file.is_file() else b""
    except OSError:
        head = b""
    sqlite_target = _sqlite_path(database_url)
    wanted = SQLITE_MAGIC if sqlite_target is not None else PG_MAGIC
    if not head.startswith(wanted):
        kind = "SQLite" if sqlite_target is not None else "pg_dump -Fc"
        raise InputError(
            [
                Problem(
                    "file",
                    "not_a_backup",
                    f"{kind} のバックアップファイルではありません",
                    f"not a {kind} backup of this kind of database",
                )
            ]
        )
    _refuse_if_not_empty(engine)
    if sqlite_target is not None:
        engine.dispose()
        with sqlite3.connect(file) as src, sqlite3.connect(sqlite_target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    _run(
        [
            _pg_program("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            _libpq_url(database_url),
            str(file),
        ]
    )


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, for comparing a restore with its source."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in sorted(metadata.tables.items())
        }
