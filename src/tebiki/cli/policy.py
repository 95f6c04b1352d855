"""`tebiki policy …`: the telework security rulebook (DOCX), the CSAJ self-evaluation sheet (xlsx) and the basic
policy (情報セキュリティ基本方針, DOCX)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.table import Table

from tebiki.core.assessment import Assessment, new_assessment, parse_assessment
from tebiki.core.errors import DataError
from tebiki.core.policy import parameters, parse_choices
from tebiki.core.rulebook import build_document
from tebiki.core.self_evaluation import self_evaluation
from tebiki.documents.files import load_assessment, load_data, load_profile, write_atomic
from tebiki.documents.policy_files import render_docx, render_xlsx

from .common import LANG_OPTION, Lang, TableOrJson, console, err_console, load_or_exit

policy_app = typer.Typer(help="Generate a telework security rulebook, the CSAJ self-evaluation sheet and a basic policy.",
                         no_args_is_help=True)


def _fail(err: DataError) -> None:
    err_console.print(f"[red]error:[/red] {err}")
    raise typer.Exit(1)


def _assessment(profile: Path | None, state: Path | None) -> Assessment:
    if profile is None and state is None:
        err_console.print("[red]error:[/red] give --profile, --state or both")
        raise typer.Exit(2)
    if state is None:
        return new_assessment(load_profile(profile))
    recorded = load_assessment(state)
    if profile is None:
        return recorded
    data = recorded.dump()
    data["profile"] = load_profile(profile).model_dump(mode="json")
    return parse_assessment(data, str(state))


def _inputs(profile: Path | None, state: Path | None, choices_file: Path | None, date: str | None):
    """The catalog, the assessment, the validated choices and the document's date, or exit naming the problem."""
    catalog = load_or_exit()
    try:
        today = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        err_console.print(f"[red]--date:[/red] {date!r} is not a date like 2026-12-01")
        raise typer.Exit(2) from None
    try:
        assessment = _assessment(profile, state)
        data = load_data(choices_file)[0] if choices_file else {}
        choices = parse_choices(catalog, data, str(choices_file or "<no choices>"))
    except DataError as err:
        _fail(err)
    return catalog, assessment, choices, today


@policy_app.command("generate")
def generate(
    profile: Path | None = typer.Option(None, "--profile", "-p", help="Organisation profile (YAML), see examples/."),
    state: Path | None = typer.Option(None, "--state", "-s",
                                      help="Assessment file (tebiki assess init) whose decisions are used."),
    choices_file: Path | None = typer.Option(None, "--choices", "-c",
                                             help="YAML of choices: include, parameters, effective_date, assets, "
                                                  "impacts (see docs/policy.md)."),
    out: Path = typer.Option(..., "--out", "-o", help="The rulebook to write (.docx)."),
    sheet: Path | None = typer.Option(None, "--sheet", help="Also write the self-evaluation sheet (.xlsx) here."),
    date: str | None = typer.Option(None, "--date", help="Date of the document, YYYY-MM-DD (default today)."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
) -> None:
    """Write the 在宅勤務・テレワーク セキュリティ規程 as DOCX from a profile, recorded decisions and choices.

    Example: tebiki policy generate --profile examples/manufacturer.yaml --choices choices.yaml --out policy.docx
    """
    catalog, assessment, choices, today = _inputs(profile, state, choices_file, date)
    doc = build_document(catalog, assessment, choices, today)
    write_atomic(out, render_docx(doc))
    if sheet is not None:
        write_atomic(sheet, render_xlsx(self_evaluation(catalog, assessment, choices, today)))
    summary = {"out": str(out), "sheet": str(sheet) if sheet else None, "organisation": doc.organisation,
               "effective_date": doc.effective_date.isoformat(), "articles": len(doc.articles),
               "included": list(doc.included), "changed_parameters": {r.name: r.value for r in doc.parameters if r.changed}}
    if fmt is TableOrJson.json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    console.print(f"{out}: {doc.organisation} — {len(doc.articles)} articles, {len(doc.included)} CSAJ items"
                  + (f"; {sheet}" if sheet else ""))


@policy_app.command("basic")
def basic(
    profile: Path | None = typer.Option(None, "--profile", "-p", help="Organisation profile (YAML), see examples/."),
    state: Path | None = typer.Option(None, "--state", "-s",
                                      help="Assessment file whose executive decisions become the commitments."),
    choices_file: Path | None = typer.Option(None, "--choices", "-c",
                                             help="YAML of choices (as for generate); its parameters are quoted."),
    out: Path = typer.Option(..., "--out", "-o", help="The basic policy to write (.docx)."),
    date: str | None = typer.Option(None, "--date", help="Date of the policy, YYYY-MM-DD (default today)."),
) -> None:
    """Write the 情報セキュリティ基本方針 (basic security policy, DOCX) the executive signs and publishes.

    Example: tebiki policy basic --state my-assessment.yaml --choices choices.yaml --out basic-policy.docx
    """
    from tebiki.core.basic_policy import build_basic_policy
    from tebiki.documents.basic_policy import render_basic_policy

    catalog, assessment, choices, today = _inputs(profile, state, choices_file, date)
    doc = build_basic_policy(catalog, assessment, choices, today)
    write_atomic(out, render_basic_policy(doc))
    console.print(f"{out}: {doc.organisation} — {len(doc.commitments)} commitments, dated {doc.date_text}")


@policy_app.command("parameters")
def list_parameters(
    lang: Lang = LANG_OPTION,
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
) -> None:
    """The parameters a company may set in its choices file, with the CSAJ default and the allowed range.

    Example: tebiki policy parameters --format json
    """
    catalog = load_or_exit()
    rows = [{"name": p.name, "label": p.label[lang.value], "default": p.default, "unit": p.unit, "type": p.spec.type,
             "min": p.spec.min, "max": p.spec.max, "choices": p.spec.choices or None, "used_by": list(p.items)}
            for p in parameters(catalog).values() if p.editable]
    if fmt is TableOrJson.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    t = Table(title={"ja": "変更できるパラメータ", "en": "Parameters you may set"}[lang.value])
    for col in ("name", {"ja": "項目", "en": "Setting"}[lang.value], "CSAJ", {"ja": "範囲", "en": "Allowed"}[lang.value]):
        t.add_column(col)
    for r in rows:
        allowed = ", ".join(map(str, r["choices"])) if r["choices"] else f"{r['min']}–{r['max']}"
        t.add_row(r["name"], r["label"], f"{r['default']} {r['unit'] or ''}".strip(), allowed)
    console.print(t)
