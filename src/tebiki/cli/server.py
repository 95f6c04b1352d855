"""Commands that work on the web app's database: `tebiki audit verify` (and backup/restore)."""

from __future__ import annotations

import json
import os

import typer

from .common import TableOrJson, console

audit_app = typer.Typer(help="The web app's tamper-evident audit log.", no_args_is_help=True)


def django_setup() -> None:
    """Configure Django from the same environment as the web app (TEBIKI_DATA_DIR, DATABASE_URL …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tebiki.web.settings")
    import django

    django.setup()


@audit_app.command("verify")
def audit_verify(fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format.")) -> None:
    """Check the SHA-256 chain of the audit log; name every edited, missing or reordered entry.

    Exit status 0 when the chain is intact, 1 when it is broken.

    Example: tebiki audit verify --format json
    """
    django_setup()
    from tebiki.web.audit.log import verify
    from tebiki.web.audit.models import AuditEntry

    problems = verify()
    count = AuditEntry.objects.count()
    if fmt == TableOrJson.json:
        typer.echo(json.dumps({"entries": count, "intact": not problems,
                               "problems": [p.__dict__ for p in problems]}, ensure_ascii=False, indent=2))
    elif problems:
        for p in problems:
            console.print(f"[red]✗ entry {p.seq}: {p.kind}[/red] — {p.detail}")
    else:
        console.print(f"[green]✓[/green] audit log intact: {count} entries")
    raise typer.Exit(1 if problems else 0)
