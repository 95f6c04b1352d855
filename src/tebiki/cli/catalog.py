"""`tebiki catalog …`: list, show, export and validate the guideline catalog."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
import yaml
from rich.panel import Panel
from rich.table import Table

from tebiki.catalog import CatalogError, content, load_catalog
from tebiki.catalog import schema as s
from tebiki.core.conditions import evaluate

from .common import LANG_OPTION, Lang, TableOrJson, console, err_console, label, level_word, load_or_exit, tr

catalog_app = typer.Typer(help="Browse, show, export and validate the guideline catalog.", no_args_is_help=True)


class ExportFormat(StrEnum):
    json = "json"
    yaml = "yaml"
    oscal = "oscal"
    ciso_assistant = "ciso-assistant"


class SourceOpt(StrEnum):
    mic_v5 = "mic-v5"
    csaj_2018 = "csaj-2018"


class RoleOpt(StrEnum):
    executive = "executive"
    admin = "admin"
    worker = "worker"


class LevelOpt(StrEnum):
    basic = "basic"
    advanced = "advanced"


def _role_title(catalog, role: str, lang: Lang) -> str:
    return next(tr(r.title, lang) for r in catalog.roles if r.id == role)


@catalog_app.command("list")
def catalog_list(
    role: RoleOpt | None = typer.Option(None, "--role", "-r", help="Only this role's measures."),
    category: str | None = typer.Option(None, "--category", "-c", help="Only this category (A–M)."),
    level: LevelOpt | None = typer.Option(None, "--level", help="basic (基本対策) or advanced (発展対策)."),
    method: str | None = typer.Option(None, "--method", "-m", help="Only measures that can apply to this method."),
    lang: Lang = LANG_OPTION,
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
) -> None:
    """List the MIC v5 measures.

    Example: tebiki catalog list --role admin --category C --lang en
    """
    catalog = load_or_exit()
    if category is not None and category.upper() not in s.CATEGORIES:
        err_console.print(f"[red]--category:[/red] {category!r} is not one of A–M")
        raise typer.Exit(2)
    if method is not None and method not in s.METHODS:
        err_console.print(f"[red]--method:[/red] {method!r} is not one of {', '.join(s.METHODS)}")
        raise typer.Exit(2)
    facts = None
    if method is not None:
        props = catalog.method(method).properties
        facts = {"method": {method}, "office_connection": {props.office_connection},
                 "data_on_terminal": {props.data_on_terminal}}
    rows = [
        m for m in catalog.measures
        if (role is None or m.role == role.value)
        and (category is None or m.category == category.upper())
        and (level is None or m.level == level.value)
        and (facts is None or evaluate(m.applies_when, facts) is not False)
    ]
    if fmt is TableOrJson.json:
        typer.echo(json.dumps([m.model_dump(mode="json") for m in rows], ensure_ascii=False, indent=2))
        return
    title = {"ja": "MIC テレワークセキュリティガイドライン第5版 対策一覧", "en": "MIC guideline v5 measures"}[lang.value]
    table = Table(title=f"{title} ({len(rows)})", show_lines=False, header_style="bold")
    for col in ("ID", {"ja": "分類", "en": "Category"}[lang.value], {"ja": "水準", "en": "Level"}[lang.value],
                {"ja": "対策", "en": "Measure"}[lang.value], "p."):
        table.add_column(col)
    for m in rows:
        table.add_row(m.id.removeprefix("mic-v5:"), f"{m.category} {tr(catalog.category(m.category).title, lang)}",
                      level_word(m.level, lang), tr(m.title, lang), str(m.ref.page))
    console.print(table)


def _show_measure(catalog, m: s.Measure, lang: Lang) -> None:
    head = (f"{_role_title(catalog, m.role, lang)} / {m.category} {tr(catalog.category(m.category).title, lang)}"
            f" / {level_word(m.level, lang)}  ({label('page', lang)} {m.ref.page}, {m.explanation.page}–)")
    lines = [f"[dim]{head}[/dim]", f"[bold]{tr(m.title, lang)}[/bold]", "", tr(m.summary, lang), ""]
    for key in ("what", "why", "how_to_check"):
        lines += [f"[cyan]{label(key, lang)}[/cyan]", tr(getattr(m.explanation, key), lang), ""]
    cond = json.dumps(m.applies_when, ensure_ascii=False) if m.applies_when else label("always", lang)
    lines += [f"[cyan]{label('applies', lang)}[/cyan] {cond}"]
    for key, items in (("cases", catalog.cases_for_measure[m.id]), ("risks", catalog.risks_for_measure[m.id]),
                       ("policies", catalog.policies_for_measure[m.id])):
        if items:
            lines += ["", f"[cyan]{label(key, lang)}[/cyan]"]
            lines += [f"  {i.id}  {tr(i.title, lang)}" for i in items]
    console.print(Panel("\n".join(lines), title=m.id, title_align="left"))


def _show_case(catalog, case: s.TroubleCase, lang: Lang) -> None:
    lines = [f"[cyan]{label('happened', lang)}[/cyan]", tr(case.happened, lang), "",
             f"[cyan]{label('lesson', lang)}[/cyan]", tr(case.lesson, lang), "",
             f"[cyan]{label('measures', lang)}[/cyan]"]
    for mid in case.measures:
        m = catalog.by_id[mid]
        lines.append(f"  {mid}  {level_word(m.level, lang)}  {tr(m.title, lang)}")
    console.print(Panel("\n".join(lines), title=f"{case.id}  {tr(case.title, lang)}  (p.{case.ref.page})",
                        title_align="left"))


def _show_policy(catalog, p: s.Policy, lang: Lang) -> None:
    level = level_word(p.level, lang) + (" (NOT)" if p.negative else "")
    lines = [f"[bold]{tr(p.title, lang)}[/bold]", "", f"[cyan]{label('text', lang)}[/cyan]", tr(p.text, lang), "",
             f"[cyan]{label('rationale', lang)}[/cyan]", tr(p.rationale, lang)]
    if p.parameters:
        lines += ["", f"[cyan]{label('parameters', lang)}[/cyan]"]
        lines += [f"  {x.name} = {x.value}{' ' + x.unit if x.unit else ''}  ({tr(x.label, lang)})" for x in p.parameters]
    if p.measures:
        lines += ["", "[cyan]MIC v5[/cyan]"]
        lines += [f"  {mid}  {tr(catalog.by_id[mid].title, lang)}" for mid in p.measures]
    console.print(Panel("\n".join(lines), title=f"{p.id}  {level}  (§{p.section}, p.{p.ref.page})", title_align="left"))


def _show_method(catalog, m: s.Method, lang: Lang) -> None:
    lines = [tr(m.definition, lang), ""]
    for axis in catalog.rating_scale.axes:
        r = m.ratings[axis.id]
        lines.append(f"  {r.grade}  {tr(axis.title, lang)} — {tr(r.reason, lang)}")
    lines += ["", tr(m.use_case, lang)]
    console.print(Panel("\n".join(lines), title=f"{m.id}  {tr(m.title, lang)}  (p.{m.ref.page})", title_align="left"))


@catalog_app.command("show")
def catalog_show(
    entry_id: str = typer.Argument(..., metavar="ID", help="e.g. mic-v5:admin:C-2, mic-v5:case-01, csaj-2018:5.1.1-1, vpn"),
    lang: Lang = LANG_OPTION,
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
) -> None:
    """Show one entry with everything known about it.

    Example: tebiki catalog show mic-v5:admin:C-2 --lang en
    """
    catalog = load_or_exit()
    entry = catalog.by_id.get(entry_id)
    if entry is None:
        err_console.print(f"[red]unknown ID[/red] {entry_id!r} (try: tebiki catalog list)")
        raise typer.Exit(1)
    if fmt is TableOrJson.json:
        data = entry.model_dump(mode="json")
        if isinstance(entry, s.Measure):
            data["trouble_cases"] = [c.id for c in catalog.cases_for_measure[entry.id]]
            data["risk_types"] = [r.id for r in catalog.risks_for_measure[entry.id]]
            data["policies"] = [p.id for p in catalog.policies_for_measure[entry.id]]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    render = {s.Measure: _show_measure, s.TroubleCase: _show_case, s.Policy: _show_policy, s.Method: _show_method}
    shower = render.get(type(entry))
    if shower is None:
        console.print_json(json.dumps(entry.model_dump(mode="json"), ensure_ascii=False))
    else:
        shower(catalog, entry, lang)


@catalog_app.command("export")
def catalog_export(
    fmt: ExportFormat = typer.Option(ExportFormat.json, "--format", "-f",
                                     help="json (tebiki's public contract), yaml, oscal (NIST OSCAL 1.1 catalog JSON) or "
                                          "ciso-assistant (a framework library YAML)."),
    source: SourceOpt = typer.Option(SourceOpt.mic_v5, "--source", "-s",
                                     help="For oscal: which source becomes the catalog (mic-v5 or csaj-2018). "
                                          "ciso-assistant always exports mic-v5."),
) -> None:
    """Write the catalog to standard output: tebiki's own schema (tebiki-catalog/1) or an exchange format.

    Example: tebiki catalog export --format json > catalog.json
    Example: tebiki catalog export --format oscal --source csaj-2018 > csaj-oscal.json
    Example: tebiki catalog export --format ciso-assistant > mic-telework-security-v5.yaml
    """
    from tebiki import __version__
    from tebiki.documents import ciso_assistant, oscal

    catalog = load_or_exit()
    if fmt is ExportFormat.oscal:
        typer.echo(json.dumps(oscal.catalog_document(catalog, source.value, __version__), ensure_ascii=False, indent=2))
        return
    if fmt is ExportFormat.ciso_assistant:
        if source is not SourceOpt.mic_v5:
            err_console.print("[red]--source:[/red] the CISO Assistant library holds the MIC guideline (mic-v5) only")
            raise typer.Exit(2)
        typer.echo(yaml.safe_dump(ciso_assistant.framework_library(catalog), allow_unicode=True, sort_keys=False,
                                  width=110), nl=False)
        return
    data = catalog.to_export()
    if fmt is ExportFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), nl=False)


@catalog_app.command("validate")
def catalog_validate(
    path: Path | None = typer.Argument(None, help="A catalog folder (default: the packaged catalog)."),
) -> None:
    """Load and check the catalog and its content files: schema, cross-references, declared counts.

    Example: tebiki catalog validate src/tebiki/catalog
    """
    try:
        catalog = load_catalog(path) if path else load_catalog()
        kinds = content.validate_all(catalog)
    except CatalogError as err:
        err_console.print(f"[red]invalid:[/red] {err}")
        raise typer.Exit(1) from None
    console.print(f"ok: {len(catalog.measures)} measures, {len(catalog.trouble_cases)} trouble cases, "
                  f"{len(catalog.methods)} methods, {len(catalog.policies)} policies, {len(catalog.risk_types)} risk types, "
                  f"{len(catalog.glossary)} glossary terms")
    console.print("content: " + ", ".join(f"{name} {n}" for name, n in kinds.items()))


AXIS_MARKS = "①②③④⑤⑥⑦⑧⑨"


def add_axis_columns(table: Table, catalog, lang: Lang) -> None:
    """One narrow column per rating axis, headed by its number: two titles both start 「システム導入」, so cut
    titles would read the same. axis_legend() names them in full under the table."""
    for n, _axis in enumerate(catalog.rating_scale.axes):
        table.add_column(AXIS_MARKS[n], justify="center", no_wrap=True)


def axis_legend(catalog, lang: Lang) -> str:
    lines = [f"  {AXIS_MARKS[n]} {tr(axis.title, lang)}" for n, axis in enumerate(catalog.rating_scale.axes)]
    return "\n".join([*lines, {"ja": "  S が最良、D が最低", "en": "  S best … D worst"}[lang.value]])


@catalog_app.command("methods")
def catalog_methods(lang: Lang = LANG_OPTION) -> None:
    """Compare the 7 telework methods on the guideline's five axes (S best … D worst).

    Example: tebiki catalog methods --lang en
    """
    catalog = load_or_exit()
    table = Table(title={"ja": "テレワーク方式の特性比較", "en": "Telework methods compared"}[lang.value])
    table.add_column({"ja": "方式", "en": "Method"}[lang.value], no_wrap=True)
    add_axis_columns(table, catalog, lang)
    for m in catalog.methods:
        table.add_row(f"{m.id}\n{tr(m.title, lang)}", *(m.ratings[a.id].grade for a in catalog.rating_scale.axes))
    console.print(table)
    console.print(axis_legend(catalog, lang))


@catalog_app.command("cases")
def catalog_cases(lang: Lang = LANG_OPTION) -> None:
    """List the 15 trouble cases of chapter 6 with the measures the guideline names.

    Example: tebiki catalog cases --lang en
    """
    catalog = load_or_exit()
    table = Table(title={"ja": "トラブル事例", "en": "Trouble cases"}[lang.value])
    for col in ("ID", {"ja": "事例", "en": "Case"}[lang.value], {"ja": "対策", "en": "Measures"}[lang.value], "p."):
        table.add_column(col)
    for c in catalog.trouble_cases:
        table.add_row(c.id, tr(c.title, lang), " ".join(mid.removeprefix("mic-v5:") for mid in c.measures),
                      str(c.ref.page))
    console.print(table)


@catalog_app.command("policies")
def catalog_policies(
    section: str | None = typer.Option(None, "--section", "-s", help="Only sections starting with this, e.g. 5.1"),
    level: str | None = typer.Option(None, "--level", help="shall, should or may"),
    lang: Lang = LANG_OPTION,
) -> None:
    """List the CSAJ 2018 policy statements with their level (shall / should / may).

    Example: tebiki catalog policies --section 6.1 --lang en
    """
    catalog = load_or_exit()
    if level is not None and level not in ("shall", "should", "may"):
        err_console.print(f"[red]--level:[/red] {level!r} is not one of shall, should, may")
        raise typer.Exit(2)
    rows = [p for p in catalog.policies
            if (section is None or p.section.startswith(section)) and (level is None or p.level == level)]
    table = Table(title=f"CSAJ 2018 ({len(rows)})")
    for col in ("ID", {"ja": "水準", "en": "Level"}[lang.value], {"ja": "ポリシー", "en": "Policy"}[lang.value]):
        table.add_column(col)
    for p in rows:
        table.add_row(p.id, level_word(p.level, lang) + (" NOT" if p.negative else ""), tr(p.title, lang))
    console.print(table)


