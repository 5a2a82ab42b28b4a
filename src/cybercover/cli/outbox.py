"""``cybercover outbox``: send the mail and webhooks that committed use cases queued."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from cybercover.cli.common import database

__all__ = ["outbox_app"]

outbox_app = typer.Typer(help="送信待ちの通知 / the notification outbox", no_args_is_help=True)


@outbox_app.command("deliver")
def outbox_deliver(
    loop: Annotated[
        float | None,
        typer.Option(
            "--loop",
            min=0.1,
            help="この秒数ごとに繰り返す / repeat every SECONDS until interrupted",
            metavar="SECONDS",
        ),
    ] = None,
) -> None:
    """期限の来た通知を送信 / send due mail and webhooks, retrying failures with backoff."""
    from cybercover.services.notifications import HttpxPoster, SmtpMailer, deliver_pending
    from cybercover.services.outbound import OutboundPolicy
    from cybercover.settings import Settings

    settings = Settings()
    mailer = SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from)
    # webhooks reach public addresses only, plus what CYBERCOVER_OUTBOUND_ALLOW allows;
    # each delivery resolves, checks and connects to the checked address
    poster = HttpxPoster(policy=OutboundPolicy.from_settings(settings))
    with database() as db:
        while True:
            report = deliver_pending(
                db,
                mailer=mailer,
                poster=poster,
                secret=settings.webhook_secret,
                max_attempts=settings.outbox_max_attempts,
            )
            typer.echo(
                f"sent {len(report.sent)}, retrying {len(report.retrying)}, "
                f"failed {len(report.failed)}"
            )
            if loop is None:
                return
            try:
                time.sleep(loop)
            except KeyboardInterrupt:
                return
