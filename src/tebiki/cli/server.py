"""Commands that work on the web app's database: `tebiki audit verify`, `tebiki backup`, `tebiki restore`."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import typer
from rich.markup import escape

from .common import TableOrJson, console, err_console

audit_app = typer.Typer(help="The web app's tamper-evident audit log.", no_args_is_help=True)


def django_setup() -> None:
    """Configure Django from the same environment as the web app (TEBIKI_DATA_DIR, DATABASE_URL …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tebiki.web.settings")
    import django

    django.setup()


@audit_app.command("verify")
def audit_verify(
    expect: str = typer.Option(None, "--expect", help="A head hash kept elsewhere (printed by an earlier verify, "
                               "backup or purge): fail unless the log still holds that entry."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
) -> None:
    """Check the SHA-256 chain of the audit log and its anchors; name every edited, missing, reordered or cut entry.

    An intact log's head (sequence number and hash) is printed and appended to the anchor file in the data
    directory; keep the printed hash elsewhere too (cron mail) and pass it back with --expect.

    Exit status 0 when the log is intact, 1 when it is broken or cut.

    Example: tebiki audit verify --expect 3f1c…(64 hex digits) --format json
    """
    django_setup()
    from tebiki.web.audit.log import anchor, anchor_problems, head, verify
    from tebiki.web.audit.models import AuditEntry

    problems = verify() + anchor_problems(expect)
    count = AuditEntry.objects.count()
    top = head() if problems else anchor("verify")
    if fmt == TableOrJson.json:
        typer.echo(json.dumps({"entries": count, "intact": not problems, "head": {k: top[k] for k in ("seq", "hash")},
                               "problems": [p.__dict__ for p in problems]}, ensure_ascii=False, indent=2))
    elif problems:
        for p in problems:
            console.print(f"[red]✗ entry {p.seq}: {p.kind}[/red] — {escape(p.detail)}")
    else:
        console.print(f"[green]✓[/green] audit log intact: {count} entries; head {_head(top)}")
    raise typer.Exit(1 if problems else 0)


def _head(top: dict) -> str:
    return f"{top['seq']} {top['hash']}"


@audit_app.command("purge")
def audit_purge(
    older_than: int = typer.Option(None, "--older-than", help="Age in days (default: the AUDIT_RETENTION_DAYS setting, 730)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be removed; change nothing."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
) -> None:
    """Remove the oldest audit entries beyond the retention period; the log records where it now starts.

    Never entries younger than 365 days, and nothing while the chain is broken. Run it from cron, monthly.

    `tebiki audit verify` keeps passing: the chain continues from the purge entry.

    Exit status 0 done, 1 the chain is broken (nothing removed), 2 a period shorter than 365 days.

    Example: tebiki audit purge --dry-run
    """
    django_setup()
    from django.conf import settings

    from tebiki.web.audit.log import RetentionError, head, purge

    days = settings.AUDIT_RETENTION_DAYS if older_than is None else older_than
    try:
        result = purge(days, actor=_operator(), dry_run=dry_run)
    except RetentionError as err:
        err_console.print(f"[red]refused:[/red] {err}")
        raise typer.Exit(err.exit_code) from err
    if fmt == TableOrJson.json:
        typer.echo(json.dumps({"older_than_days": days, "cutoff": result.cutoff.isoformat(), "dry_run": dry_run,
                               "deleted": result.deleted, "first_kept": result.first_kept,
                               "head": {k: head()[k] for k in ("seq", "hash")}}, indent=2))
    else:
        verb = "would remove" if dry_run else "removed"
        console.print(f"{verb} {result.deleted} entries older than {result.cutoff:%Y-%m-%d} ({days} days); "
                      f"audit head {_head(head())}")


def _operator() -> str:
    """Who ran a server command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def backup_command(
    file: Path = typer.Argument(..., help="The archive to write (a .tar.gz)."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
) -> None:
    """Write the web app's database and uploaded files into one archive with a manifest of SHA-256 sums.

    The manifest is authenticated with the backup key (TEBIKI_BACKUP_KEY, or the data directory's backup_key file,
    made on the first backup); keep a copy of the key apart from the archives, or they cannot be restored.

    It holds password hashes and MFA secrets (mode 0600): keep it as safe as the server. Sessions are left out.

    Exit status 0 when written, 2 when FILE exists (without --force).

    Example: tebiki backup /srv/backups/tebiki-2026-12-01.tar.gz
    """
    if file.exists() and not force:
        err_console.print(f"[red]error:[/red] {file} exists (use --force to overwrite)")
        raise typer.Exit(2)
    if not file.parent.is_dir():
        err_console.print(f"[red]error:[/red] {file.parent} is not a directory")
        raise typer.Exit(2)
    django_setup()
    from tebiki.web.audit.log import anchor, record
    from tebiki.web.backup import create_backup

    result = create_backup(file)
    record("backup.create", actor=_operator(), target=file.name[:200],
           data={"rows": result.rows, "files": result.files, "key_id": result.key_id})
    top = anchor("backup")
    if fmt == TableOrJson.json:
        typer.echo(json.dumps({"file": str(file), "rows": result.rows, "files": result.files,
                               "format_version": result.manifest["format_version"], "key_id": result.key_id,
                               "created_at": result.manifest["created_at"],
                               "audit_head": {k: top[k] for k in ("seq", "hash")}}, ensure_ascii=False, indent=2))
    else:
        console.print(f"[green]✓[/green] {file}: {result.rows} rows, {result.files} files (key {result.key_id}); "
                      f"audit head {_head(top)}")


def restore_command(
    file: Path = typer.Argument(..., help="An archive written by `tebiki backup`."),
    force: bool = typer.Option(False, "--force", help="Replace the content of a database that is not empty."),
    key: str = typer.Option(None, "--key", help="The backup key that made FILE, if not this server's; "
                            "- reads it from standard input (not visible in the process list)."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
) -> None:
    """Replace the database content and uploaded files with an archive's, in one transaction.

    The whole archive is checked first: the manifest's HMAC under the backup key, format version, SHA-256 and size
    of each member, safe names, no links.

    Refused with exit 2, nothing changed: not authenticated or another key, unknown version, changed or cut archive,
    bomb, data present (no --force).

    Sessions are cleared, so everyone signs in again. On a new server, migrate first (python -m tebiki.web migrate).

    Example: tebiki restore /srv/backups/tebiki-2026-12-01.tar.gz --force
    """
    django_setup()
    from tebiki.web.audit.log import anchor, record, verify
    from tebiki.web.backup import BackupError, restore_backup

    if key == "-":
        key = typer.get_text_stream("stdin").readline()
    try:
        result = restore_backup(file, force=force, key=key)
    except BackupError as err:
        err_console.print(f"[red]refused:[/red] {escape(str(err))} — nothing was changed")
        raise typer.Exit(2) from err
    problems = verify()
    record("backup.restore", actor=_operator(), target=file.name[:200],
           data={"created_at": result.manifest.get("created_at"), "tebiki_version": result.manifest.get("tebiki_version"),
                 "rows": result.rows, "files": result.files, "audit_intact": not problems})
    anchor("restore")  # the anchors before this one describe the log that was replaced
    if fmt == TableOrJson.json:
        typer.echo(json.dumps({"file": str(file), "rows": result.rows, "files": result.files,
                               "created_at": result.manifest.get("created_at"), "audit_intact": not problems},
                              ensure_ascii=False, indent=2))
    else:
        console.print(f"[green]✓[/green] restored {result.rows} rows and {result.files} files from "
                      f"{escape(str(file))} (made {escape(result.manifest['created_at'])})")
        if problems:
            console.print(f"[yellow]![/yellow] the restored audit log does not verify: {len(problems)} problem(s); "
                          "see `tebiki audit verify`")
