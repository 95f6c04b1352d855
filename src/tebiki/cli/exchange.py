"""`tebiki assess export`: an assessment in an exchange format (OSCAL assessment-results)."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path

import typer

from tebiki.core.errors import DataError
from tebiki.core.plan import build_rows
from tebiki.documents.files import load_assessment

from .assess import assess_app
from .catalog import catalog_app
from .common import err_console, load_or_exit


class AssessExportFormat(StrEnum):
    oscal = "oscal"


class SchemaName(StrEnum):
    catalog = "catalog"
    profile = "profile"
    assessment = "assessment"
    template = "template"


@catalog_app.command("schema")
def catalog_schema(
    name: SchemaName = typer.Argument(..., help="catalog (the JSON export), profile, assessment or template."),
) -> None:
    """Print the JSON Schema (draft 2020-12) of one of tebiki's public files; docs/schemas/ holds the same.

    Example: tebiki catalog schema profile > profile.schema.json
    """
    from tebiki.documents.schemas import json_schema

    typer.echo(json.dumps(json_schema(name.value), ensure_ascii=False, indent=2))


@assess_app.command("export")
def assess_export(
    file: Path = typer.Argument(..., help="The assessment file."),
    fmt: AssessExportFormat = typer.Option(AssessExportFormat.oscal, "--format", "-f",
                                           help="oscal: NIST OSCAL 1.1 assessment-results JSON."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date the results are stated for (default today)."),
) -> None:
    """Write the assessment's results to standard output: a finding per applicable measure and scope.

    Example: tebiki assess export my-assessment.yaml --format oscal > results.json
    """
    from tebiki import __version__
    from tebiki.documents import oscal

    catalog = load_or_exit()
    try:
        assessment = load_assessment(file)
        date = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except DataError as err:
        err_console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(1) from None
    except ValueError:
        err_console.print(f"[red]--as-of:[/red] {as_of!r} is not a date like 2026-04-01")
        raise typer.Exit(2) from None
    records = oscal.row_records(build_rows(catalog, assessment))
    doc = oscal.assessment_results(assessment.profile.name, date.isoformat(), records, __version__)
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
