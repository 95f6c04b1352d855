"""The generated DOCX and xlsx, re-opened with python-docx and openpyxl: chosen items and values are in, others out."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tebiki.catalog import get_catalog
from tebiki.core.assessment import new_assessment, record
from tebiki.core.policy import parse_choices
from tebiki.core.rulebook import build_document
from tebiki.core.self_evaluation import self_evaluation
from tebiki.documents.files import load_profile
from tebiki.documents.policy_files import render_docx, render_xlsx

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


@pytest.fixture
def assessment():
    a = new_assessment(load_profile(EXAMPLES / "manufacturer.yaml"))
    a = record(a, "csaj-2018:6.1.1-1", "organisation", "me", NOW, status="not_done", decision="will_do",
               deadline=dt.date(2027, 3, 31), owner="=cmd|' /C calc'!A0")
    return record(a, "csaj-2018:5.1.1-1", "organisation", "me", NOW, status="done", decision="done")


def docx_text(body: bytes) -> tuple[str, list[list[list[str]]], Document]:
    doc = Document(io.BytesIO(body))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables, doc


def test_the_docx_holds_the_chosen_values_and_items_and_not_the_others(catalog, assessment):
    choices = parse_choices(catalog, {"include": {"csaj-2018:5.1.5-2": True, "csaj-2018:rule-9.3.4-1": False},
                                      "parameters": {"min_password_length": 15, "lockout_threshold": 6,
                                                     "min_log_retention_years": 2}})
    text, tables, _ = docx_text(render_docx(build_document(catalog, assessment, choices, TODAY)))
    assert text.splitlines()[0] == "在宅勤務・テレワーク セキュリティ規程"
    assert "山田精機株式会社" in text and "令和8年12月1日制定" in text
    assert "（目的）" in text and "第1条　この規程は、山田精機株式会社" in text
    assert "パスワードは15文字以上" in text and "ログオンに6回失敗" in text and "2年以上保存" in text
    assert "完全スキャンを自動でスケジュール" in text  # the chosen should item 5.1.5-2
    assert "ローカルAdministratorのパスワードをすべて一意にする" not in text  # 5.1.9-2 was not chosen
    assert "（USB メモリの使用禁止と使用条件）" not in text  # rule 9.3.4 left out
    assert "附　則" in text and "この規程は、令和8年12月1日から施行する。" in text
    assert "令和9年3月31日まで" in text  # the planned item in the transitional provision
    params, mapping = tables
    assert params[0] == ["項目", "本規程の値", "CSAJの値", "条項"]
    assert params[[r[0] for r in params].index("パスワードの最小文字数")][:3] == ["パスワードの最小文字数", "15文字", "12文字"]
    items = {row[1].split(" ")[0] for row in mapping[1:]}
    assert {"5.1.5-1", "5.1.5-2", "6.1.2-1", "rule-9.1-1"} <= items
    assert "5.1.9-2" not in items and "rule-9.3.4-1" not in items


def test_the_docx_names_japanese_fonts_for_east_asian_text(catalog, assessment):
    _, _, doc = docx_text(render_docx(build_document(catalog, assessment, parse_choices(catalog, {}), TODAY)))
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("游明朝", "游ゴシック"), name
        assert fonts.get(qn("w:asciiTheme")) is None
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_the_xlsx_holds_the_evaluation_per_policy(catalog, assessment):
    choices = parse_choices(catalog, {
        "impacts": {"csaj-2018:6.1.1-1": {"confidentiality": "serious", "integrity": "serious",
                                          "availability": "severe", "accountability": "serious",
                                          "current_state": "=1+1 SMB1.0 の NAS を使用中"}},
        "assets": {"top_secret": {"assets": ["DB の認証情報", "@SUM(A1)"], "encrypt": True}},
        "parameters": {"min_password_length": 14}})
    wb = load_workbook(io.BytesIO(render_xlsx(self_evaluation(catalog, assessment, choices, TODAY))))
    assert wb.sheetnames == ["評価", "情報資産", "凡例"]
    ws = wb["評価"]
    header = [c.value for c in ws[3]]
    assert header[:4] == ["No", "CSAJ 項目", "分類", "対策項目"]
    assert header[-6:] == ["機密性", "完全性", "可用性", "否認防止・責任追跡性", "実施判定", "担当"]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert len(rows) == len(catalog.policies)
    ad = rows["6.1.1-1"]
    assert (ad["機密性"], ad["可用性"], ad["実施判定"]) == ("重大", "極めて重大", "する（令和9年3月31日まで）")
    assert ad["現状"] == "'=1+1 SMB1.0 の NAS を使用中" and ad["担当"].startswith("'=cmd")  # not formulas
    assert rows["5.1.1-1"]["実施判定"] == "実施済み"
    assert "14文字以上" in rows["6.1.2-1"]["対策詳細"]
    assets = {r[0]: r for r in wb["情報資産"].iter_rows(min_row=2, values_only=True)}
    assert assets["極秘"][2] == "DB の認証情報、@SUM(A1)" and assets["極秘"][3] == "要"
    validations = ws.data_validations.dataValidation
    assert validations and validations[0].formula1 == '"極めて重大,重大,軽微"'


def test_a_cell_that_starts_like_a_formula_is_stored_as_text(catalog, assessment):
    choices = parse_choices(catalog, {"assets": {"internal": {"assets": ["=HYPERLINK(\"http://x\")"]}}})
    wb = load_workbook(io.BytesIO(render_xlsx(self_evaluation(catalog, assessment, choices, TODAY))))
    cells = [c.value for row in wb["情報資産"].iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(isinstance(v, str) and v.startswith("=") for v in cells)


def test_a_value_that_differs_from_csaj_is_bold_in_the_table(catalog, assessment):
    choices = parse_choices(catalog, {"parameters": {"min_password_length": 15}})
    _, _, doc = docx_text(render_docx(build_document(catalog, assessment, choices, TODAY)))
    rows = {row.cells[0].text: row.cells[1] for row in doc.tables[0].rows[1:]}
    assert rows["パスワードの最小文字数"].paragraphs[0].runs[0].bold
    assert not rows["ロックアウト期間"].paragraphs[0].runs[0].bold
