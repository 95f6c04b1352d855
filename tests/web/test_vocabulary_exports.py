"""No raw code in a Japanese export: the files a Japanese user of the demo downloads, read back as a person sees them.

The same check as tests/web/test_vocabulary_pages.py (vocabulary codes, backticks, English msgids the Japanese
catalogue translates), over the text of the real files: every cell of the xlsx workbooks (report, device register,
CSAJ self-evaluation), every paragraph, table cell, header and footer and the properties of the DOCX rulebook, the
printable HTML report and contact card, the PDFs printed from them, and the items CSV. The machine formats (OSCAL
JSON, the CISO Assistant library, the audit CSV whose rows are verified against the hash chain) keep their codes.
"""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from .conftest import signed_in
from .test_vocabulary_pages import demo, problems_in, untranslated_msgids, visible_text  # noqa: F401  (demo: fixture)


def xlsx_text(body: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(body))
    out = [ws.title for ws in wb]
    for ws in wb:
        out += [str(c.value) for row in ws.iter_rows() for c in row if c.value not in (None, "")]
        for part in (ws.oddHeader, ws.oddFooter):
            out += [t for t in (part.left.text, part.center.text, part.right.text) if t]
    return out


def docx_text(body: bytes) -> list[str]:
    d = docx.Document(io.BytesIO(body))
    props = d.core_properties
    out = [t for t in (props.title, props.subject, props.author, props.keywords, props.comments) if t]
    out += [p.text for p in d.paragraphs if p.text.strip()]
    out += [cell.text for table in d.tables for row in table.rows for cell in row.cells if cell.text.strip()]
    for section in d.sections:
        out += [p.text for part in (section.header, section.footer) for p in part.paragraphs if p.text.strip()]
    return out


def pdf_text(body: bytes) -> list[str]:
    return [line for page in PdfReader(io.BytesIO(body)).pages for line in page.extract_text().splitlines()
            if line.strip()]


def csv_text(body: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff")))
    return [cell for row in rows for cell in row if cell]


def html_text(body: bytes) -> list[str]:
    return visible_text(body.decode("utf-8"))


EXPORTS = {  # URL name: how its file is read
    "report_xlsx": xlsx_text,
    "devices_xlsx": xlsx_text,
    "policy_xlsx": xlsx_text,
    "policy_docx": docx_text,
    "report_html": html_text,
    "contact_card": html_text,
    "report_csv": csv_text,
    "report_pdf": pdf_text,
    "contact_card_pdf": pdf_text,
}


@pytest.fixture(scope="module")
def msgids():
    return untranslated_msgids()


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_japanese_export_of_the_demo_shows_a_code_or_english(demo, msgids, name):  # noqa: F811
    org, admin = demo
    response = signed_in(admin).get(reverse(name, args=[org.id]), HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200, response.content[:200]
    texts = EXPORTS[name](response.content)
    assert len(texts) >= 10 and any("情報漏えい" in t or "サンプル商事" in t for t in texts), texts[:20]
    assert problems_in(texts, msgids)[:10] == []


def test_the_export_readers_see_codes_in_cells_paragraphs_and_properties():
    wb = openpyxl.Workbook()
    wb.active["B3"] = "状態: not_done"
    buf = io.BytesIO()
    wb.save(buf)
    assert problems_in(xlsx_text(buf.getvalue()), []) == ["code 'not_done' in '状態: not_done'"]
    d = docx.Document()
    d.core_properties.author = "python-docx"
    d.add_table(rows=1, cols=1).rows[0].cells[0].text = "役割: executive"
    buf = io.BytesIO()
    d.save(buf)
    found = problems_in(docx_text(buf.getvalue()), ["python-docx"])
    assert "English 'python-docx'" in found and "code 'executive' in '役割: executive'" in found
    assert problems_in(csv_text("\ufeff項目,will_do\n".encode()), []) == ["code 'will_do' in 'will_do'"]
