"""Reports of an assessment: xlsx (summary, one sheet per role, action plan), printable HTML and JSON.

All are rendered from core.plan's plain data; text cells are neutralised against formula injection.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from tebiki.catalog import Catalog
from tebiki.core.assessment import Assessment
from tebiki.core.evidence import Contradiction
from tebiki.core.figures import figures, overdue_rows
from tebiki.core.plan import action_list, build_rows, exposure, plan_json, scores
from tebiki.core.vocabulary import DECISION, EXPOSURE, LEVEL, ROLE_SHORT, STATUS, VERDICT

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The labels come from the one vocabulary, in Japanese: the workbook is for the organisation's own people.
ROLE_SHEETS = ROLE_SHORT.labels("ja")
STATUS_JA = STATUS.labels("ja")
DECISION_JA = {**DECISION.labels("ja"), None: ""}
EXPOSURE_JA = EXPOSURE.labels("ja")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


LINE_POINTS = 15.5  # one line of 11 pt text, Japanese glyphs included
MAX_ROW_POINTS = 409  # the tallest row Excel allows


def print_setup(ws, *, landscape: bool, title_rows: str | None = None) -> None:
    """A4, scaled to one page wide (as many pages down as needed), header rows repeated, page numbers below."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.25)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


def text_width(text: str) -> float:
    """Width in column units (the width of a '0'): full-width Japanese characters take about two."""
    return sum(1.9 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def fit_row_heights(ws, first_row: int = 1) -> None:
    """Give each row the height its wrapped text needs: spreadsheets do not grow rows written by a program."""
    widths = {col: (dim.width or 8.43) for col, dim in ws.column_dimensions.items()}
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or cell.coordinate in ws.merged_cells:
                continue
            usable = max(widths.get(cell.column_letter, 8.43) - 1, 1)
            lines = max(lines, sum(max(1, math.ceil(text_width(part) / usable)) for part in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(lines * LINE_POINTS + 2, MAX_ROW_POINTS)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[object]], widths: list[int],
           landscape: bool = True) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    print_setup(ws, landscape=landscape, title_rows="1:1")
    fit_row_heights(ws)


def xlsx_report(catalog: Catalog, assessment: Assessment, today: dt.date,
                contradictions: Sequence[Contradiction] = ()) -> bytes:
    """The report workbook; *contradictions* (done rows the devices or the self-check answers disagree with,
    tebiki.core.evidence) get their own sheet when there are any."""
    rows = build_rows(catalog, assessment)
    sc = scores(rows)
    exp = exposure(catalog, rows)
    wb = Workbook()
    summary = wb.active
    summary.title = "概要 Summary"
    summary.append(["tebiki テレワークセキュリティ自己点検 / telework security self-assessment"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["組織 Organisation", safe_cell(assessment.profile.name)])
    summary.append(["作成日 Date", today.isoformat()])
    summary.append(["適用される項目 Applicable rows", sum(r.applies for r in rows)])
    fig = figures(catalog, rows, today)
    summary.append(["未対応 Open", fig.open])
    summary.append(["期限超過 Overdue", fig.overdue])
    summary.append([])
    summary.append(["役割 Role", "対象 Applicable", "対応済み Done", "達成率 Score"])
    for role, v in sc["role"].items():
        summary.append([f"{ROLE_SHEETS[role]} {ROLE_SHORT.label(role, 'en')}", v["applicable"], v["done"], v["score"]])
        summary.cell(summary.max_row, 4).number_format = "0%"
    summary.append([])
    summary.append(["トラブル事例 Trouble case", "状態 State", "未対応の対策 Unmet measures"])
    for e in exp["trouble_cases"]:
        summary.append([safe_cell(e.title["ja"]), f"{EXPOSURE_JA[e.state]} {EXPOSURE.label(e.state, 'en')}", " ".join(e.unmet)])
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 20
    summary.column_dimensions["C"].width = 46
    for row in summary.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    print_setup(summary, landscape=False)
    fit_row_heights(summary, first_row=2)

    header = ["ID", "分類", "水準", "対策", "範囲", "適用", "理由", "優先度", "状態", "判断", "期限", "担当", "メモ"]
    widths = [17, 5, 5, 30, 14, 5, 34, 12, 8, 8, 10, 10, 20]
    for role, name in ROLE_SHEETS.items():
        _sheet(wb, f"{name} {ROLE_SHORT.label(role, 'en')}", header, [
            [r.item, r.category, LEVEL.label(r.level, "ja"), r.title["ja"], r.scope_name,
             "○" if r.applies else "×", r.reason["ja"], r.priority.title["ja"], STATUS_JA[r.status],
             DECISION_JA[r.decision], r.deadline.isoformat() if r.deadline else "", r.owner or "", r.note or ""]
            for r in rows if r.role == role], widths)
    _sheet(wb, "行動計画 Action plan", ["順位", "優先度", "ID", "対策", "範囲", "状態", "期限", "担当", "理由"], [
        [i, r.priority.title["ja"], r.item, r.title["ja"], r.scope_name, STATUS_JA[r.status],
         r.deadline.isoformat() if r.deadline else "", r.owner or "", r.reason["ja"]]
        for i, r in enumerate(action_list(rows), start=1)], [5, 12, 17, 36, 14, 8, 10, 10, 36])
    if contradictions:
        _sheet(wb, "食い違い Contradictions", ["ID", "対策", "範囲", "端末チェック Devices", "自己点検 Self-check"], [
            [x.row.item, x.row.title["ja"], x.row.scope_name,
             "\n".join(f"{c.title['ja']}: {', '.join(c.devices)}" for c in x.checks),
             f"{x.answers.campaign}: {x.answers.asked} 人中 {x.answers.no} 人が「いいえ」（{', '.join(x.answers.who)}）"
             if x.answers else ""] for x in contradictions], [17, 30, 14, 36, 40])
    wb.properties.creator = "tebiki"
    wb.properties.title = f"{assessment.profile.name} テレワークセキュリティ自己点検"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


VERDICT_JA = VERDICT.labels("ja")


def _register_styles(wb: Workbook) -> None:
    """The named styles of a write-only workbook: a style is stored once, each cell only names it."""
    header = NamedStyle("tebiki header", font=Font(bold=True, color="FFFFFF"), fill=HEADER_FILL,
                        alignment=Alignment(wrap_text=True, vertical="center"))
    wb.add_named_style(header)
    wb.add_named_style(NamedStyle("tebiki cell", alignment=Alignment(wrap_text=True, vertical="top")))
    wb.add_named_style(NamedStyle("tebiki title", font=Font(bold=True, size=14)))


def _styled(ws, values: list[object], style: str) -> list[WriteOnlyCell]:
    out = []
    for v in values:
        cell = WriteOnlyCell(ws, value=safe_cell(v))
        cell.style = style
        out.append(cell)
    return out


def _streamed_sheet(wb: Workbook, title: str, header: list[str], rows, widths: list[int], count: int) -> None:
    """A table sheet of a write-only workbook (the rows are written as they come, never held as cells): the
    layout of _sheet() for short one-line values, so no row needs a computed height."""
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    print_setup(ws, landscape=True, title_rows="1:1")
    ws.append(_styled(ws, header, "tebiki header"))
    for row in rows:
        ws.append(_styled(ws, row, "tebiki cell"))


def devices_xlsx(org_name: str, checks: list[dict], devices, fleet: dict[str, dict[str, int]],
                 today: dt.date, count: int) -> bytes:
    """The device register: one row per device with its last verdicts, and the fleet summary per check.

    checks: [{"id", "title": {"ja", "en"}}]; devices: an iterable of *count* [{"hostname", "owner", "ownership",
    "os", "first_seen", "last_seen", "latest": {check id: verdict}}] with times as text, read once as it is written
    (openpyxl's write-only mode: the cost per device stays the same however many there are); fleet: per check id,
    pass/fail/unknown/devices.
    """
    wb = Workbook(write_only=True)
    _register_styles(wb)
    summary = wb.create_sheet("概要 Summary")
    for col, width in zip("ABCDE", (40, 14, 14, 14, 12), strict=True):
        summary.column_dimensions[col].width = width
    print_setup(summary, landscape=False)
    summary.append(_styled(summary, ["tebiki 端末台帳 / device register"], "tebiki title"))
    summary.append(["組織 Organisation", safe_cell(org_name)])
    summary.append(["作成日 Date", today.isoformat()])
    summary.append(["端末 Devices", count])
    summary.append([])
    summary.append(["チェック Check", "合格 Passed", "不合格 Failed", "不明 Unknown", "端末 Devices"])
    for c in checks:
        f = fleet[c["id"]]
        summary.append([f"{c['title']['ja']} {c['id']}", f["pass"], f["fail"], f["unknown"], f["devices"]])
    _streamed_sheet(wb, "端末 Devices", ["端末", "担当者", "所有", "OS", "初回受信", "最終受信",
                                         *(c["title"]["ja"] for c in checks)],
                    ([d["hostname"], d["owner"], d["ownership"], d["os"], d["first_seen"], d["last_seen"],
                      *(VERDICT_JA.get(d["latest"].get(c["id"]), "–") for c in checks)] for d in devices),
                    [22, 14, 14, 22, 17, 17, *([12] * len(checks))], count)
    wb.properties.creator = "tebiki"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_env = Environment(loader=PackageLoader("tebiki.documents", "templates"), autoescape=select_autoescape(["html"]))


def html_report(catalog: Catalog, assessment: Assessment, today: dt.date, lang: str = "ja",
                contradictions: Sequence[Contradiction] = ()) -> str:
    rows = build_rows(catalog, assessment)
    actions = action_list(rows)
    reason_no: dict[str, int] = {}  # each reason once, numbered in order of first use; rows point to it
    for r in actions:
        reason_no.setdefault(r.reason[lang], len(reason_no) + 1)
    return _env.get_template("report.html").render(
        lang=lang, org=assessment.profile.name, today=today, actions=actions, rows=rows, reason_no=reason_no,
        scores=scores(rows), exposure=exposure(catalog, rows), status_ja=STATUS.labels(lang),
        exposure_ja=EXPOSURE.labels(lang), roles=ROLE_SHORT.labels(lang),
        overdue=len(overdue_rows(rows, today)), contradictions=contradictions,
    )


def json_report(catalog: Catalog, assessment: Assessment, today: dt.date) -> str:
    return json.dumps(plan_json(catalog, assessment, today), ensure_ascii=False, indent=2, default=str)


def write_report(catalog: Catalog, assessment: Assessment, fmt: str, output: Path, today: dt.date,
                 lang: str = "ja") -> None:
    from tebiki.documents.files import write_atomic

    if fmt == "xlsx":
        write_atomic(output, xlsx_report(catalog, assessment, today))
    elif fmt == "html":
        write_atomic(output, html_report(catalog, assessment, today, lang))
    else:
        write_atomic(output, json_report(catalog, assessment, today))
