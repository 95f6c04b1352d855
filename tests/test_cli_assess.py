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
    assert "Top priority" in result.stdout.replace("\n│   │ ", " ").replace("│ ", "") or "Top" in result.stdout
    assert "mic-v5:case-01" in result.stdout


def test_plan_table_follows_the_action_order_and_says_what_was_left_out(assessment):
    run("assess", "set", assessment, "mic-v5:admin:C-2", "--scope", "admin", "--decision", "will_do",
        "--deadline", "2026-01-31", "--owner", "佐藤")
    plan = json.loads(run("assess", "plan", assessment, "--format", "json", "--as-of", "2026-03-01").stdout)
    order = [a["item"].removeprefix("mic-v5:") for a in plan["actions_grouped"]]
    assert [a["rank"] for a in plan["actions_grouped"]] == list(range(1, len(order) + 1))
    table = run("assess", "plan", assessment, "--limit", "5", "--as-of", "2026-03-01").stdout.split("トラブル事例への露出")[0]
    positions = [table.index(f" {item} ") for item in order[:5]]
    assert positions == sorted(positions)
    assert order[5] not in table
    assert f"5 / {len(order)} 件を表示（残り {len(order) - 5} 件は --limit で）、期限切れ 1 件" in table


def test_plan_table_at_80_columns_keeps_the_titles(assessment):
    # CliRunner's console is 80 columns wide; a title may wrap but is never cut short
    table = run("assess", "plan", assessment, "--limit", "3", "--lang", "en").stdout.split("Exposure to")[0]
    assert "…" not in table
    plan = json.loads(run("assess", "plan", assessment, "--format", "json").stdout)
    first = plan["actions_grouped"][0]["title"]["en"]
    cells = " ".join(line.split("│")[3].strip() for line in table.splitlines() if line.count("│") >= 6)
    assert first in cells


def test_set_refuses_done_on_a_row_that_does_not_apply(assessment):
    before = assessment.read_text(encoding="utf-8")
    # disk encryption does not apply to the designers on remote desktop: their data stays in the office
    for args in (["--status", "done"], ["--decision", "will_do", "--deadline", "2026-12-31", "--owner", "a"]):
        result = run("assess", "set", assessment, "mic-v5:admin:E-7", "--scope", "design", *args)
        assert result.exit_code == 1 and "does not apply here" in result.output, result.output
    assert assessment.read_text(encoding="utf-8") == before
    ok = run("assess", "set", assessment, "mic-v5:admin:E-7", "--scope", "design", "--status", "na",
             "--reason", "remote desktop only")
    assert ok.exit_code == 0, ok.output


def test_changing_the_profile_keeps_answers_and_lists_those_that_no_longer_apply(assessment, tmp_path):
    assert run("assess", "set", assessment, "mic-v5:admin:E-4", "--status", "done").exit_code == 0  # USB rules
    assert run("assess", "set", assessment, "mic-v5:executive:A-1", "--status", "done").exit_code == 0
    changed = tmp_path / "p.yaml"
    data = yaml.safe_load((EXAMPLES / "manufacturer.yaml").read_text(encoding="utf-8"))
    data["external_media"] = False
    data["departments"] = [d for d in data["departments"] if d["id"] != "sales"]
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("assess", "profile", assessment, "--profile", changed)
    assert result.exit_code == 0, result.output
    assert "no longer applies: mic-v5:admin:E-4 / organisation" in result.output
    stored = yaml.safe_load(assessment.read_text(encoding="utf-8"))
    assert {(i["item"], i["status"]) for i in stored["items"]} >= {("mic-v5:admin:E-4", "done"),
                                                                 ("mic-v5:executive:A-1", "done")}
    assert [d["id"] for d in stored["profile"]["departments"]] == ["admin", "design"]


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
    assert wb.sheetnames == ["概要 Summary", "経営者 Executive", "管理者 Admin", "勤務者 Worker", "行動計画 Action plan"]
    executive = wb["経営者 Executive"]
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


def test_diagnose_without_a_fitting_method_says_what_to_do(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("office_systems: false\ncloud_tools: false\noffline: false\n", encoding="utf-8")
    result = run("diagnose", "--answers", answers, "--lang", "en")
    assert result.exit_code == 1 and "start from the cloud service method" in result.output.replace("\n", " ")
    unsure = tmp_path / "unsure.yaml"
    unsure.write_text("office_systems: true\nfull_desktop: true\n", encoding="utf-8")
    data = json.loads(run("diagnose", "--answers", unsure, "--format", "json").stdout)
    vpn = next(o for o in data["open"] if o["method"] == "vpn")
    assert vpn["questions"] == [{"id": "data_on_terminal", "answer": True}] and data["advice"] is None
