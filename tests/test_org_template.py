"""Organisation templates: what they carry and leave out, the plan they start, and the files they refuse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from typer.testing import CliRunner

from tebiki.catalog import get_catalog
from tebiki.cli import app
from tebiki.core.assessment import new_assessment, record
from tebiki.core.errors import DataError
from tebiki.core.plan import build_rows
from tebiki.documents.files import load_assessment, load_profile
from tebiki.documents.org_template import parse_template, start_from, template_of
from tebiki.documents.schemas import json_schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0)
runner = CliRunner()
POLICY = {"include": {"csaj-2018:5.1.2-3": True}, "parameters": {"min_password_length": 14}}


def source():
    """A manufacturer with a status, decisions, a person as owner, an override and evidence recorded."""
    a = new_assessment(load_profile(EXAMPLES / "manufacturer.yaml"))
    a = record(a, "mic-v5:admin:A-1", "organisation", "tanaka", NOW, status="partly", decision="will_do",
               deadline=dt.date(2027, 1, 30), owner="佐藤 花子", evidence=[{"note": "議事録 2026-11"}])
    a = record(a, "mic-v5:admin:C-2", "admin", "tanaka", NOW, status="done", decision="done")
    a = record(a, "mic-v5:worker:C-1", "sales", "tanaka", NOW, decision="not_needed", reason="端末は貸与しない")
    a = record(a, "mic-v5:admin:D-4", "admin", "tanaka", NOW, decision="will_do", deadline=dt.date(2027, 3, 1),
               owner="管理者", importance="high", override_reason="取引先の要請")
    a = record(a, "mic-v5:admin:I-5", "admin", "tanaka", NOW, status="na", reason="個人情報を扱わない")
    return a


def test_a_template_keeps_choices_and_leaves_out_statuses_people_and_evidence():
    tpl = template_of(get_catalog(), source(), POLICY, "製造業向け", TODAY)
    text = json.dumps(tpl.dump(), ensure_ascii=False)
    assert "佐藤" not in text and "議事録" not in text and "tanaka" not in text and "山田精機" not in text
    assert "partly" not in text and '"done"' not in text and "個人情報を扱わない" not in text  # statuses and their notes
    by_item = {c.item: c for c in tpl.choices}
    assert set(by_item) == {"mic-v5:admin:A-1", "mic-v5:worker:C-1", "mic-v5:admin:D-4"}
    assert by_item["mic-v5:admin:A-1"].owner_role == "admin"  # a person's name becomes the measure's role
    assert by_item["mic-v5:admin:A-1"].due_in_days == 60
    assert by_item["mic-v5:admin:D-4"].owner_role == "admin"  # 管理者 names a role and is kept as one
    assert by_item["mic-v5:admin:D-4"].importance == "high"
    assert by_item["mic-v5:worker:C-1"].reason == "端末は貸与しない"
    assert tpl.policy.parameters == {"min_password_length": 14}
    assert tpl.profile.name == "製造業向け"


def _comparable(rows):
    return [(r.item, r.scope, r.applies, r.priority, r.decision, r.deadline, r.note) for r in rows]


def test_the_new_organisation_has_the_source_plan_minus_its_statuses():
    catalog, src = get_catalog(), source()
    tpl = parse_template(catalog, json.loads(json.dumps(template_of(catalog, src, POLICY, "製造業向け", TODAY).dump())))
    new, policy = start_from(tpl, "東西工業", TODAY)
    old_rows, new_rows = build_rows(catalog, src), build_rows(catalog, new)
    status_bound = {("mic-v5:admin:C-2", "admin"), ("mic-v5:admin:I-5", "admin")}  # done / na: statuses, not choices
    assert len(new_rows) == len(old_rows)
    assert _comparable([r for r in new_rows if (r.item, r.scope) not in status_bound]) \
        == _comparable([r for r in old_rows if (r.item, r.scope) not in status_bound])
    assert [(r.decision, r.note) for r in new_rows if (r.item, r.scope) in status_bound] == [(None, None)] * 2
    assert {r.status for r in new_rows if r.applies} == {"unchecked"}
    assert new.profile.name == "東西工業" and new.history == []
    assert {s.owner for s in new.items if s.owner} == {"システム・セキュリティ管理者"}
    assert policy == POLICY


def _bad(path: str, value):
    """The template of source() with one value changed; *path* as DataError names fields (a.0.b)."""
    data = json.loads(json.dumps(template_of(get_catalog(), source(), POLICY, "t", TODAY).dump()))
    parts = path.split(".", 2) if path.startswith("policy.") else path.split(".")
    *parents, last = parts
    node = data
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(("path", "value", "field"), [
    ("choices.0.item", "mic-v5:admin:Z-9", "choices.0.item"),
    ("choices.0.scope", "nowhere", "choices.0.scope"),
    ("choices.1.decision", "done", "choices.1.decision"),
    ("policy.parameters.min_password_length", 3, "policy.parameters.min_password_length"),
    ("policy.include.csaj-2018:5.1.2-3", "yes", "policy.include.csaj-2018:5.1.2-3"),
    ("policy.include.csaj-2018:9.9.9", True, "policy.include.csaj-2018:9.9.9"),
    ("schema", "tebiki-org-template/9", "schema"),
    ("profile.size", 0, "profile.size"),
    ("colour", "blue", "colour"),
])
def test_a_bad_template_is_refused_naming_the_field(path, value, field):
    with pytest.raises(DataError) as err:
        parse_template(get_catalog(), _bad(path, value), "t.json")
    assert err.value.field == field


def test_a_decision_for_a_measure_that_does_not_apply_is_refused():
    data = _bad("choices.0.scope", "organisation")
    data["choices"].append({"item": "mic-v5:admin:I-5", "scope": "design", "decision": "will_do",
                            "owner_role": "admin", "due_in_days": 10})
    with pytest.raises(DataError, match="does not apply") as err:
        parse_template(get_catalog(), data, "t.json")
    assert err.value.field.endswith(".decision")


def test_the_template_is_valid_against_its_published_schema():
    validator = jsonschema_rs.validator_for(json_schema("template"))
    data = json.loads(json.dumps(template_of(get_catalog(), source(), POLICY, "t", TODAY).dump()))
    assert validator.is_valid(data), list(validator.iter_errors(data))[:3]
    data["choices"][0]["status"] = "done"
    assert not validator.is_valid(data)


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_the_cli_exports_and_imports_a_template(tmp_path):
    state, choices = tmp_path / "a.yaml", tmp_path / "choices.yaml"
    assert run("assess", "init", "-p", EXAMPLES / "manufacturer.yaml", "-o", state).exit_code == 0
    assert run("assess", "set", state, "mic-v5:worker:C-1", "--scope", "sales", "--decision", "not_needed",
               "--reason", "端末は貸与しない").exit_code == 0
    choices.write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    out = tmp_path / "t.json"
    result = run("assess", "template", "export", state, "--choices", choices, "--label", "製造業", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o644
    new, new_choices = tmp_path / "b.yaml", tmp_path / "b-choices.yaml"
    result = run("assess", "template", "import", out, "--name", "東西工業", "-o", new, "--choices-out", new_choices)
    assert result.exit_code == 0, result.output
    assessment = load_assessment(new)
    assert assessment.profile.name == "東西工業"
    assert [(s.item, s.scope, s.decision) for s in assessment.items] == [("mic-v5:worker:C-1", "sales", "not_needed")]
    assert yaml.safe_load(new_choices.read_text(encoding="utf-8")) == POLICY


def test_the_cli_refuses_a_bad_template_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_bad("choices.0.item", "mic-v5:admin:Z-9")), encoding="utf-8")
    result = run("assess", "template", "import", bad, "--name", "x", "-o", tmp_path / "b.yaml")
    assert result.exit_code == 1
    assert "choices.0.item" in result.output and "mic-v5:admin:Z-9" in result.output
    assert not (tmp_path / "b.yaml").exists()
