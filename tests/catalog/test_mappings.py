"""Mapping sets (MIC v5 → ISO/IEC 27001:2022 Annex A, → SECURITY ACTION): every reference resolves at load."""

from __future__ import annotations

import re

import pytest

from tebiki.catalog import CatalogError, get_catalog, load_catalog

from .test_loader import _edit

# Annex A of ISO/IEC 27001:2022 numbers its 93 controls 5.1–5.37, 6.1–6.8, 7.1–7.14 and 8.1–8.34.
ANNEX_A = {5: 37, 6: 8, 7: 14, 8: 34}


def mapping_set(set_id: str):
    return next(m for m in get_catalog().mapping_sets if m.id == set_id)


def test_every_mic_measure_has_an_iso_27001_mapping_with_a_rationale_in_both_languages():
    iso = mapping_set("mic-v5-iso27001-2022")
    assert sorted(m.measure for m in iso.mappings) == sorted(m.id for m in get_catalog().measures)
    assert all(m.rationale.ja and m.rationale.en for m in iso.mappings)


def test_iso_targets_are_annex_a_control_numbers():
    for target in mapping_set("mic-v5-iso27001-2022").targets:
        match = re.fullmatch(r"A\.([5-8])\.(\d{1,2})", target.ref)
        assert match, target.ref
        theme, number = int(match[1]), int(match[2])
        assert 1 <= number <= ANNEX_A[theme], target.ref


def test_security_action_has_the_five_one_star_points_and_the_two_star_steps():
    sa = mapping_set("mic-v5-security-action")
    assert [t.ref for t in sa.targets if t.group == "star-1"] == [f"star-1-{n}" for n in range(1, 6)]
    assert {t.ref for t in sa.targets if t.group == "star-2"} == {"star-2-self-check", "star-2-policy"}
    covered = {link.target for m in sa.mappings for link in m.targets}
    assert covered >= {f"star-1-{n}" for n in range(1, 6)}  # every point has measures behind it


def test_a_mapping_to_a_measure_that_does_not_exist_fails_the_load(catalog_copy):
    path = catalog_copy / "mappings" / "iso27001-2022.yaml"
    _edit(path, lambda d: d["mapping_sets"][0]["mappings"][0].update(measure="mic-v5:admin:Z-9"))
    with pytest.raises(CatalogError, match=r"iso27001-2022\.yaml.*mic-v5:admin:Z-9"):
        load_catalog(catalog_copy)


def test_a_link_to_an_unlisted_target_fails_the_load(catalog_copy):
    path = catalog_copy / "mappings" / "security-action.yaml"
    _edit(path, lambda d: d["mapping_sets"][0]["mappings"][0]["targets"].append({"target": "star-3-1",
                                                                                   "relationship": "subset"}))
    with pytest.raises(CatalogError, match=r"security-action\.yaml.*star-3-1"):
        load_catalog(catalog_copy)
