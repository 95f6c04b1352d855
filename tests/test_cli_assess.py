"""The offline assessment workflow through the CLI: init, set, plan, snapshot, compare, report, diagnose."""

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from tebiki.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def assessment(tmp_path):
    path = tmp_path / "a.yaml"
    result = run("assess", "init", "--profile", EXAMPLES / "manufacturer.yaml", "-o", path)
    assert result.exit_code == 0, result.output
    return path


def test_init_refuses_to_overwrite(assessment):
    before = assessment.read_text(encoding="utf-8")
    result = run("assess", "init", "--profile", EXAMPLES / "manufacturer.yaml", "-o", assessment)
    assert result.exit_code == 1 and "exists" in result.output
    assert assessment.read_text(encoding="utf-8") == before


def test_set_records_a_decision_and_plan_reflects_it(assessment):
    result = run("assess", "set", assessment, "mic-v5:admin:C-2", "--scope", "admin", "--status", "not_done",
                 "--decision", "will_do", "--deadline", "2026-12-31", "--owner", "佐藤", "--by", "tanaka")
    assert result.exit_code == 0, result.output
    plan = json.loads(run("assess", "plan", assessment, "--format", "json", "--as-of", "2027-01-15").stdout)
    row = next(a for a in plan["actions"] if a["item"] == "mic-v5:admin:C-2" and a["scope"] == "admin")
    assert row["owner"] == "佐藤" and row["deadline"] == "2026-12-31" and row["overdue"] is True
    assert plan["counts"]["overdue"] >= 1
    policies = {p["item"]: p for p in plan["policies"]}
    assert len(policies) == 49
    assert policies["csaj-2018:6.1.2-1"]["applies"] is True  # the manufacturer runs Active Directory
    assert policies["csaj-2018:6.1.2-1"]["reason"]["ja"].startswith("適用")
    stored = yaml.safe_load(assessment.read_text(encoding="utf-8"))
    assert stored["history"][-1]["changed_by"] == "tanaka"


def test_invalid_set_is_rejected_and_the_file_is_unchanged(assessment):
    before = assessment.read_text(encoding="utf-8")
    cases = [
        ["mic-v5:admin:C-2", "--scope", "admin", "--decision", "will_do"],          # no deadline/owner
        ["mic-v5:admin:C-2", "--scope", "nowhere", "--status", "done"],            # unknown scope
        ["mic-v5:admin:C-2", "--status", "done"],                                  # per-department item, no scope
        ["mic-v5:admin:Z-9", "--status", "done"],                                  # unknown item
        ["mic-v5:executive:A-1", "--status", "finished"],                          # bad status
        ["mic-v5:executive:A-1", "--decision", "not_needed"],                      # no reason
        ["mic-v5:executive:A-1", "--deadline", "next week", "--decision", "will_do", "--owner", "a"],
    ]
    for args in cases:
        result = run("assess", "set", assessment, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "error" in result.output
    assert assessment.read_text(encoding="utf-8") == before


def test_plan_table_shows_priorities_and_exposure(assessment):
    result = run("assess", "plan", assessment, "--lang", "en")
    assert result.exit_code == 0
    assert "Top priority" in result.stdout or "最優先" in result.stdout or "Priority" in result.stdout
    assert "mic-v5:case-01" in result.stdout


def test_snapshot_then_compare(assessment):
    assert run("assess", "set", assessment, "mic-v5:executive:A-1", "--status", "done").exit_code == 0
    assert run("assess", "snapshot", assessment, "--label", "first").exit_code == 0
    assert run("assess", "set", assessment, "mic-v5:executive:A-1", "--status", "partly").exit_code == 0
    diff = json.loads(run("assess", "compare", assessment, "--format", "json").stdout)
    assert diff["regressed"] == ["mic-v5:executive:A-1|organisation"]


def test_report_xlsx_has_summary_role_sheets_and_action_plan(assessment, tmp_path):
    run("assess", "set", assessment, "mic-v5:executive:A-1", "--status", "na", "--reason", "=HYPERLINK(\"x\")")
    out = tmp_path / "r.xlsx"
    result = run("report", assessment, "--format", "xlsx", "-o", out, "--as-of", "2026-11-23")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["概要 Summary", "経営者 executive", "管理者 admin", "勤務者 worker", "行動計画 Action plan"]
    executive = wb["経営者 executive"]
    memo = [row[12] for row in executive.iter_rows(min_row=2, values_only=True) if row[0] == "mic-v5:executive:A-1"]
    assert memo == ["'=HYPERLINK(\"x\")"]
    assert wb["行動計画 Action plan"].max_row > 10


def test_report_html_escapes_and_json_parses(assessment, tmp_path):
    html = tmp_path / "r.html"
    assert run("report", assessment, "--format", "html", "-o", html).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert "山田精機株式会社" in text and "<script" not in text
    js = tmp_path / "r.json"
    assert run("report", assessment, "--format", "json", "-o", js).exit_code == 0
    assert json.loads(js.read_text(encoding="utf-8"))["schema"] == "tebiki-plan/1"


def test_diagnose_from_answers_file(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("office_systems: true\nfull_desktop: true\ndata_on_terminal: true\ncloud_tools: true\n",
                       encoding="utf-8")
    data = json.loads(run("diagnose", "--answers", answers, "--format", "json").stdout)
    assert [m["method"] for m in data["methods"]] == ["vpn", "cloud_service"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("offline: maybe\n", encoding="utf-8")
    result = run("diagnose", "--answers", bad)
    assert result.exit_code == 1 and "offline" in result.output
