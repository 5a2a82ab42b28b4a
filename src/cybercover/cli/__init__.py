"""The ``cybercover`` command line (Typer + Rich). Thin: parse, call, print.

Bad input never shows a traceback: every :class:`~cybercover.errors.InputError` is
printed as one line per problem (field path, Japanese, English, rule) on stderr, and the
command exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cybercover.cli.common import (
    ProductOption,
    database,
    fail,
    fail_error,
    load_settings,
    print_json,
    product_of,
    read_input,
)
from cybercover.cli.documents import documents_app
from cybercover.cli.outbox import outbox_app
from cybercover.cli.rating import rate
from cybercover.cli.risk import simulate_app
from cybercover.errors import InputError, Problem

__all__ = ["app", "main"]

app = typer.Typer(
    help="cybercover: サイバー保険の引受・事故対応・保険金支払 / a cyber insurance programme end to end.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def adjudicate(
    file: Annotated[
        Path, typer.Argument(help="シナリオ JSON / scenario JSON file ('-' for stdin)")
    ],
    product: ProductOption = None,
) -> None:
    """シナリオを約款どおりに査定し JSON で出力 / adjudicate a scenario, print the result as JSON."""
    from cybercover.terms.scenario import run_scenario

    prod = product_of(product)
    text = read_input(file)
    try:
        result = run_scenario(text, prod, source=str(file))
    except InputError as exc:
        fail(exc.problems)
        return
    print_json(result)


@app.command("product")
def product_show(
    product: ProductOption = None,
) -> None:
    """商品定義を検証して要約を表示 / validate a product file and print its summary as JSON."""
    from cybercover.money import format_yen_short

    prod = product_of(product)
    print_json(
        {
            "code": prod.product.code,
            "version": prod.product.version,
            "name": prod.product.name.model_dump(),
            "coverages": [
                {
                    "code": c.code,
                    "label": c.short.model_dump(),
                    "max_limit": c.max_limit,
                    "max_limit_text": format_yen_short(c.max_limit),
                    "optional": c.optional,
                }
                for c in prod.coverages
            ],
            "aggregate_max": prod.aggregate.max_limit,
            "exclusions": {e.code: list(e.applies_to) for e in prod.exclusions},
            "waiting_period": {
                "min_hours": prod.waiting_period.min_hours,
                "default_mode": prod.waiting_period.default_mode,
            },
        }
    )


app.command("rate")(rate)  # cybercover.rating.cli: rate a quote request

users_app = typer.Typer(help="利用者の管理 / manage users", no_args_is_help=True)
audit_app = typer.Typer(help="監査ログ / the audit log", no_args_is_help=True)
db_app = typer.Typer(help="データベース / the database", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(outbox_app, name="outbox")
app.add_typer(documents_app, name="documents")
app.add_typer(simulate_app, name="simulate")


@db_app.command("migrate")
def db_migrate() -> None:
    """スキーマを最新にする / create or upgrade the database schema."""
    with database():
        typer.echo("migrated")


@db_app.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="バックアップ先 / backup file to write")],
) -> None:
    """稼働中のまま全データをバックアップ / back up the whole database while it runs."""
    from cybercover.errors import CybercoverError
    from cybercover.services.backup import backup_database

    settings = load_settings()
    try:
        backup_database(settings.database_url, file)
    except CybercoverError as exc:
        fail_error(exc)
    typer.echo(f"backup written: {file}")


@db_app.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="バックアップファイル / backup file to restore")],
) -> None:
    """空のデータベースへ復元し監査ログを検証 / restore into an empty database, verify the audit chain."""
    from sqlalchemy.orm import Session

    from cybercover.errors import CybercoverError
    from cybercover.services.audit import verify_audit
    from cybercover.services.backup import restore_database, table_counts
    from cybercover.storage.db import make_engine
    from cybercover.storage.migrate import migrate

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        restore_database(engine, settings.database_url, file)
        migrate(engine)  # a backup from an older release comes up to this one's schema
        counts = table_counts(engine)
        with Session(engine) as session:
            report = verify_audit(session)
    except CybercoverError as exc:
        fail_error(exc)
    finally:
        engine.dispose()
    rows = sum(n for t, n in counts.items() if t != "alembic_version")
    typer.echo(f"restored {rows} rows in {len(counts) - 1} tables from {file}")
    typer.echo(f"audit: {report.rows} rows, {'ok' if report.ok else 'BROKEN'}")
    if not report.ok:
        raise typer.Exit(code=1)


@users_app.command("bootstrap-admin")
def users_bootstrap(
    email: Annotated[str, typer.Option(help="管理者のメール / admin e-mail")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """最初の管理者を作成 / create the first admin (only while no user exists)."""
    from cybercover.errors import ConflictError
    from cybercover.services.people import bootstrap_admin

    try:
        with database() as db:
            user_id = bootstrap_admin(db, email=email, password=password)
    except InputError as exc:
        fail(exc.problems)
        return
    except ConflictError as exc:
        fail([Problem("users", exc.rule, exc.ja, exc.en)])
        return
    typer.echo(f"admin user {user_id} created")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option()],
    role: Annotated[
        str,
        typer.Option(
            help="policyholder, agent, underwriter, desk_operator, partner, claims_handler, "
            "actuary (再保険・アクチュアリー), auditor (内部監査), admin"
        ),
    ],
    organisation: Annotated[str, typer.Option(help="組織コード / organisation code")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    name: Annotated[str, typer.Option(help="表示名 / display name")] = "",
    payment_authority: Annotated[
        int | None, typer.Option(help="支払権限（円） / payment authority in yen")
    ] = None,
    underwriting_authority: Annotated[
        int, typer.Option(help="引受権限レベル / underwriting authority level")
    ] = 0,
) -> None:
    """利用者を作成 / create a user in an organisation (a system step, audited)."""
    from sqlalchemy import select

    from cybercover.errors import ConflictError
    from cybercover.services.authz import SYSTEM
    from cybercover.services.people import create_user
    from cybercover.storage.models import Organisation

    with database() as db:
        with db.sessions() as session:
            org_id = session.execute(
                select(Organisation.id).where(Organisation.code == organisation)
            ).scalar()
        if org_id is None:
            fail(
                [
                    Problem(
                        "organisation",
                        "not_found",
                        "組織がありません",
                        f"no organisation with code {organisation}",
                    )
                ]
            )
            return
        try:
            user_id = create_user(
                db,
                SYSTEM,
                organisation_id=org_id,
                email=email,
                display_name=name,
                role=role,
                password=password,
                payment_authority=payment_authority,
                underwriting_authority=underwriting_authority,
            )
        except InputError as exc:
            fail(exc.problems)
            return
        except ConflictError as exc:
            fail([Problem("email", exc.rule, exc.ja, exc.en)])
            return
        typer.echo(f"user {user_id} created")


def _set_active(email: str, *, active: bool) -> None:
    from sqlalchemy import select

    from cybercover.services.authz import SYSTEM
    from cybercover.services.people import set_user_active
    from cybercover.storage.models import User

    with database() as db:
        with db.sessions() as session:
            user_id = session.execute(select(User.id).where(User.email == email)).scalar()
        if user_id is None:
            fail([Problem("email", "not_found", "利用者がいません", f"no user {email}")])
            return
        user = set_user_active(db, SYSTEM, user_id, active=active)
    typer.echo(f"user {user_id} {'active' if user['active'] else 'deactivated'}")


@users_app.command("deactivate")
def users_deactivate(email: Annotated[str, typer.Option(help="利用者のメール / e-mail")]) -> None:
    """利用者を無効化（全トークン失効・全セッション終了） / deactivate a user: every token
    revoked and page session ended, in one transaction (a system step, audited)."""
    _set_active(email, active=False)


@users_app.command("activate")
def users_activate(email: Annotated[str, typer.Option(help="利用者のメール / e-mail")]) -> None:
    """利用者を再び有効化 / let a deactivated user log in again (old tokens stay revoked)."""
    _set_active(email, active=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """監査ログのハッシュチェーンを検証 / verify the audit log's hash chain (exit 1 if broken)."""
    from cybercover.services.audit import verify_audit

    with database() as db, db.sessions() as session:
        report = verify_audit(session)
    for problem in report.problems:
        sys.stderr.write(f"audit: {problem}\n")
    typer.echo(f"{report.rows} rows, {'ok' if report.ok else 'BROKEN'}")
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="待ち受けアドレス / bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="ポート / port")] = 8000,
    demo: Annotated[bool, typer.Option(help="デモデータを投入 / load the demo data set")] = False,
    workers: Annotated[int, typer.Option(help="uvicorn workers")] = 1,
) -> None:
    """Web サービスを起動 / run the web service (SQLite by default, migrated on start)."""
    import uvicorn

    settings = load_settings()
    with database() as db:  # creates and migrates the database before any worker starts
        if demo:
            from cybercover.demo import load_demo

            for line in load_demo(db):
                typer.echo(line)
    typer.echo(f"cybercover {settings.environment}: http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(
        "cybercover.api.asgi:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=max(workers, 1),
        log_level="info",
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS):
        # the app does it, from CYBERCOVER_TRUSTED_PROXIES only (api/app.py)
        proxy_headers=False,
    )


def main() -> None:
    from cybercover.errors import ConfigurationError

    try:
        app()
    except ConfigurationError as exc:  # an unsafe kernel cache folder: no traceback
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
