"""Every export neutralises spreadsheet formulas in every cell, whichever field the text came from."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from tebiki.web.assessments.service import refresh_summary, save_item
from tebiki.web.orgs.models import Invitation, Role

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {"org": "@SUM(1+1)*cmd|' /C calc'!A0", "owner": "=HYPERLINK(\"http://evil.example\",\"x\")",
           "reason": "+1+cmd|' /C calc'!A0", "note": "-2+3+cmd", "email": "=1+1@evil.example"}


@pytest.fixture
def hostile(cast):
    org = cast.org
    org.name = HOSTILE["org"]
    org.profile = {**org.profile, "name": HOSTILE["org"]}
    org.save()
    refresh_summary(org)
    save_item(org, "mic-v5:admin:A-1", "organisation", {"status": "not_done", "decision": "will_do",
              "owner": HOSTILE["owner"], "deadline": dt.date(2027, 1, 1), "reason": HOSTILE["note"]}, cast.admin)
    save_item(org, "mic-v5:admin:A-2", "organisation", {"status": "not_done", "decision": "not_needed",
              "reason": HOSTILE["reason"]}, cast.admin)
    c = cast.client(cast.admin)
    assert c.post(reverse("members", args=[org.id]), {"email": HOSTILE["email"], "role": Role.WORKER}).status_code == 200
    assert Invitation.objects.filter(email=HOSTILE["email"]).exists()
    return c


def assert_safe(cells: list, where: str) -> None:
    texts = [v for v in cells if isinstance(v, str)]
    bad = [v for v in texts if v.startswith(FORMULA_START)]
    assert not bad, f"{where}: cells a spreadsheet would run: {bad[:5]}"
    for value in HOSTILE.values():
        # the hostile text is there, defused, wherever it was exported
        assert not any(t == value for t in texts), f"{where}: {value!r} exported as is"


def csv_cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))) for cell in row]


def test_the_items_csv_is_safe(cast, hostile):
    cells = csv_cells(hostile.get(reverse("report_csv", args=[cast.org.id])).content)
    assert "'" + HOSTILE["owner"] in cells and "'" + HOSTILE["reason"] in cells
    assert_safe(cells, "items.csv")


def test_the_audit_csv_is_safe(cast, hostile):
    cells = csv_cells(hostile.get(reverse("audit_csv", args=[cast.org.id])).content)
    assert "'" + HOSTILE["email"] in cells
    assert_safe(cells, "audit.csv")


def test_the_xlsx_report_is_safe_and_holds_no_formulas(cast, hostile):
    wb = openpyxl.load_workbook(io.BytesIO(hostile.get(reverse("report_xlsx", args=[cast.org.id])).content))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [c.value for c in cells]
    assert "'" + HOSTILE["org"] in values and "'" + HOSTILE["owner"] in values
    assert_safe(values, "report.xlsx")
