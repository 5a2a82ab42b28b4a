"""``cybercover documents quote|schedule|settlement|incident ID``: the same PDFs as the
API, written to a file.

The CLI reads as the system (the insurer's administrator: whoever holds the database's
credentials already sees every row) unless ``--as-user EMAIL`` names a user, whose
access rules then apply exactly as in the API: a document that user may not see is
refused with exit status 2 and nothing is written. The CLI's helpers (problems, the
database) are imported from ``cybercover.cli`` when a command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cybercover.cli.common import database, fail

if TYPE_CHECKING:
    from cybercover.documents.formats import Lang
    from cybercover.services.authz import Actor
    from cybercover.services.documents import Rendered
    from cybercover.services.uow import Database

__all__ = ["documents_app"]

documents_app = typer.Typer(
    help="帳票（PDF） / documents as PDF: quote, schedule, settlement, incident",
    no_args_is_help=True,
)

LangOption = Annotated[
    str, typer.Option("--lang", help="ja（既定） または en / ja (default) or en")
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="出力先（'-' で標準出力） / output file ('-' for stdout); default: the document's file name",
    ),
]
AsUserOption = Annotated[
    str | None,
    typer.Option(
        "--as-user", help="この利用者の権限で作成 / render with this user's access (e-mail)"
    ),
]


def _write(
    make: Callable[[Database, Actor, Lang], Rendered],
    lang: str,
    out: Path | None,
    as_user: str | None,
) -> None:
    from cybercover.errors import ConflictError, ForbiddenError, InputError, NotFoundError, Problem
    from cybercover.services.authz import SYSTEM
    from cybercover.services.documents import actor_for_email, parse_lang

    try:
        code = parse_lang(lang)
        with database() as db:
            actor = actor_for_email(db, as_user) if as_user else SYSTEM
            doc = make(db, actor, code)
    except InputError as exc:
        fail(exc.problems)
        return
    except NotFoundError as exc:
        fail(
            [
                Problem(
                    "id",
                    "not_found",
                    f"{exc.what} {exc.ident} が見つかりません",
                    f"{exc.what} {exc.ident} not found",
                )
            ]
        )
        return
    except ForbiddenError as exc:
        fail([Problem("as_user", "forbidden", exc.ja, exc.en)])
        return
    except ConflictError as exc:
        fail([Problem("id", exc.rule, exc.ja, exc.en)])
        return
    if out is not None and str(out) == "-":
        sys.stdout.buffer.write(doc.content)
        sys.stdout.flush()
        return
    target = out if out is not None else Path(doc.ascii_filename)
    target.write_bytes(doc.content)
    typer.echo(f"{target} ({len(doc.content):,} bytes)")


@documents_app.command("quote")
def quote(
    submission_id: Annotated[int, typer.Argument(help="申込ID / submission id")],
    lang: LangOption = "ja",
    out: OutOption = None,
    as_user: AsUserOption = None,
) -> None:
    """見積書 / quotation of a submission's current options."""
    from cybercover.services.documents import quote_pdf

    _write(lambda db, actor, code: quote_pdf(db, actor, submission_id, code), lang, out, as_user)


@documents_app.command("schedule")
def schedule(
    policy_id: Annotated[int, typer.Argument(help="契約ID / policy id")],
    lang: LangOption = "ja",
    out: OutOption = None,
    as_user: AsUserOption = None,
) -> None:
    """保険証券 / policy schedule."""
    from cybercover.services.documents import schedule_pdf

    _write(lambda db, actor, code: schedule_pdf(db, actor, policy_id, code), lang, out, as_user)


@documents_app.command("settlement")
def settlement(
    claim_id: Annotated[int, typer.Argument(help="保険金請求ID / claim id")],
    lang: LangOption = "ja",
    out: OutOption = None,
    as_user: AsUserOption = None,
    payment_id: Annotated[
        int | None, typer.Option(help="1件の支払だけ / one payment only (default: all to date)")
    ] = None,
) -> None:
    """保険金支払通知書 / settlement letter."""
    from cybercover.services.documents import settlement_pdf

    _write(
        lambda db, actor, code: settlement_pdf(db, actor, claim_id, code, payment_id),
        lang,
        out,
        as_user,
    )


@documents_app.command("incident")
def incident(
    incident_id: Annotated[int, typer.Argument(help="事案ID / incident id")],
    lang: LangOption = "ja",
    out: OutOption = None,
    as_user: AsUserOption = None,
) -> None:
    """事故対応報告書 / incident report."""
    from cybercover.services.documents import incident_pdf

    _write(lambda db, actor, code: incident_pdf(db, actor, incident_id, code), lang, out, as_user)
