"""`tebiki policy generate` and `tebiki policy parameters` through the CLI runner."""

import io
import json
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from tebiki.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def text_of(path: Path) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs)


def test_generate_writes_the_rulebook_with_the_chosen_values(tmp_path):
    choices = tmp_path / "choices.yaml"
    choices.write_text("effective_date: 2027-04-01\ninclude: {csaj-2018:5.1.5-2: true}\n"
                       "parameters: {min_password_length: 14}\n", encoding="utf-8")
    out, sheet = tmp_path / "policy.docx", tmp_path / "self-evaluation.xlsx"
    result = run("policy", "generate", "--profile", EXAMPLES / "manufacturer.yaml", "--choices", choices, "--out", out,
                 "--sheet", sheet, "--date", "2027-03-01", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["effective_date"] == "2027-04-01" and summary["changed_parameters"] == {"min_password_length": "14文字"}
    assert "csaj-2018:5.1.5-2" in summary["included"]
    text = text_of(out)
    assert "パスワードは14文字以上" in text and "この規程は、令和9年4月1日から施行する。" in text
    assert "令和9年3月1日制定" in text
    assert load_workbook(sheet).sheetnames == ["評価", "情報資産", "凡例"]


def test_generate_uses_the_decisions_of_an_assessment_file(tmp_path):
    state = tmp_path / "a.yaml"
    assert run("assess", "init", "--profile", EXAMPLES / "manufacturer.yaml", "-o", state).exit_code == 0
    result = run("assess", "set", state, "csaj-2018:5.1.9-2", "--status", "done", "--decision", "done", "--by", "me")
    assert result.exit_code == 0, result.output
    out = tmp_path / "policy.docx"
    assert run("policy", "generate", "--state", state, "--out", out).exit_code == 0
    assert "Microsoft LAPS" in text_of(out)


def test_a_bad_parameter_is_refused_with_its_name_and_nothing_is_written(tmp_path):
    choices = tmp_path / "choices.yaml"
    choices.write_text("parameters: {lockout_threshold: 1000}\n", encoding="utf-8")
    out = tmp_path / "policy.docx"
    result = run("policy", "generate", "-p", EXAMPLES / "manufacturer.yaml", "-c", choices, "-o", out)
    assert result.exit_code == 1
    assert "parameters.lockout_threshold" in result.output and "between 3 and 100" in result.output
    assert not out.exists()


def test_generate_needs_a_profile_or_a_state(tmp_path):
    result = run("policy", "generate", "--out", tmp_path / "p.docx")
    assert result.exit_code == 2 and not (tmp_path / "p.docx").exists()


def test_parameters_lists_what_may_be_set_with_the_csaj_defaults():
    result = run("policy", "parameters", "--format", "json")
    assert result.exit_code == 0
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["min_password_length"]["default"] == 12 and rows["min_password_length"]["min"] == 8
    assert rows["aes_key_length_bits"]["choices"] == [128, 192, 256]
    assert "rdp_default_port" not in rows
