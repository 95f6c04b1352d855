"""Every content file beside the catalog is a kind read by the one loader, with the catalog's one error type."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tebiki.catalog import CatalogError, content, get_catalog

CORE = Path(__file__).resolve().parents[2] / "src" / "tebiki" / "core"


def test_every_yaml_under_core_data_is_a_declared_kind_and_valid():
    counts = content.validate_all(get_catalog())
    declared = {k.file for k in content.KINDS.values()}
    assert declared == {p.name for p in (CORE / "data").glob("*.yaml")}
    assert counts["training"] >= 3 and counts["worker_guide"] >= 20


def test_no_private_copy_of_the_strict_model_or_raw_yaml_read_remains_in_core():
    for path in CORE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "class _Strict" not in text, path.name
        if path.name != "errors.py":  # read_yaml parses the user's own files (profiles, assessments, answers)
            assert "yaml.safe_load(" not in text, path.name


@pytest.mark.parametrize("name,path,value,message", [
    ("incident_situations", ("situations", 0, "measures"), ["mic-v5:admin:Z-9"], "unknown measure 'mic-v5:admin:Z-9'"),
    ("training", ("modules", 0, "measures"), ["mic-v5:worker:Z-9"], "unknown measures reference"),
    ("worker_guide", ("guide", 0, "item"), "mic-v5:worker:Z-9", "mic-v5:worker:Z-9.item: not a worker-side"),
    ("diagnosis", ("rules", 0, "when"), {"no_such_question": True}, "unknown question 'no_such_question'"),
])
def test_a_dangling_reference_is_a_catalog_error_naming_file_entry_and_field(name, path, value, message):
    kind = content.KINDS[name]
    data = yaml.safe_load(kind.path.read_text(encoding="utf-8"))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(CatalogError, match=message) as err:
        content.load(kind, get_catalog(), yaml.safe_dump(data, allow_unicode=True), origin=kind.file)
    assert str(err.value).startswith(f"{kind.file}: ")


def test_broken_yaml_and_misspelt_fields_are_named():
    kind = content.KINDS["training"]
    with pytest.raises(CatalogError, match=r"training.yaml: line \d+: not valid YAML"):
        content.load(kind, get_catalog(), "modules: [\n", origin="training.yaml")
    with pytest.raises(CatalogError, match=r"training.yaml: modules.m1.colour: unknown field"):
        content.load(kind, get_catalog(), "modules:\n- id: m1\n  colour: red\n", origin="training.yaml")


def test_every_yaml_under_src_but_the_demo_is_read_by_tebiki_catalog_validate(monkeypatch):
    """`tebiki catalog validate` reads (and so validates) every YAML file the package ships, except the demo
    organisation, which is sample data loaded by `manage.py demo`. A file added anywhere else under src/ fails here
    until the loader reads it."""
    from typer.testing import CliRunner

    from tebiki.cli import app

    src = CORE.parents[1]
    shipped = {p.resolve() for p in src.rglob("*.y*ml")} - {(src / "tebiki" / "web" / "orgs" / "demo.yaml").resolve()}
    read, real_read_text = set(), Path.read_text

    def recording_read_text(self, *args, **kwargs):
        read.add(self.resolve())
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", recording_read_text)
    result = CliRunner().invoke(app, ["catalog", "validate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(shipped) >= 30
    assert sorted(str(p.relative_to(src)) for p in shipped - read) == []
