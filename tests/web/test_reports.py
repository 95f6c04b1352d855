from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
from django.urls import reverse
from pypdf import PdfReader

from tebiki.web.assessments.service import save_item


def test_the_xlsx_report_opens_and_holds_the_recorded_state(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation", {"status": "done", "decision": "done"}, cast.admin)
    r = cast.client(cast.viewer).get(reverse("report_xlsx", args=[cast.org.id]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 4
    values = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert "テスト商事" in values


def test_the_csv_neutralises_formulas_and_opens_in_excel(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation",
              {"status": "not_done", "decision": "will_do", "owner": "=HYPERLINK(\"x\")", "deadline": dt.date(2027, 1, 1)},
              cast.admin)
    r = cast.client(cast.admin).get(reverse("report_csv", args=[cast.org.id]))
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    owner = next(row for row in rows if row[0] == "mic-v5:admin:A-1")[11]
    assert owner == "'=HYPERLINK(\"x\")"


def test_the_html_report_is_printable_and_escapes_text(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation",
              {"status": "not_done", "decision": "not_needed", "reason": "<img src=x onerror=alert(1)>"}, cast.admin)
    r = cast.client(cast.admin).get(reverse("report_html", args=[cast.org.id]))
    page = r.content.decode()
    assert "@media print" in page or "@page" in page
    assert "<img src=x" not in page
    assert "script-src 'self'" in r["Content-Security-Policy"]


def test_the_pdf_report_renders_japanese(cast):
    r = cast.client(cast.admin).get(reverse("report_pdf", args=[cast.org.id]))
    assert r.status_code == 200, r.content[:200]
    assert r.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 1
    assert "テスト商事" in text


def test_an_outsider_cannot_download_reports(cast):
    c = cast.client(cast.outsider)
    for name in ("report_xlsx", "report_csv", "report_html", "report_pdf"):
        assert c.get(reverse(name, args=[cast.org.id])).status_code == 404
