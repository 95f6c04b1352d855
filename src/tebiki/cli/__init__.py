"""The `tebiki` command line. Commands are thin: parse, call the catalog or core, render.

Exit status: 0 success, 1 the data asked for is missing, invalid or a check failed, 2 usage error.
"""

from __future__ import annotations

import typer

from .assess import assess_app, diagnose_command, report_command
from .browse import browse
from .catalog import catalog_app
from .check import check_command
from .exchange import assess_export  # noqa: F401  (registers `assess export`)
from .mail import mail_app
from .org_template import template_app  # noqa: F401  (registers `assess template`)
from .policy import policy_app
from .serve import serve_command
from .server import audit_app, backup_command, restore_command

app = typer.Typer(
    help="tebiki (手引き): telework security self-assessment from the MIC guideline v5 and CSAJ 2018.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(catalog_app, name="catalog")
app.command("browse")(browse)
app.command("diagnose")(diagnose_command)
app.add_typer(assess_app, name="assess")
app.command("report")(report_command)
app.command("check")(check_command)
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("serve")(serve_command)
app.add_typer(mail_app, name="mail")

__all__ = ["app"]
