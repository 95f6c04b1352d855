"""`tebiki check`: verify this terminal offline (or replay a capture) and explain the result."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tebiki.agent import collect as col
from tebiki.agent import upload
from tebiki.agent.rules import check_texts, evaluate

from .common import LANG_OPTION, Lang, TableOrJson, console, err_console

VERDICT = {"pass": {"ja": "[green]✓ OK[/green]", "en": "[green]✓ pass[/green]"},
           "fail": {"ja": "[red]✗ 要対応[/red]", "en": "[red]✗ fail[/red]"},
           "unknown": {"ja": "[yellow]? 判定不可[/yellow]", "en": "[yellow]? unknown[/yellow]"}}
UNKNOWN_BECAUSE = {"ja": "判定できませんでした: ", "en": "Could not decide: "}
PAGE_LINE = {"ja": "結果と直し方はこちら: ", "en": "Your result and what to do: "}
SUMMARY = {"ja": "合計 {total} 項目: OK {pass}、要対応 {fail}、判定不可 {unknown}",
           "en": "{total} checks: {pass} pass, {fail} fail, {unknown} unknown"}


def summary_line(result: dict, lang: str) -> str:
    """One line counting the verdicts, e.g. "9 checks: 5 pass, 2 fail, 2 unknown"."""
    counts = {v: 0 for v in ("pass", "fail", "unknown")}
    for c in result["checks"].values():
        counts[c["verdict"]] += 1
    return SUMMARY[lang].format(total=len(result["checks"]), **counts)


def evidence_text(evidence: dict, limit: int = 5) -> str:
    """The values that decided, one per line (long lists cut to *limit* with a count)."""
    lines = []
    for key, value in evidence.items():
        if isinstance(value, list):
            shown = ", ".join(map(str, value[:limit])) + (f" … (+{len(value) - limit})" if len(value) > limit else "")
            value = shown or "—"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def check_command(
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f"),
    lang: Lang = LANG_OPTION,
    capture: Path | None = typer.Option(None, "--capture", help="Only collect raw outputs into this folder."),
    replay: Path | None = typer.Option(None, "--replay", help="Evaluate a capture folder instead of this machine."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for time-relative rules (YYYY-MM-DD)."),
    report: str | None = typer.Option(None, "--report", help="Upload the result to this tebiki server (API URL)."),
    token: str | None = typer.Option(None, "--token", envvar="TEBIKI_TOKEN",
                                     help="The organisation's enrolment token (or TEBIKI_TOKEN)."),
    owner: str = typer.Option("", "--owner", help="Who uses this device, shown in the device register."),
    ownership: str = typer.Option("unknown", "--ownership", help="company, byod or unknown."),
    link: bool | None = typer.Option(None, "--link/--no-link",
                                     help="Ask for a personal link to this device's page and print it (default: only "
                                          "in a terminal; a scheduled run asks for none)."),
) -> None:
    """Check disk encryption, firewall, antivirus, updates, screen lock, remote desktop, SMB1 and sharing.

    Exit status 0 when nothing failed, 1 when a check failed, 2 on usage error.

    With --report URL --token T the result is also uploaded; unsent reports are kept and retried next time.
    In a terminal it prints a personal link to the device's page; run by a scheduler it makes none.

    Example: tebiki check --replay captures/win11 --as-of 2026-11-01 --format json
    """
    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        err_console.print(f"[red]--as-of:[/red] {as_of!r} is not a date like 2026-11-01")
        raise typer.Exit(2) from None
    if capture and replay:
        err_console.print("[red]error:[/red] use --capture or --replay, not both")
        raise typer.Exit(2)
    if report and not token:
        err_console.print("[red]error:[/red] --report needs --token (or TEBIKI_TOKEN)")
        raise typer.Exit(2)
    if ownership not in ("company", "byod", "unknown"):
        err_console.print("[red]--ownership:[/red] expected company, byod or unknown")
        raise typer.Exit(2)
    if replay:
        try:
            os_name, files = col.load(replay)
        except ValueError as err:
            err_console.print(f"[red]error:[/red] {err}")
            raise typer.Exit(2) from None
    else:
        os_name = col.current_os()
        files = col.collect(os_name)
        if capture:
            col.save(files, capture)
            console.print(f"captured {len(files)} outputs into {capture}")
            return
    result = evaluate(os_name, files, today)
    failed = any(c["verdict"] == "fail" for c in result["checks"].values())
    if fmt is TableOrJson.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        texts = check_texts()
        table = Table(title=f"tebiki check — {os_name} — {today.isoformat()}")
        for name in ({"ja": "項目", "en": "Check"}, {"ja": "結果", "en": "Result"},
                     {"ja": "根拠・直し方", "en": "Evidence / fix"}):
            table.add_column(name[lang.value], overflow="fold")
        for check_id, c in result["checks"].items():
            if c["verdict"] == "unknown":
                detail = escape(UNKNOWN_BECAUSE[lang.value] + c["reasons"][lang.value])
            else:
                detail = f"[dim]{escape(c['source'])}[/dim]\n" + escape(evidence_text(c["evidence"]))
            if c["fix"] and c["verdict"] != "pass":
                detail += "\n[bold]→[/bold] " + escape(c["fix"][lang.value])
                detail += "\n" + escape(texts[check_id]["steps"][os_name][lang.value])
            table.add_row(f"{c['title'][lang.value]}\n[dim]{check_id}[/dim]", VERDICT[c["verdict"]][lang.value], detail)
        console.print(table)
        console.print(summary_line(result, lang.value))
    if report:
        wants_link = sys.stderr.isatty() if link is None else link  # a person will read it
        outcome = upload.report_and_flush(result, report, token or "", owner, ownership, link=wants_link)
        message = f"sent {outcome.sent}, waiting {outcome.queued}, set aside {outcome.rejected}"
        if outcome.last_error:
            message += f" ({outcome.last_error})"
        err_console.print(("[green]✓[/green] " if outcome.queued == 0 and outcome.rejected == 0 else "[yellow]![/yellow] ")
                          + message)
        if outcome.page:
            err_console.print(PAGE_LINE[lang.value] + escape(outcome.page), soft_wrap=True)
    raise typer.Exit(1 if failed else 0)
