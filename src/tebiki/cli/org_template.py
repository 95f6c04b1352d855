"""`tebiki assess template export|import`: an organisation template from an assessment, and a new assessment from one."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tebiki.core.errors import DataError
from tebiki.core.plan import build_rows
from tebiki.documents.files import load_assessment, load_data, save_assessment, write_atomic
from tebiki.documents.org_template import parse_template, start_from, template_of

from .assess import _fail, _today, assess_app
from .common import console, err_console, load_or_exit

template_app = typer.Typer(help="Reuse an organisation's profile, decisions and policy choices for a similar one.",
                           no_args_is_help=True)
assess_app.add_typer(template_app, name="template")


@template_app.command("export")
def template_export(
    file: Path = typer.Argument(..., help="The assessment file to take the template from."),
    choices_file: Path | None = typer.Option(None, "--choices", "-c",
                                             help="Policy choices (YAML, as for tebiki policy generate) to carry."),
    label: str | None = typer.Option(None, "--label", help="Name of the template (default: the organisation's)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the template here (default: standard output)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date deadlines are counted from (default today)."),
) -> None:
    """Write a template (JSON, tebiki-org-template/1): profile, decisions with reasons, priority overrides,
    owners as roles and policy choices — no statuses, names, evidence or history.

    Example: tebiki assess template export my-assessment.yaml --choices choices.yaml -o manufacturer.template.json
    """
    catalog = load_or_exit()
    today = _today(as_of)
    try:
        assessment = load_assessment(file)
        policy = load_data(choices_file)[0] if choices_file else {}
        tpl = template_of(catalog, assessment, policy if isinstance(policy, dict) else {},
                          label or assessment.profile.name, today)
        parse_template(catalog, tpl.dump(), str(choices_file or file))  # the policy choices are checked here
    except DataError as err:
        _fail(err)
    text = json.dumps(tpl.dump(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    write_atomic(out, text)
    err_console.print(f"{out}: {tpl.label} — {len(tpl.choices)} choices, "
                      f"{len(tpl.policy.include) + len(tpl.policy.parameters)} policy settings")


@template_app.command("import")
def template_import(
    template: Path = typer.Argument(..., help="The template file (JSON or YAML)."),
    name: str = typer.Option(..., "--name", "-n", help="Name of the new organisation."),
    output: Path = typer.Option(..., "--output", "-o", help="Assessment file to create."),
    choices_out: Path | None = typer.Option(None, "--choices-out",
                                            help="Also write the template's policy choices (YAML) here."),
    as_of: str | None = typer.Option(None, "--as-of", help="Start date; deadlines are counted from it (default today)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> None:
    """Start a new assessment from a template. The whole file is checked first; on any error nothing is written.

    Example: tebiki assess template import manufacturer.template.json --name 東西工業 -o tozai.yaml
    """
    catalog = load_or_exit()
    today = _today(as_of)
    try:
        data, text = load_data(template)
        tpl = parse_template(catalog, data, str(template), text)
        assessment, policy = start_from(tpl, name.strip() or tpl.label, today)
    except DataError as err:
        _fail(err)
    for path in (output, choices_out):
        if path is not None and path.exists() and not force:
            err_console.print(f"[red]error:[/red] {path} exists (use --force to overwrite)")
            raise typer.Exit(1)
    save_assessment(output, assessment)
    if choices_out is not None:
        from tebiki.catalog.loader import dump_yaml

        write_atomic(choices_out, dump_yaml(policy))
    applicable = sum(r.applies for r in build_rows(catalog, assessment))
    console.print(f"{output}: {assessment.profile.name} from {tpl.label} — {len(assessment.items)} choices, "
                  f"{applicable} measure rows apply; next: tebiki assess plan {output}")
