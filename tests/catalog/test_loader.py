"""The loader: export round trip, canonical files, and errors that name file, entry and field."""

import json

import pytest
import yaml

from tebiki.catalog import CatalogError, load_catalog, load_export
from tebiki.catalog.loader import catalog_files, dump_yaml


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dump_yaml(data), encoding="utf-8")


def test_export_round_trips_through_the_loader():
    catalog = load_catalog()
    exported = json.dumps(catalog.to_export(), ensure_ascii=False)
    again = load_export(exported)
    assert again.to_export() == catalog.to_export()
    assert json.loads(exported)["schema"] == "tebiki-catalog/1"


def test_every_catalog_file_is_in_canonical_form():
    for path in catalog_files():
        text = path.read_text(encoding="utf-8")
        assert dump_yaml(yaml.safe_load(text)) == text, f"{path} is not canonical: re-dump it with dump_yaml"


def test_a_wrong_level_names_the_file_entry_and_field(catalog_copy):
    path = catalog_copy / "mic-v5" / "measures-admin-a-e.yaml"
    _edit(path, lambda d: d["measures"][1].update(level="expert"))
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    msg = str(err.value)
    assert "measures-admin-a-e.yaml" in msg and "mic-v5:admin:A-2" in msg and "level" in msg


def test_an_unknown_measure_in_a_trouble_case_is_an_error(catalog_copy):
    path = catalog_copy / "mic-v5" / "trouble_cases.yaml"
    _edit(path, lambda d: d["trouble_cases"][0]["measures"].append("mic-v5:admin:C-99"))
    with pytest.raises(CatalogError, match=r"trouble_cases.yaml: mic-v5:case-01.measures: unknown measure 'mic-v5:admin:C-99'"):
        load_catalog(catalog_copy)


def test_a_missing_translation_is_an_error(catalog_copy):
    path = catalog_copy / "mic-v5" / "measures-worker.yaml"
    _edit(path, lambda d: d["measures"][0]["title"].update(en=""))
    with pytest.raises(CatalogError, match=r"measures-worker.yaml: mic-v5:worker:A-1.title.en"):
        load_catalog(catalog_copy)


def test_a_removed_entry_breaks_the_declared_counts(catalog_copy):
    path = catalog_copy / "csaj-2018" / "policies-6-8.yaml"
    _edit(path, lambda d: d["policies"].pop())
    with pytest.raises(CatalogError, match=r"csaj-2018.counts.policies"):
        load_catalog(catalog_copy)


def test_an_unknown_condition_fact_is_an_error(catalog_copy):
    path = catalog_copy / "mic-v5" / "measures-executive.yaml"
    _edit(path, lambda d: d["measures"][0].update(applies_when={"colour": "blue"}))
    with pytest.raises(CatalogError, match=r"mic-v5:executive:A-1.applies_when.*unknown fact 'colour'"):
        load_catalog(catalog_copy)


def test_an_extra_field_is_an_error(catalog_copy):
    path = catalog_copy / "mic-v5" / "trouble_cases.yaml"
    _edit(path, lambda d: d["trouble_cases"][2].update(severity="high"))
    with pytest.raises(CatalogError, match=r"mic-v5:case-03.severity"):
        load_catalog(catalog_copy)


def test_broken_yaml_names_the_file_and_line(catalog_copy):
    path = catalog_copy / "ssk-2020" / "risks.yaml"
    path.write_text("risk_types:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"risks.yaml: line \d+: not valid YAML"):
        load_catalog(catalog_copy)


def test_a_duplicate_id_is_an_error(catalog_copy):
    path = catalog_copy / "mic-v5" / "measures-worker.yaml"
    _edit(path, lambda d: d["measures"].append(d["measures"][0]))
    with pytest.raises(CatalogError, match=r"mic-v5:worker:A-1.id: duplicate ID"):
        load_catalog(catalog_copy)


def test_an_export_with_another_schema_is_refused():
    with pytest.raises(CatalogError, match="schema"):
        load_export({"schema": "something-else/9"})
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_export("{nope")
