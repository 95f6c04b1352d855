"""The generated 情報セキュリティ基本方針: what it pledges, the DOCX it becomes, and that it prints on A4."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from typer.testing import CliRunner

from tebiki.catalog import get_catalog
from tebiki.cli import app
from tebiki.core.assessment import new_assessment, record
from tebiki.core.basic_policy import build_basic_policy
from tebiki.core.policy import parse_choices
from tebiki.documents.basic_policy import render_basic_policy
from tebiki.documents.files import load_profile

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
J1 = "事故が起きたときの手順をあらかじめ用意させ"
E1 = "扱う情報を大切さの度合いで分け"


@pytest.fixture(scope="module")
def assessment():
    a = new_assessment(load_profile(EXAMPLES / "manufacturer.yaml"))
    a = record(a, "mic-v5:executive:J-1", "organisation", "me", NOW, decision="will_do", deadline=dt.date(2027, 3, 31),
               owner="社長")
    return record(a, "mic-v5:executive:E-1", "organisation", "me", NOW, decision="not_needed", reason="情報は一種類")


@pytest.fixture(scope="module")
def policy(assessment):
    catalog = get_catalog()
    return build_basic_policy(catalog, assessment, parse_choices(catalog, {"parameters": {"min_password_length": 14}}),
                              TODAY)


def test_the_commitments_follow_the_executive_decisions(policy):
    text = policy.text()
    assert "mic-v5:executive:E-1" not in policy.commitments and E1 not in text  # decided not needed
    assert policy.commitments == ("mic-v5:executive:A-1", "mic-v5:executive:A-2", "mic-v5:executive:J-1",
                                  "mic-v5:executive:M-1")
    assert f"{J1}" in text and "（令和9年3月31日までに実施します）" in text  # the planned one with its date


def test_the_policy_names_the_organisation_its_scope_and_the_chosen_values(policy):
    text = policy.text()
    assert text.count("山田精機株式会社") >= 3 and "令和8年12月1日" in text
    assert "テレワークで働く37名" in text and "設計部（15名）: リモートデスクトップ方式" in text
    assert "パスワードは14文字以上" in text  # the policy page's parameter, not the CSAJ default 12
    assert "年に1回以上" in text  # the review cycle


def test_an_outsourced_administrator_is_named_as_such():
    catalog = get_catalog()
    profile = load_profile(EXAMPLES / "manufacturer.yaml").model_copy(update={"admin": "outsourced"})
    text = build_basic_policy(catalog, new_assessment(profile), parse_choices(catalog, {}), TODAY).text()
    assert "運用を任せている事業者と協力して" in text


def test_the_docx_opens_and_holds_the_name_and_the_commitments(policy):
    doc = Document(io.BytesIO(render_basic_policy(policy, NOW)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "情報セキュリティ基本方針" in text and "山田精機株式会社" in text and J1 in text and E1 not in text
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    props = doc.core_properties
    assert props.title == "情報セキュリティ基本方針" and props.author == "山田精機株式会社"
    assert props.created == NOW and props.language == "ja-JP"
    assert "python-docx" not in f"{props.comments} {props.author} {props.last_modified_by}"


def test_libreoffice_prints_it_on_a4(policy, tmp_path):
    (tmp_path / "basic.docx").write_bytes(render_basic_policy(policy, NOW))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), "basic.docx"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=240)
    pdf = PdfReader(tmp_path / "basic.pdf")
    assert 1 <= len(pdf.pages) <= 3
    assert all(abs(float(p.mediabox.width) - 595) <= 1 and abs(float(p.mediabox.height) - 842) <= 1 for p in pdf.pages)
    assert "山田精機株式会社" in "".join(p.extract_text() for p in pdf.pages)


def test_the_cli_writes_a_file_that_can_be_handed_out(tmp_path):
    out = tmp_path / "basic.docx"
    result = CliRunner().invoke(app, ["policy", "basic", "-p", str(EXAMPLES / "manufacturer.yaml"), "-o", str(out),
                                      "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "5 commitments" in result.output
    assert out.stat().st_mode & 0o777 == 0o644
    assert "山田精機株式会社" in "\n".join(p.text for p in Document(out).paragraphs)
    assert CliRunner().invoke(app, ["policy", "basic", "-o", str(out)]).exit_code == 2  # neither profile nor state
