"""Method diagnosis: several methods at once, reasons, comparison, first-edition mapping."""

import pytest

from tebiki.catalog import get_catalog
from tebiki.core.diagnose import compare, diagnose, legacy_methods, parse_answers, questionnaire
from tebiki.core.errors import DataError

catalog = get_catalog()
NO = {q.id: False for q in questionnaire().questions}


def methods(**answers):
    return [c.method for c in diagnose({**NO, **answers})]


def test_office_work_with_data_on_the_terminal_is_vpn():
    assert methods(office_systems=True, full_desktop=True, data_on_terminal=True) == ["vpn"]


def test_office_work_without_local_data_offers_remote_desktop_and_vdi():
    got = methods(office_systems=True, full_desktop=True, office_pc=True, vdi_budget=True)
    assert got == ["remote_desktop", "vdi"]


def test_limited_browser_work_is_secure_browser_and_apps_are_secure_container():
    assert methods(office_systems=True, specific_apps=True, browser_only=True) == ["secure_browser"]
    assert methods(office_systems=True, specific_apps=True) == ["secure_container"]


def test_several_methods_at_once_are_kept():
    got = methods(office_systems=True, full_desktop=True, data_on_terminal=True, cloud_tools=True, offline=True)
    assert got == ["vpn", "cloud_service", "standalone"]


def test_every_candidate_has_a_reason_in_both_languages():
    for cand in diagnose({**NO, "cloud_tools": True, "offline": True}):
        assert cand.reason["ja"] and cand.reason["en"]


def test_unanswered_questions_are_unknown_not_no():
    assert [c.method for c in diagnose({"cloud_tools": True})] == ["cloud_service"]
    assert diagnose({"office_systems": True, "full_desktop": True}) == []


def test_comparison_uses_the_guideline_ratings():
    row = compare(catalog, ["vdi"])[0]
    assert row["ratings"]["security_control_ease"] == "S" and row["ratings"]["introduction_cost"] == "C"


def test_first_edition_types_map_to_v5_methods():
    assert legacy_methods(catalog, "company", "cloud") == ["cloud_service"]
    assert "vpn" in legacy_methods(catalog, "byod", "vpn_remote_desktop")
    assert legacy_methods(catalog, "company", "local") == ["standalone"]


def test_bad_answers_are_rejected_with_the_question_named():
    with pytest.raises(DataError, match="nonsense: unknown question"):
        parse_answers({"nonsense": True})
    with pytest.raises(DataError, match="offline: expected true or false"):
        parse_answers({"offline": "yes"})
