"""`tebiki diagnose` and `tebiki assess …`: the offline assessment workflow over a YAML file."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.prompt import Confirm
from rich.table import Table

from tebiki.core import diagnose as dg
from tebiki.core.assessment import change_profile, compare, new_assessment, take_snapshot
from tebiki.core.errors import DataError
from tebiki.core.plan import actions, build_rows, exposure, no_longer_applying, plan_json, record_checked, scores
from tebiki.core.reasons import LIST
from tebiki.core.vocabulary import CATALOG_ROLE, EXPOSURE, STATUS
from tebiki.documents.files import load_assessment, load_data, load_profile, save_assessment

from .catalog import add_axis_columns, axis_legend
from .common import LANG_OPTION, Lang, TableOrJson, console, err_console, load_or_exit, term, tr

assess_app = typer.Typer(help="Create, update and plan an assessment kept in a YAML file.", no_args_is_help=True)


YES_NO = {True: {"ja": "はい", "en": "yes"}, False: {"ja": "いいえ", "en": "no"}}


def _fail(err: DataError) -> None:
    err_console.print(f"[red]error:[/red] {err}")
    raise typer.Exit(1)


def _assessment_or_exit(file: Path):
    """The assessment in *file*, or exit 1 with the file, entry and field that are wrong."""
    try:
        return load_assessment(file)
    except DataError as err:
        _fail(err)


def _today(as_of: str | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        err_console.print(f"[red]--as-of:[/red] {as_of!r} is not a date like 2026-04-01")
        raise typer.Exit(2) from None


def diagnose_command(
    answers: Path | None = typer.Option(None, "--answers", "-a", help="YAML/JSON file of question id: true/false."),
    lang: Lang = LANG_OPTION,
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
) -> None:
    """Find your telework method(s) with a short questionnaire; several methods at once is normal.

    Example: tebiki diagnose --answers answers.yaml --lang en
    """
    catalog = load_or_exit()
    questions = dg.questionnaire().questions
    try:
        if answers is not None:
            data, _ = load_data(answers)
            given = dg.parse_answers(data, str(answers))
        else:
            given = {}
            for q in questions:
                given[q.id] = Confirm.ask(tr(q.text, lang))
    except DataError as err:
        _fail(err)
    except (EOFError, KeyboardInterrupt):
        err_console.print("[red]no answers given[/red] (use --answers FILE when not at a terminal)")
        raise typer.Exit(2) from None
    result = dg.diagnosis(given)
    candidates = result.candidates
    comparison = dg.compare(catalog, [c.method for c in candidates])
    if fmt is TableOrJson.json:
        typer.echo(json.dumps({"answers": given, "methods": [c.__dict__ for c in candidates],
                               "comparison": comparison,
                               "open": [{"method": o.method, "decides_alone": o.decides_alone,
                                         "questions": [{"id": q, "answer": a} for q, a in o.questions]}
                                        for o in result.open],
                               "notes": result.notes, "advice": result.advice}, ensure_ascii=False, indent=2))
        return
    L = lang.value
    for o in result.open:
        wanted = LIST[L].join(f"{tr(dg.questionnaire().question(q).text, lang)} → "
                              f"{YES_NO[a][L]}"
                              for q, a in o.questions)
        title = tr(catalog.method(o.method).title, lang)
        console.print({"ja": f"未回答の質問で決まります: {title} — {wanted}",
                       "en": f"Open, decided by unanswered questions: {title} — {wanted}"}[L])
    if not candidates:
        if result.advice:
            console.print(result.advice[L])
        raise typer.Exit(1)
    table = Table(title={"ja": "あなたの組織のテレワーク方式", "en": "Your telework methods"}[lang.value])
    table.add_column({"ja": "方式", "en": "Method"}[lang.value])
    table.add_column({"ja": "理由", "en": "Why"}[lang.value])
    add_axis_columns(table, catalog, lang)
    for cand, row in zip(candidates, comparison, strict=True):
        table.add_row(f"{cand.method}\n{row['title'][lang.value]}", cand.reason[lang.value],
                      *(row["ratings"][a.id] for a in catalog.rating_scale.axes))
    console.print(table)
    console.print(axis_legend(catalog, lang))
    for method, note in result.notes.items():
        console.print(f"{tr(catalog.method(method).title, lang)}: {note[L]}")


@assess_app.command("init")
def assess_init(
    profile: Path = typer.Option(..., "--profile", "-p", help="Organisation profile (YAML), see examples/."),
    output: Path = typer.Option(..., "--output", "-o", help="Assessment file to create."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Start an assessment from an organisation profile.

    Example: tebiki assess init --profile examples/manufacturer.yaml -o my-assessment.yaml
    """
    try:
        prof = load_profile(profile)
    except DataError as err:
        _fail(err)
    if output.exists() and not force:
        err_console.print(f"[red]error:[/red] {output} exists (use --force to overwrite)")
        raise typer.Exit(1)
    catalog = load_or_exit()
    assessment = new_assessment(prof)
    save_assessment(output, assessment)
    rows = build_rows(catalog, assessment)
    applicable = sum(r.applies for r in rows)
    console.print(f"{output}: {prof.name} — {applicable} of {len(rows)} measure rows apply "
                  f"across {len(prof.departments)} department(s); next: tebiki assess plan {output}")


@assess_app.command("set")
def assess_set(
    file: Path = typer.Argument(..., help="The assessment file."),
    item: str = typer.Argument(..., metavar="ID", help="Measure or policy ID, e.g. mic-v5:admin:C-2"),
    scope: str = typer.Option(None, "--scope", "-s", help="'organisation' or a department id (default: as the item needs)."),
    status: str | None = typer.Option(None, "--status", help="unchecked, done, partly, not_done or na"),
    decision: str | None = typer.Option(None, "--decision", help="done, will_do or not_needed"),
    deadline: str | None = typer.Option(None, "--deadline", help="YYYY-MM-DD (required with will_do)"),
    owner: str | None = typer.Option(None, "--owner", help="Who does it (required with will_do)"),
    reason: str | None = typer.Option(None, "--reason", help="Why (required with not_needed and na)"),
    note: str | None = typer.Option(None, "--evidence", help="Add an evidence note"),
    link: str | None = typer.Option(None, "--link", help="Add an evidence link"),
    importance: str | None = typer.Option(None, "--importance", help="Override: high, medium or low"),
    difficulty: str | None = typer.Option(None, "--difficulty", help="Override: high, not_high or low"),
    override_reason: str | None = typer.Option(None, "--override-reason", help="Why the override"),
    by: str = typer.Option("cli", "--by", help="Who is recording this"),
) -> None:
    """Record status, decision, owner, deadline or evidence for one item; invalid input changes nothing.

    Example: tebiki assess set my.yaml mic-v5:admin:C-2 --scope admin --decision will_do --deadline 2026-12-31 --owner 佐藤
    """
    catalog = load_or_exit()
    try:
        assessment = load_assessment(file)
        if item not in catalog.by_id or not item.startswith(("mic-v5:", "csaj-2018:")):
            raise DataError(str(file), "item", f"unknown measure or policy ID {item!r}")
        entry = catalog.by_id[item]
        org_scoped = getattr(entry, "scope", "organisation") == "organisation"
        depts = [d.id for d in assessment.profile.departments]
        allowed = ["organisation"] if org_scoped else depts
        if scope is None:
            if len(allowed) != 1:
                raise DataError(str(file), "scope", f"{item} is kept per department: give --scope, one of {', '.join(allowed)}")
            scope = allowed[0]
        if scope not in allowed:
            raise DataError(str(file), "scope", f"{scope!r} is not valid for {item}; use one of {', '.join(allowed)}")
        changes: dict = {k: v for k, v in dict(status=status, decision=decision, deadline=deadline, owner=owner,
                                                 reason=reason, importance=importance, difficulty=difficulty,
                                                 override_reason=override_reason).items() if v is not None}
        if note or link:
            current = assessment.state(item, scope)
            changes["evidence"] = [*(e.model_dump() for e in current.evidence), {"note": note, "link": link}]
        if not changes:
            raise DataError(str(file), "", "nothing to change: give --status, --decision, --evidence …")
        updated = record_checked(catalog, assessment, item, scope, by,
                                 dt.datetime.now(dt.UTC).replace(microsecond=0), **changes)
    except DataError as err:
        _fail(err)
    save_assessment(file, updated)
    state = updated.state(item, scope)
    console.print(f"{item} / {scope}: status={state.status} decision={state.decision or '-'}"
                  f"{' deadline=' + state.deadline.isoformat() if state.deadline else ''}")


@assess_app.command("plan")
def assess_plan(
    file: Path = typer.Argument(..., help="The assessment file."),
    lang: Lang = LANG_OPTION,
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for overdue checks (default today)."),
    limit: int = typer.Option(30, "--limit", help="Rows of the action list to show in the table."),
) -> None:
    """The prioritised action list (最優先 first) with reasons, trouble-case exposure and scores.

    Example: tebiki assess plan my-assessment.yaml --format json
    """
    catalog = load_or_exit()
    today = _today(as_of)
    assessment = _assessment_or_exit(file)
    if fmt is TableOrJson.json:
        typer.echo(json.dumps(plan_json(catalog, assessment, today), ensure_ascii=False, indent=2, default=str))
        return
    rows = build_rows(catalog, assessment)
    todo = actions(rows)
    overdue = sum(a.overdue(today) for a in todo)
    L = lang.value
    t = Table(title=f"{assessment.profile.name} — {len(todo)} "
                    + {"ja": "件の対策（上から順に）", "en": "measures to act on, in order"}[L])
    t.add_column("#", justify="right")
    t.add_column({"ja": "優先度", "en": "Priority"}[L], max_width=10)
    t.add_column({"ja": "対策", "en": "Measure"}[L], min_width=18, ratio=2, overflow="fold")
    t.add_column({"ja": "範囲・状態", "en": "Where, status"}[L], min_width=10, ratio=1, overflow="fold")
    t.add_column({"ja": "なぜこの順か", "en": "Why here"}[L], min_width=16, ratio=2, overflow="fold")
    for a in todo[:limit]:
        where = LIST[L].join(a.department_names) or assessment.profile.name
        if a.statuses_differ:
            where += "\n" + " ".join(f"{r.scope_name}:{term(STATUS, r.status, lang)}" for r in a.rows)
        else:
            where += f"\n{term(STATUS, a.status, lang)}"
        if a.deadline:
            where += f"\n{a.deadline.isoformat()}{' ⚠' if a.overdue(today) else ''}"
        t.add_row(str(a.rank), a.priority.title[L], f"{a.item.removeprefix('mic-v5:')}\n{a.title[L]}", where,
                  a.why_text[L])
    console.print(t)
    shown = min(limit, len(todo))
    console.print({"ja": f"{shown} / {len(todo)} 件を表示（残り {len(todo) - shown} 件は --limit で）、期限切れ {overdue} 件",
                   "en": f"showing {shown} of {len(todo)} ({len(todo) - shown} more with --limit); {overdue} overdue"}[L])
    exp = exposure(catalog, rows)["trouble_cases"]
    et = Table(title={"ja": "トラブル事例への露出", "en": "Exposure to trouble cases"}[lang.value])
    for col in ("ID", {"ja": "事例", "en": "Case"}[lang.value], {"ja": "状態", "en": "State"}[lang.value],
                {"ja": "未対応の対策", "en": "Unmet measures"}[lang.value]):
        et.add_column(col)
    for e in exp:
        et.add_row(e.id, e.title[lang.value], term(EXPOSURE, e.state, lang), " ".join(m.removeprefix("mic-v5:") for m in e.unmet))
    console.print(et)
    st = Table(title={"ja": "役割別の達成率", "en": "Score by role"}[lang.value])
    for col in ({"ja": "役割", "en": "Role"}, {"ja": "対象", "en": "Applicable"}, {"ja": "対応済み", "en": "Done"},
                {"ja": "達成率", "en": "Score"}):
        st.add_column(col[lang.value])
    for role, v in scores(rows)["role"].items():
        st.add_row(term(CATALOG_ROLE, role, lang), str(v["applicable"]), str(v["done"]), f"{v['score']:.0%}")
    console.print(st)


@assess_app.command("profile")
def assess_profile(
    file: Path = typer.Argument(..., help="The assessment file."),
    profile: Path = typer.Option(..., "--profile", "-p", help="The changed organisation profile (YAML)."),
) -> None:
    """Replace the profile; recorded answers are kept and those that no longer apply are listed.

    Example: tebiki assess profile my.yaml --profile examples/manufacturer.yaml
    """
    catalog = load_or_exit()
    try:
        assessment = load_assessment(file)
        prof = load_profile(profile)
    except DataError as err:
        _fail(err)
    updated, dropped = change_profile(assessment, prof)
    save_assessment(file, updated)
    stale = no_longer_applying(build_rows(catalog, updated), updated)
    console.print(f"{file}: profile of {prof.name} replaced; {len(updated.items)} answer(s) kept")
    for s_ in stale:
        console.print(f"  no longer applies: {s_.item} / {s_.scope} (status={s_.status}, decision={s_.decision or '-'})")
    for s_ in dropped:
        console.print(f"  department gone: {s_.item} / {s_.scope} (kept in history)")


@assess_app.command("snapshot")
def assess_snapshot(
    file: Path = typer.Argument(..., help="The assessment file."),
    label_: str = typer.Option(..., "--label", help="A name for this point in time, e.g. 2026年度上期"),
) -> None:
    """Keep the current statuses as a snapshot, to compare a later re-assessment with.

    Example: tebiki assess snapshot my.yaml --label 2026-H1
    """
    try:
        assessment = load_assessment(file)
        updated = take_snapshot(assessment, label_, dt.datetime.now(dt.UTC).replace(microsecond=0))
    except DataError as err:
        _fail(err)
    save_assessment(file, updated)
    console.print(f"{file}: snapshot {label_!r} ({len(updated.snapshots)} in all)")


@assess_app.command("compare")
def assess_compare(
    file: Path = typer.Argument(..., help="The assessment file."),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
) -> None:
    """What improved or regressed since the last snapshot.

    Example: tebiki assess compare my.yaml
    """
    assessment = _assessment_or_exit(file)
    if not assessment.snapshots:
        err_console.print("[red]error:[/red] no snapshot yet (tebiki assess snapshot FILE --label …)")
        raise typer.Exit(1)
    last = assessment.snapshots[-1]
    now = {f"{s.item}|{s.scope}": s.status for s in assessment.items}
    diff = compare(dict(last.statuses), now)
    if fmt is TableOrJson.json:
        typer.echo(json.dumps({"since": last.label, **diff}, ensure_ascii=False, indent=2))
        return
    console.print(f"since {last.label}: {len(diff['improved'])} improved, {len(diff['regressed'])} regressed")
    for key in diff["improved"]:
        console.print(f"  [green]+[/green] {key}")
    for key in diff["regressed"]:
        console.print(f"  [red]-[/red] {key}")


__all__ = ["assess_app", "diagnose_command", "report_command"]


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    html = "html"
    json = "json"


def report_command(
    file: Path = typer.Argument(..., help="The assessment file."),
    fmt: ReportFormat = typer.Option(ReportFormat.xlsx, "--format", "-f"),
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    lang: Lang = LANG_OPTION,
    as_of: str | None = typer.Option(None, "--as-of", help="Report date (default today)."),
) -> None:
    """Write a report: xlsx (summary, a sheet per role, action plan), printable HTML, or JSON.

    Example: tebiki report my-assessment.yaml --format xlsx -o report.xlsx
    """
    from tebiki.documents.report import write_report

    catalog = load_or_exit()
    today = _today(as_of)
    assessment = _assessment_or_exit(file)
    write_report(catalog, assessment, fmt.value, output, today, lang.value)
    console.print(f"wrote {output}")
