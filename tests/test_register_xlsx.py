"""register.xlsx is written in openpyxl's write-only mode with named styles and still prints like the other
workbooks: A4, one page wide, the header row styled, frozen, filtered and repeated on every page."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from tebiki.documents.report import devices_xlsx

CHECKS = [{"id": "firewall", "title": {"ja": "ファイアウォール", "en": "Firewall"}},
          {"id": "disk_encryption", "title": {"ja": "ディスクの暗号化", "en": "Disk encryption"}}]
FLEET = {"firewall": {"pass": 2, "fail": 1, "unknown": 0, "devices": 3},
         "disk_encryption": {"pass": 3, "fail": 0, "unknown": 0, "devices": 3}}


def devices(n: int):
    for i in range(n):  # a generator: the workbook reads each device once
        yield {"hostname": f"PC-{i:03d}" if i else "=cmd|' /C calc'!A0", "owner": "山田", "ownership": "会社",
               "os": "Windows 11", "first_seen": "2026-11-01 09:00", "last_seen": "2026-11-30 09:00",
               "latest": {"firewall": "fail" if i == 1 else "pass"}}


def test_the_register_streams_its_rows_with_named_styles_and_prints_on_a4():
    wb = load_workbook(io.BytesIO(devices_xlsx("テスト商事", CHECKS, devices(3), FLEET, dt.date(2026, 12, 1), count=3)))
    assert wb.sheetnames == ["概要 Summary", "端末 Devices"]
    assert {"tebiki header", "tebiki cell"} <= set(wb.named_styles)
    ws = wb["端末 Devices"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("端末", "担当者", "所有", "OS", "初回受信", "最終受信", "ファイアウォール", "ディスクの暗号化")
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "PC-001", "PC-002"]  # a formula is kept as text
    assert rows[2][6:] == ("要対応", "–")
    assert ws["A1"].style == "tebiki header" and ws["A1"].font.bold and ws["B3"].style == "tebiki cell"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H4"
    assert ws.print_title_rows.replace("$", "") == "1:1"
    for sheet in wb:
        assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    summary = {r[0]: r[1:] for r in wb["概要 Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["端末 Devices"][0] == 3 and summary["ファイアウォール firewall"] == (2, 1, 0, 3)
