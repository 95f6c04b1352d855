"""`tebiki mail send|list|retry`: the web app's outgoing-mail queue (tebiki.web.mail)."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table

from .common import TableOrJson, console
from .server import django_setup

mail_app = typer.Typer(help="The web app's outgoing-mail queue: no request waits on the mail server.",
                       no_args_is_help=True)


@mail_app.command("send")
def mail_send(
    limit: int = typer.Option(200, "--limit", min=1, help="Most messages to send in this run."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
) -> None:
    """Deliver the queued messages that are due through the configured mail server (EMAIL_HOST …); run it every minute.

    A message the server refuses or cannot take is tried again after 1, 5, 15, 60 … minutes, 8 times in all.

    Exit status 0, also when some messages wait for a retry (`tebiki mail list` shows why).

    Example: tebiki mail send --format json
    """
    django_setup()
    from tebiki.web.mail.service import deliver_due

    result = deliver_due(limit)
    if fmt == TableOrJson.json:
        typer.echo(json.dumps(result.__dict__))
    else:
        console.print(f"sent {result.sent}, waiting for a retry {result.retrying}, given up {result.failed}")


@mail_app.command("list")
def mail_list(
    status: str = typer.Option(None, "--status", help="Only queued, sent or failed messages."),
    count: int = typer.Option(50, "--count", "-n", min=1, help="How many, newest first."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
) -> None:
    """The newest messages of the queue with their state, attempts and last error.

    Example: tebiki mail list --status failed
    """
    django_setup()
    from tebiki.web.mail.models import OutgoingMail

    if status is not None and status not in OutgoingMail.Status.values:
        raise typer.BadParameter(f"one of {', '.join(OutgoingMail.Status.values)}", param_hint="--status")
    qs = OutgoingMail.objects.order_by("-created_at", "-id")
    rows = list((qs.filter(status=status) if status else qs)[:count])
    if fmt == TableOrJson.json:
        typer.echo(json.dumps([{"id": m.id, "organisation": m.organisation_id, "created_at": m.created_at.isoformat(),
                                "subject": m.subject, "to": m.to, "status": m.status, "attempts": m.attempts,
                                "last_error": m.last_error} for m in rows], ensure_ascii=False, indent=2))
        return
    table = Table("id", "created", "subject", "to", "status", "attempts", "last error")
    for m in rows:
        table.add_row(str(m.id), f"{m.created_at:%Y-%m-%d %H:%M}", escape(m.subject), escape(", ".join(m.to)), m.status,
                      str(m.attempts), escape(m.last_error))
    console.print(table)


@mail_app.command("retry")
def mail_retry(ids: list[int] = typer.Argument(None, help="Message ids (default: every given-up message).")) -> None:
    """Put given-up messages back in the queue, e.g. after the mail server's settings were fixed.

    Example: tebiki mail retry 41 42
    """
    django_setup()
    from tebiki.web.mail.service import retry_failed

    console.print(f"queued again: {retry_failed(ids or None)}")
