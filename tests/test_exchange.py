"""Exchange formats: OSCAL catalogs and assessment-results read back with compliance-trestle's models, and the
CISO Assistant framework library checked for the structure its loader needs. All through the CLI."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
import yaml
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog as OscalCatalog
from typer.testing import CliRunner

from tebiki.catalog import get_catalog
from tebiki.cli import app
from tebiki.documents import oscal

runner = CliRunner()
EXAMPLE = "examples/manufacturer.yaml"


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def tebiki_ids(groups) -> list[str]:
    return [next(p["value"] for p in c["props"] if p["name"] == "tebiki-id") for c in oscal.iter_controls(groups)]


@pytest.fixture(scope="module")
def mic_oscal():
    result = run("catalog", "export", "--format", "oscal", "--source", "mic-v5")
    assert result.exit_code == 0
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ciso_library():
    result = run("catalog", "export", "--format", "ciso-assistant")
    assert result.exit_code == 0
    return yaml.safe_load(result.stdout)


def test_the_mic_catalog_is_valid_oscal_with_every_measure_once(mic_oscal):
    parsed = OscalCatalog.parse_obj(mic_oscal["catalog"])  # trestle refuses unknown fields and malformed tokens
    assert parsed.metadata.oscal_version.__root__.startswith("1.1")
    ids = tebiki_ids(mic_oscal["catalog"]["groups"])
    assert sorted(ids) == sorted(m.id for m in get_catalog().measures)
    assert len(ids) == 98 == len(set(ids))


def test_a_control_carries_role_category_level_page_and_both_languages(mic_oscal):
    control = next(c for c in oscal.iter_controls(mic_oscal["catalog"]["groups"]) if c["id"] == "mic-v5_admin_c-2")
    measure = next(m for m in get_catalog().measures if m.id == "mic-v5:admin:C-2")
    props = {p["name"]: p["value"] for p in control["props"]}
    expected = {"role": "admin", "category": "C", "level": measure.level, "page": str(measure.ref.page),
                "label": "C-2", "title-en": measure.title.en, "tebiki-id": measure.id}
    assert {k: props.get(k) for k in expected} == expected
    assert control["title"] == measure.title.ja
    statements = {p["props"][0]["value"]: p["prose"] for p in control["parts"] if p["name"] == "statement"}
    assert statements == {"ja": measure.summary.ja, "en": measure.summary.en}
    assert {p["name"] for p in control["parts"]} == {"statement", "guidance", "assessment-method"}
    iso = [(p["value"], p["class"]) for p in control["props"] if p["name"] == "mic-v5-iso27001-2022"]
    assert iso == [("A.8.8", "subset")]  # VPN patching is the perimeter part of vulnerability management


def test_mic_groups_are_roles_holding_categories(mic_oscal):
    groups = mic_oscal["catalog"]["groups"]
    assert [g["id"] for g in groups] == ["executive", "admin", "worker"]
    admin = groups[1]
    assert all(sub["class"] == "category" for sub in admin["groups"])
    assert "admin-c" in {sub["id"] for sub in admin["groups"]}


def test_the_csaj_catalog_holds_the_49_statements_with_their_parameters():
    result = run("catalog", "export", "-f", "oscal", "-s", "csaj-2018")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    OscalCatalog.parse_obj(doc["catalog"])
    ids = tebiki_ids(doc["catalog"]["groups"])
    assert sorted(ids) == sorted(p.id for p in get_catalog().policies) and len(ids) == 49
    levels = Counter(next(p["value"] for p in c["props"] if p["name"] == "level")
                     for c in oscal.iter_controls(doc["catalog"]["groups"]))
    assert levels == {"shall": 34, "should": 13, "may": 2}
    with_params = [c for c in oscal.iter_controls(doc["catalog"]["groups"]) if c.get("params")]
    policy = next(p for p in get_catalog().policies if p.parameters)
    control = next(c for c in with_params if c["id"] == oscal.control_id(policy.id))
    assert [prm["label"] for prm in control["params"]] == [p.label.ja for p in policy.parameters]


def test_exporting_twice_gives_the_same_identifiers(mic_oscal):
    again = json.loads(run("catalog", "export", "--format", "oscal").stdout)
    assert again["catalog"]["uuid"] == mic_oscal["catalog"]["uuid"]
    assert again["catalog"]["groups"] == mic_oscal["catalog"]["groups"]


def test_a_broken_oscal_document_is_refused_by_the_reader(mic_oscal):
    broken = copy.deepcopy(mic_oscal)
    next(oscal.iter_controls(broken["catalog"]["groups"]))["id"] = "not a token"
    with pytest.raises(ValueError):
        OscalCatalog.parse_obj(broken["catalog"])


def test_an_unknown_source_is_a_usage_error():
    result = runner.invoke(app, ["catalog", "export", "--format", "oscal", "--source", "iso-27001"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["catalog", "export", "--format", "ciso-assistant", "--source", "csaj-2018"])
    assert result.exit_code == 2
    assert "mic-v5" in result.stderr


def test_the_ciso_assistant_library_has_unique_urns_and_existing_parents(ciso_library):
    assert ciso_library["locale"] == "ja" and ciso_library["translations"]["en"]["name"]
    assert ciso_library["urn"].startswith("urn:") and ciso_library["urn"] == ciso_library["urn"].lower()
    framework = ciso_library["objects"]["framework"]
    nodes = framework["requirement_nodes"]
    urns = [n["urn"] for n in nodes]
    assert len(urns) == len(set(urns))
    by_urn = {n["urn"]: n for n in nodes}
    for n in nodes:
        if n["depth"] == 1:
            assert "parent_urn" not in n
        else:
            parent = by_urn[n["parent_urn"]]  # parents exist …
            assert parent["depth"] == n["depth"] - 1
            assert urns.index(parent["urn"]) < urns.index(n["urn"])  # … and come before their children
        assert n["translations"]["en"]["name"]


def test_the_library_has_98_assessable_measures_in_role_and_level_groups(ciso_library):
    framework = ciso_library["objects"]["framework"]
    assessable = [n for n in framework["requirement_nodes"] if n["assessable"]]
    assert len(assessable) == 98
    defined = {g["ref_id"] for g in framework["implementation_groups_definition"]}
    assert defined == {"executive", "admin", "worker", "basic", "advanced"}
    assert all(set(n["implementation_groups"]) <= defined and len(n["implementation_groups"]) == 2 for n in assessable)
    levels = Counter(n["implementation_groups"][1] for n in assessable)
    assert levels == {"basic": 78, "advanced": 20}
    c2 = next(n for n in assessable if n["urn"].endswith(":admin:c-2"))
    assert c2["ref_id"] == "C-2" and "mic-v5:admin:C-2" in c2["annotation"]


@pytest.fixture()
def assessment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import shutil
    from pathlib import Path
    shutil.copy(Path(__file__).resolve().parents[1] / EXAMPLE, "profile.yaml")
    assert run("assess", "init", "-p", "profile.yaml", "-o", "a.yaml").exit_code == 0
    assert run("assess", "set", "a.yaml", "mic-v5:admin:C-2", "--scope", "sales", "--status", "done").exit_code == 0
    return tmp_path / "a.yaml"


def test_assessment_results_are_valid_oscal_with_a_finding_per_applicable_row(assessment):
    result = run("assess", "export", str(assessment), "--format", "oscal", "--as-of", "2026-12-01")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    parsed = AssessmentResults.parse_obj(doc["assessment-results"])
    findings = parsed.results[0].findings
    plan = json.loads(run("assess", "plan", str(assessment), "-f", "json", "--as-of", "2026-12-01").stdout)
    assert len(findings) == plan["counts"]["applicable"]
    assert len(parsed.results[0].observations) == len(findings)
    states = {(next(p.value for p in f.props if p.name == "tebiki-id"), next(p.value for p in f.props if p.name == "scope")):
              f.target.status.state.value for f in findings}
    assert states[("mic-v5:admin:C-2", "sales")] == "satisfied"
    assert Counter(states.values())["satisfied"] == 1
    remarks = doc["assessment-results"]["results"][0].get("remarks", "")
    assert all(item in remarks for item in {r["item"] for r in plan["not_applicable"]} - {k[0] for k in states})


def test_assessment_export_refuses_a_bad_date_and_a_missing_file(assessment):
    assert runner.invoke(app, ["assess", "export", str(assessment), "--as-of", "2026-13-01"]).exit_code == 2
    missing = runner.invoke(app, ["assess", "export", "missing.yaml"])
    assert missing.exit_code == 1 and "missing.yaml" in missing.stderr
