"""The published JSON Schemas: current with the models, and they accept real files and refuse bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from typer.testing import CliRunner

from tebiki.catalog import get_catalog
from tebiki.cli import app
from tebiki.documents.schemas import MODELS, json_schema

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_published_schema_is_current(name):
    published = json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert published == json_schema(name), f"docs/schemas/{name}.schema.json is stale: tebiki catalog schema {name}"


def test_the_cli_prints_the_same_schema():
    result = runner.invoke(app, ["catalog", "schema", "profile"])
    assert result.exit_code == 0 and json.loads(result.stdout) == json_schema("profile")
    assert runner.invoke(app, ["catalog", "schema", "policy"]).exit_code == 2


def test_the_catalog_export_is_valid_against_its_schema():
    validator = jsonschema_rs.validator_for(json_schema("catalog"))
    export = json.loads(json.dumps(get_catalog().to_export()))
    assert validator.is_valid(export)
    export["measures"][0]["level"] = "essential"
    assert not validator.is_valid(export)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_profile_is_valid_against_the_profile_schema(path):
    validator = jsonschema_rs.validator_for(json_schema("profile"))
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert validator.is_valid(profile), list(validator.iter_errors(profile))[:3]
    assert not validator.is_valid({**profile, "departments": []})  # at least one department
    assert not validator.is_valid({**profile, "colour": "blue"})  # no unknown keys


def test_an_assessment_written_by_the_cli_is_valid_against_its_schema(tmp_path):
    out = tmp_path / "a.yaml"
    profile = str(ROOT / "examples" / "manufacturer.yaml")
    assert runner.invoke(app, ["assess", "init", "-p", profile, "-o", str(out)]).exit_code == 0
    assert runner.invoke(app, ["assess", "set", str(out), "mic-v5:admin:A-1", "--status", "done"]).exit_code == 0
    data = json.loads(json.dumps(yaml.safe_load(out.read_text(encoding="utf-8")), default=str))
    validator = jsonschema_rs.validator_for(json_schema("assessment"))
    assert validator.is_valid(data), list(validator.iter_errors(data))[:3]


def test_a_profile_as_tebiki_writes_it_is_valid_too():
    from tebiki.core.profile import parse_profile

    validator = jsonschema_rs.validator_for(json_schema("profile"))
    raw = yaml.safe_load((ROOT / "examples" / "manufacturer.yaml").read_text(encoding="utf-8"))
    written = json.loads(json.dumps(parse_profile(raw).model_dump(mode="json")))
    assert any("equipment" in d for d in written["departments"])
    assert validator.is_valid(written), list(validator.iter_errors(written))[:3]
    for d in written["departments"]:
        d.pop("equipment")
        d.pop("terminals", None)
    assert not validator.is_valid(written)  # neither equipment nor the version-1 pair
