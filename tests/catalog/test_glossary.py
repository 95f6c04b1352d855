"""The guideline's glossary (用語集) and the columns that explain a term: a catalog kind, validated on load."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tebiki.catalog import CatalogError, get_catalog
from tebiki.catalog.loader import load_catalog
from tebiki.cli import app
from tests.catalog.test_loader import _edit

GLOSSARY = ("mic-v5", "glossary.yaml")


def test_the_glossary_has_the_guidelines_terms_and_columns_in_both_languages():
    entries = {e.id: e for e in get_catalog().glossary}
    terms = [e for e in entries.values() if e.kind == "term"]
    assert len(terms) == 20  # the 用語集 of p.108 lists twenty
    spelled = {w: e for e in entries.values() for w in e.matches}
    for word in ("BYOD", "MDM", "多要素認証", "定義ファイル", "ローカルブレイクアウト", "VPN", "ランサムウェア"):
        assert spelled[word].kind == "term", word
    columns = {e.id: e.ref.page for e in entries.values() if e.kind == "column"}
    assert columns == {"mic-v5:column:ppap": 80, "mic-v5:column:browser-passwords": 82,
                       "mic-v5:column:password-management": 83, "mic-v5:column:ransomware-kinds": 97}
    assert entries["mic-v5:term:edr"].ref.page == 77  # the glossary sends EDR to its column
    assert all(e.term.ja and e.term.en and e.explanation.ja and e.explanation.en for e in entries.values())


@pytest.mark.parametrize("change,where", [
    (lambda d: d["glossary"][1]["explanation"].update(en=""), "glossary.yaml: mic-v5:term:edr.explanation.en"),
    (lambda d: d["glossary"][2].update(kind="column"), "glossary.yaml: mic-v5:term:isac."),
    (lambda d: d["glossary"][3].update(id="MDM"), "glossary.yaml: MDM.id"),
    (lambda d: d["glossary"][4].update(colour="red"), "glossary.yaml: mic-v5:term:vdi.colour"),
    (lambda d: d["glossary"][5]["ref"].update(page=999), "glossary.yaml: mic-v5:term:vpn.ref.page"),
    (lambda d: d["glossary"][5].update(matches=[]), "glossary.yaml: mic-v5:term:vpn.matches"),
])
def test_a_bad_entry_is_refused_naming_file_entry_and_field(catalog_copy, change, where):
    _edit(catalog_copy.joinpath(*GLOSSARY), change)
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    assert where in str(err.value)


def test_a_spelling_that_two_entries_claim_is_refused(catalog_copy):
    _edit(catalog_copy.joinpath(*GLOSSARY), lambda d: d["glossary"][3]["matches"].append("VPN"))
    with pytest.raises(CatalogError, match=r"glossary.yaml: mic-v5:term:vpn.matches: 'VPN' is already a spelling of "
                                           r"mic-v5:term:mdm"):
        load_catalog(catalog_copy)


def test_a_missing_entry_breaks_the_declared_count(catalog_copy):
    _edit(catalog_copy.joinpath(*GLOSSARY), lambda d: d["glossary"].pop())
    with pytest.raises(CatalogError, match=r"mic-v5.counts.glossary: the source declares 24"):
        load_catalog(catalog_copy)


def test_catalog_validate_reports_the_glossary():
    result = CliRunner().invoke(app, ["catalog", "validate"])
    assert result.exit_code == 0 and "24 glossary terms" in " ".join(result.stdout.split())
