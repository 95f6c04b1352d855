"""`tebiki catalog …` through Typer's CliRunner: output and exit status."""

import json

import yaml
from typer.testing import CliRunner

from tebiki.catalog import load_export
from tebiki.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_list_filters_by_role_category_and_level():
    result = run("catalog", "list", "--role", "admin", "--category", "C", "--format", "json")
    assert result.exit_code == 0
    ids = [m["id"] for m in json.loads(result.stdout)]
    assert ids == ["mic-v5:admin:C-1", "mic-v5:admin:C-2", "mic-v5:admin:C-3", "mic-v5:admin:C-4"]
    advanced = json.loads(run("catalog", "list", "--role", "worker", "--level", "advanced", "-f", "json").stdout)
    assert [m["id"] for m in advanced] == ["mic-v5:worker:A-3"]


def test_list_by_method_drops_measures_that_cannot_apply():
    everything = json.loads(run("catalog", "list", "-f", "json").stdout)
    cloud = json.loads(run("catalog", "list", "--method", "cloud_service", "-f", "json").stdout)
    vpn = json.loads(run("catalog", "list", "--method", "vpn", "-f", "json").stdout)
    cloud_ids = {m["id"] for m in cloud}
    assert len(cloud) < len(everything)
    assert "mic-v5:admin:C-2" not in cloud_ids  # VPN appliances do not concern a cloud-only method
    assert "mic-v5:admin:C-2" in {m["id"] for m in vpn}
    assert "mic-v5:executive:A-1" in cloud_ids


def test_list_shows_a_table_in_the_chosen_language():
    ja = run("catalog", "list", "--role", "executive")
    en = run("catalog", "list", "--role", "executive", "--lang", "en")
    assert ja.exit_code == en.exit_code == 0
    assert "経営者" in ja.stdout or "ガバナンス" in ja.stdout
    assert "Governance" in en.stdout


def test_list_rejects_an_unknown_category():
    result = runner.invoke(app, ["catalog", "list", "--category", "Z"])
    assert result.exit_code == 2
    assert "A–M" in result.output


def test_show_a_measure_names_its_trouble_cases():
    result = run("catalog", "show", "mic-v5:admin:C-2", "--lang", "en")
    assert result.exit_code == 0
    assert "mic-v5:case-01" in result.stdout
    data = json.loads(run("catalog", "show", "mic-v5:admin:C-2", "-f", "json").stdout)
    assert data["trouble_cases"] == ["mic-v5:case-01"]
    assert data["level"] == "basic" and data["ref"]["page"] == 57


def test_show_a_trouble_case_and_a_policy():
    case = run("catalog", "show", "mic-v5:case-12")
    assert case.exit_code == 0 and "mic-v5:worker:H-3" in case.stdout
    policy = json.loads(run("catalog", "show", "csaj-2018:6.1.2-1", "-f", "json").stdout)
    assert policy["level"] == "shall" and policy["section"] == "6.1.2"


def test_show_an_unknown_id_fails_with_a_message():
    result = runner.invoke(app, ["catalog", "show", "mic-v5:admin:Z-9"])
    assert result.exit_code == 1
    assert "unknown ID" in result.output


def test_export_json_is_the_public_contract():
    result = run("catalog", "export", "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema"] == "tebiki-catalog/1"
    measure = next(m for m in data["measures"] if m["id"] == "mic-v5:admin:C-2")
    assert {k: measure[k] for k in ("source", "role", "category", "number", "level")} == {
        "source": "mic-v5", "role": "admin", "category": "C", "number": 2, "level": "basic"}
    assert set(measure["title"]) == {"ja", "en"} and isinstance(measure["ref"]["page"], int)
    assert {m["id"] for m in data["methods"]} == {
        "vpn", "remote_desktop", "vdi", "secure_container", "secure_browser", "cloud_service", "standalone"}
    assert set(data["methods"][0]["ratings"]["office_reproducibility"]) >= {"grade"}
    assert [c["id"] for c in data["trouble_cases"]][:2] == ["mic-v5:case-01", "mic-v5:case-02"]
    policy = data["policies"][0]
    assert policy["id"] == "csaj-2018:5.1.1-1" and policy["source"] == "csaj-2018" and policy["level"] == "shall"
    assert data["categories"] and data["sources"]
    assert load_export(data).to_export() == data


def test_export_yaml_matches_export_json():
    as_yaml = yaml.safe_load(run("catalog", "export", "--format", "yaml").stdout)
    as_json = json.loads(run("catalog", "export").stdout)
    assert as_yaml == as_json


def test_validate_reports_ok_and_fails_on_a_broken_folder(tmp_path):
    assert "ok: 98 measures" in run("catalog", "validate").stdout
    (tmp_path / "mic-v5").mkdir()
    (tmp_path / "mic-v5" / "bad.yaml").write_text("measures: nope\n", encoding="utf-8")
    result = runner.invoke(app, ["catalog", "validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output


def test_methods_and_cases_tables_render():
    methods = run("catalog", "methods", "--lang", "en")
    assert methods.exit_code == 0 and "vdi" in methods.stdout
    cases = run("catalog", "cases")
    assert cases.exit_code == 0 and "case-15" in cases.stdout
    policies = run("catalog", "policies", "--section", "6.1", "--level", "should")
    assert policies.exit_code == 0 and "6.1.4-2" in policies.stdout
