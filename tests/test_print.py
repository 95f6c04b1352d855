"""Documents people print: report.xlsx, the CSAJ self-evaluation sheet, the rulebook (DOCX) and the HTML/PDF report.

Each is converted to PDF the way a user's office suite prints it — LibreOffice headless for the xlsx and DOCX,
Chromium for the HTML report — and the PDF is checked for A4 pages and a sensible page count.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from tebiki.catalog import get_catalog
from tebiki.cli import app
from tebiki.core.assessment import new_assessment, record
from tebiki.core.policy import parse_choices
from tebiki.core.rulebook import build_document
from tebiki.core.self_evaluation import self_evaluation
from tebiki.core.vocabulary import ROLE_SHORT
from tebiki.documents.files import load_profile, write_atomic
from tebiki.documents.policy_files import render_docx, render_xlsx
from tebiki.documents.report import html_report, xlsx_report

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
A4 = (595, 842)


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


@pytest.fixture(scope="module")
def assessment():
    a = new_assessment(load_profile(EXAMPLES / "manufacturer.yaml"))
    return record(a, "csaj-2018:6.1.1-1", "organisation", "me", NOW, status="not_done", decision="will_do",
                  deadline=dt.date(2027, 3, 31), owner="山田")


@pytest.fixture(scope="module")
def printed(catalog, assessment, tmp_path_factory) -> dict[str, PdfReader]:
    """The three office files, printed to PDF by LibreOffice headless with a profile of its own."""
    folder = tmp_path_factory.mktemp("print")
    choices = parse_choices(catalog, {})
    files = {"report.xlsx": xlsx_report(catalog, assessment, TODAY),
             "self-evaluation.xlsx": render_xlsx(self_evaluation(catalog, assessment, choices, TODAY)),
             "policy.docx": render_docx(build_document(catalog, assessment, choices, TODAY))}
    for name, body in files.items():
        (folder / name).write_bytes(body)
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *files], cwd=folder, check=True,
                   capture_output=True, timeout=240)
    return {name: PdfReader(folder / (Path(name).stem + ".pdf")) for name in files}


def page_sizes(pdf: PdfReader) -> Counter:
    return Counter(tuple(sorted((round(float(p.mediabox.width)), round(float(p.mediabox.height))))) for p in pdf.pages)


@pytest.mark.parametrize("name, pages", [("report.xlsx", range(8, 40)), ("self-evaluation.xlsx", range(4, 25)),
                                         ("policy.docx", range(5, 20))])
def test_each_office_file_prints_on_a4_pages_only(printed, name, pages):
    pdf = printed[name]
    sizes = page_sizes(pdf)
    assert all(abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1 for w, h in sizes), f"{name}: {sizes}"
    assert len(pdf.pages) in pages, f"{name}: {len(pdf.pages)} pages"


def test_a_wide_sheet_prints_one_page_wide_with_its_header_on_every_page(printed):
    pdf = printed["self-evaluation.xlsx"]
    evaluation = [p for p in pdf.pages if float(p.mediabox.width) > float(p.mediabox.height)]
    assert len(evaluation) >= 3  # the 17 columns print across landscape pages, never split sideways
    for page in evaluation:
        assert "CSAJ 項目" in page.extract_text()  # the repeated header row


def test_the_rulebook_tables_repeat_their_header_row(printed):
    texts = [p.extract_text() for p in printed["policy.docx"].pages]
    mapping = [t for t in texts if "CSAJ の項目" in t]
    assert len(mapping) >= 2  # 別表2 spans pages and shows its header on each


def test_workbooks_set_a4_fit_to_width_titles_and_row_heights(catalog, assessment):
    for body, title_rows in ((xlsx_report(catalog, assessment, TODAY), {"1:1"}),
                             (render_xlsx(self_evaluation(catalog, assessment, parse_choices(catalog, {}), TODAY)),
                              {"1:1", "3:3"})):
        wb = load_workbook(io.BytesIO(body))
        assert wb.properties.creator == "tebiki"
        for ws in wb:
            setup = ws.page_setup
            assert int(setup.paperSize) == 9 and setup.fitToWidth == 1 and setup.fitToHeight == 0
            assert ws.sheet_properties.pageSetUpPr.fitToPage
        tables = [ws for ws in wb if ws.print_title_rows]
        assert tables and {ws.print_title_rows.replace("$", "") for ws in tables} <= title_rows
        wrapped = [ws.row_dimensions[r].height for ws in tables for r in range(2, ws.max_row + 1)]
        assert max(h or 0 for h in wrapped) > 30  # long text gets a row tall enough to read


def test_no_text_cell_carries_a_formula_guard_it_does_not_need(catalog, assessment):
    wb = load_workbook(io.BytesIO(xlsx_report(catalog, assessment, TODAY)))
    guarded = [c.value for ws in wb for row in ws.iter_rows() for c in row
               if isinstance(c.value, str) and c.value.startswith("'")]
    assert guarded == []
    applies = {row[5] for row in wb["管理者 Admin"].iter_rows(min_row=2, values_only=True)}
    assert applies == {"○", "×"}


def test_the_html_report_prints_whole_words_japanese_roles_and_each_reason_once(catalog, assessment):
    html = html_report(catalog, assessment, TODAY)
    assert html.count("<thead>") == 3
    assert re.search(r'<td class="nw[^"]*">(最優先|優先|計画的に実施|余力で実施|任意)</td>', html)
    assert re.search(r'<td class="nw">(未確認|未対応|一部対応|対応済み)</td>', html)
    for role in ROLE_SHORT.labels("ja").values():
        assert f'<td class="nw">{role}</td>' in html
    assert not re.search(r"<td[^>]*>(executive|admin|worker)</td>", html)
    reason = "適用: テレワークを行うすべての組織が対象"
    number = re.search(r"<li>※(\d+) " + reason + "</li>", html).group(1)
    assert html.count(f"{reason}<") == 1 and html.count(f"※{number}</td>") > 10  # listed once, pointed to often
    listed = re.findall(r"<li>※\d+ ([^<]+)</li>", html)
    assert len(listed) == len(set(listed))


def test_the_pdf_report_is_a4_with_the_header_on_each_page(catalog, assessment, settings):
    from tebiki.web.reports.views import html_to_pdf

    pdf = PdfReader(io.BytesIO(html_to_pdf(html_report(catalog, assessment, TODAY))))
    assert set(page_sizes(pdf)) == {A4} and 5 <= len(pdf.pages) <= 30
    # Noto CJK maps some ideographs to Kangxi radicals in the PDF's text layer; NFKC folds them back.
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in pdf.pages]
    plan_pages = [t for t in texts if re.search(r"未確認 ※\d", t)]  # pages with rows of the action plan
    assert len(plan_pages) >= 3 and all("優先度" in t and "期限" in t and "理由" in t for t in plan_pages)


def test_the_rulebook_says_who_made_it_and_when(catalog, assessment):
    doc = Document(io.BytesIO(render_docx(build_document(catalog, assessment, parse_choices(catalog, {}), TODAY),
                                          now=NOW)))
    props = doc.core_properties
    assert props.author == "山田精機株式会社" and props.last_modified_by == "tebiki"
    assert props.created.replace(tzinfo=dt.UTC) == NOW == props.modified.replace(tzinfo=dt.UTC)
    assert "python-docx" not in f"{props.comments} {props.author} {props.last_modified_by}"
    for table in doc.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None


def test_generated_files_can_be_handed_out(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.xlsx", b"x")
        result = CliRunner().invoke(app, ["policy", "generate", "-p", str(EXAMPLES / "manufacturer.yaml"),
                                          "-o", str(tmp_path / "policy.docx"), "--sheet", str(tmp_path / "s.xlsx")])
        assert result.exit_code == 0, result.output
        for name in ("report.xlsx", "policy.docx", "s.xlsx"):
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
        private = tmp_path / "mine.yaml"
        private.write_text("a")
        private.chmod(0o600)
        write_atomic(private, "b")  # a file the user keeps private stays private
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    finally:
        os.umask(old)
