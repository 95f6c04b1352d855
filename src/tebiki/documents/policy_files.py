"""The generated rulebook as DOCX (python-docx) and the self-evaluation sheet as xlsx (openpyxl).

Both render the plain models of tebiki.core.policy / tebiki.core.self_evaluation and add nothing to them: the
DOCX is laid out like a Japanese company rulebook (caption line, 第N条 with its first paragraph, numbered 項,
kanji 号), with Japanese fonts set for East Asian text so Word and LibreOffice pick them; spreadsheet cells are
neutralised against formula injection like every other export.
"""

from __future__ import annotations

import datetime as dt
import io
import math

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tebiki.core.rulebook import Article, Paragraph, PolicyDocument, kanji_number
from tebiki.core.self_evaluation import SelfEvaluationSheet
from tebiki.documents.report import LINE_POINTS, MAX_ROW_POINTS, fit_row_heights, print_setup, safe_cell, text_width

BODY_FONT = "游明朝"  # Word on Windows/macOS; LibreOffice substitutes Noto Serif CJK JP when it is missing
HEADING_FONT = "游ゴシック"
LATIN_FONT = "Century"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value: object) -> object:
    """Drop characters Office XML cannot hold (a profile or a checklist note may carry them), then neutralise formulas."""
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value


# --- DOCX ------------------------------------------------------------------------------------------------------------

def _set_fonts(rpr_parent, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts for Latin and East Asian text explicitly, dropping theme fonts that would override them."""
    rpr = rpr_parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_parent.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), latin)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def _style(doc, name: str, size: float, east_asian: str, bold: bool = False) -> None:
    style = doc.styles[name]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, east_asian)


def _page_number_footer(section) -> None:
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _paragraph(doc, text: str, indent_mm: float = 4.0, first_mm: float | None = None, align=None, bold=False):
    """A paragraph with a hanging indent (the number stands out), keeping line breaks of multi-line text."""
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.left_indent = Mm(indent_mm)
    fmt.first_line_indent = Mm(-indent_mm if first_mm is None else first_mm)
    fmt.space_after = Pt(2)
    if align is not None:
        para.alignment = align
    for i, line in enumerate(text.split("\n")):
        if i:
            para.add_run().add_break()
        para.add_run(ILLEGAL_CHARACTERS_RE.sub("", line)).bold = bold
    return para


def _article(doc, art: Article) -> None:
    caption = _paragraph(doc, f"（{art.title}）", indent_mm=0, first_mm=0, bold=True)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    for i, p in enumerate(art.paragraphs, start=1):
        number = art.label if i == 1 else str(i)
        _paragraph(doc, f"{number}　{p.text.strip()}", indent_mm=4 if i > 1 else 0, first_mm=-4 if i > 1 else 0)
        _items(doc, p)


def _items(doc, p: Paragraph) -> None:
    for j, item in enumerate(p.items, start=1):
        _paragraph(doc, f"{kanji_number(j)}　{item}", indent_mm=12, first_mm=-6)


def _row_flag(row, tag: str) -> None:
    """Set an on/off property of a table row (w:tblHeader, w:cantSplit)."""
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def _table(doc, title: str, header: tuple[str, ...], rows: list[tuple[str, ...]], widths_mm: list[float],
           bold: set[tuple[int, int]] = frozenset()) -> None:
    """A titled grid; *bold* names (row, column) cells of the body to stress, e.g. values that differ from CSAJ."""
    doc.add_heading(title, level=2)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True  # a new cell holds one empty paragraph
    _row_flag(table.rows[0], "w:tblHeader")  # the header row repeats on every page the table spans
    for i, row in enumerate(rows):
        added = table.add_row()
        _row_flag(added, "w:cantSplit")  # a row is not torn across two pages
        cells = added.cells
        for j, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.paragraphs[0].add_run(ILLEGAL_CHARACTERS_RE.sub("", text)).bold = (i, j) in bold
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)  # the cells, which Word follows


def _properties(props, doc_model: PolicyDocument, now: dt.datetime) -> None:
    """Who made the file and when, replacing python-docx's template values (2013, "python-docx")."""
    organisation = ILLEGAL_CHARACTERS_RE.sub("", doc_model.organisation)
    props.title = doc_model.title
    props.subject = f"{organisation} {doc_model.title}"
    props.author = organisation
    props.last_modified_by = "tebiki"
    props.comments = ("tebiki で作成（CSAJ 2018 在宅勤務セキュリティポリシーと"
                      "総務省テレワークセキュリティガイドライン第5版による）")
    props.keywords = "テレワーク, セキュリティ, 規程"
    props.category = ""
    props.language = "ja-JP"
    props.created = props.modified = now.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    props.revision = 1


def new_document():
    """An empty A4 portrait Word document with Japanese fonts, page numbers and the heading styles set."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(22)
    _page_number_footer(section)
    _style(doc, "Normal", 10.5, BODY_FONT)
    _style(doc, "Title", 16, HEADING_FONT, bold=True)
    _style(doc, "Heading 1", 12, HEADING_FONT, bold=True)
    _style(doc, "Heading 2", 11, HEADING_FONT, bold=True)
    _set_fonts(doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")), BODY_FONT)
    return doc


def render_docx(doc_model: PolicyDocument, now: dt.datetime | None = None) -> bytes:
    """The rulebook as a Word document (A4, Japanese fonts, page numbers), created *now* (default: this moment)."""
    doc = new_document()
    _properties(doc.core_properties, doc_model, now or dt.datetime.now(dt.UTC))

    title = doc.add_paragraph(doc_model.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (doc_model.organisation, doc_model.date_text):
        _paragraph(doc, line, indent_mm=0, first_mm=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for chapter in doc_model.chapters:
        heading = doc.add_heading(f"{chapter.label}　{chapter.title}", level=1)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for art in chapter.articles:
            _article(doc, art)
    heading = doc.add_heading(doc_model.supplementary_title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, p in enumerate(doc_model.supplementary, start=1):
        prefix = f"{i}　" if len(doc_model.supplementary) > 1 else ""
        _paragraph(doc, prefix + p.text, indent_mm=4 if prefix else 0, first_mm=-4 if prefix else 0)
        _items(doc, p)
    doc.add_page_break()
    _table(doc, doc_model.parameters_title, doc_model.parameters_header,
           [(r.label, r.value, r.default, "、".join(r.articles)) for r in doc_model.parameters], [70, 30, 30, 30],
           bold={(i, 1) for i, r in enumerate(doc_model.parameters) if r.changed})
    _table(doc, doc_model.mapping_title, doc_model.mapping_header,
           [(r.article, f"{r.item} {r.title}", r.level) for r in doc_model.mapping], [30, 110, 20])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- xlsx ------------------------------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
EVALUATION_FILL = PatternFill("solid", fgColor="E7E6E6")  # the company's part of the CSAJ sheet is shaded grey
THIN = Side(style="thin", color="A6A6A6")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# 17 columns, narrow enough that landscape A4 one page wide prints them at about 80 %
WIDTHS = [4, 9, 10, 18, 34, 26, 12, 5, 5, 5, 18, 6, 6, 6, 6, 8, 9]


def _header(ws, row: int, values: tuple[str, ...]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=_text(value))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = GRID


def _body(ws, row: int, values: tuple[object, ...], shaded: range | None = None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=_text(value))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = GRID
        if shaded and col in shaded:
            cell.fill = EVALUATION_FILL


def render_xlsx(sheet: SelfEvaluationSheet) -> bytes:
    """The self-evaluation workbook: the evaluation, the information assets and the legend."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet.evaluation_title
    ws["A1"] = _text(sheet.title)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = _text(f"{sheet.organisation}　{sheet.date_text}")
    _header(ws, 3, sheet.columns)
    first_eval = sheet.evaluation_start + 1  # 現状 … 実施判定 are the company's columns
    shaded = range(first_eval, first_eval + 6)
    for i, r in enumerate(sheet.rows, start=4):
        _body(ws, i, (r.no, r.item, r.category, r.title, r.detail, r.threat_scenario, r.threat_class, r.level, r.applies,
                      r.included, r.current_state, *r.impacts, r.decision, r.owner), shaded)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = 3 + len(sheet.rows)
    choices = ",".join(sheet.impact_choices)
    impacts = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    ws.add_data_validation(impacts)
    impacts.add(f"{get_column_letter(first_eval + 1)}4:{get_column_letter(first_eval + 4)}{last}")
    ws.freeze_panes = "E4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(sheet.columns))}{last}"
    print_setup(ws, landscape=True, title_rows="3:3")
    fit_row_heights(ws, first_row=3)

    assets = wb.create_sheet(sheet.assets_title)
    _header(assets, 1, sheet.asset_header)
    for i, a in enumerate(sheet.assets, start=2):
        _body(assets, i, (a.level, a.meaning, a.assets, a.encrypt), range(3, 5))
    for col, width in zip("ABCD", (16, 50, 40, 10), strict=True):
        assets.column_dimensions[col].width = width
    print_setup(assets, landscape=False, title_rows="1:1")
    fit_row_heights(assets)

    legend = wb.create_sheet(sheet.legend_title)
    _header(legend, 1, sheet.legend_header)
    for i, (title, meaning) in enumerate(sheet.legend, start=2):
        _body(legend, i, (title, meaning))
    row = len(sheet.legend) + 3
    legend.cell(row=row, column=1, value=_text(sheet.example_title)).font = Font(bold=True)
    legend.cell(row=row + 1, column=1, value=_text(sheet.example)).alignment = Alignment(wrap_text=True,
                                                                                              vertical="top")
    legend.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=2)
    legend.column_dimensions["A"].width = 22
    legend.column_dimensions["B"].width = 70
    fit_row_heights(legend)
    example_lines = sum(max(1, math.ceil(text_width(line) / 90)) for line in sheet.example.split("\n"))
    legend.row_dimensions[row + 1].height = min(example_lines * LINE_POINTS + 4, MAX_ROW_POINTS)
    print_setup(legend, landscape=False, title_rows="1:1")
    wb.properties.title = sheet.title
    wb.properties.creator = "tebiki"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
