"""Method diagnosis: several methods at once, reasons, comparison, first-edition mapping."""

import pytest

from tebiki.catalog import get_catalog
from tebiki.core.diagnose import (
    compare,
    diagnose,
    diagnose_departments,
    diagnosis,
    legacy_methods,
    parse_answers,
    questionnaire,
)
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


def test_not_sure_answers_say_which_answer_would_decide():
    result = diagnosis({"office_systems": True, "full_desktop": True})  # data on the terminal: not sure
    assert result.candidates == [] and result.advice is None
    vpn = next(o for o in result.open if o.method == "vpn")
    assert vpn.questions == (("data_on_terminal", True),) and vpn.decides_alone
    rd = next(o for o in result.open if o.method == "remote_desktop")
    assert set(rd.questions) == {("data_on_terminal", False), ("office_pc", True)} and not rd.decides_alone
    # a method ruled out by an answer is not listed as open
    assert "secure_browser" not in {o.method for o in result.open}


def test_nothing_fits_comes_with_what_to_do():
    result = diagnosis({**NO})
    assert result.candidates == [] and result.open == []
    assert "クラウドサービス方式" in result.advice["ja"] and "cloud service" in result.advice["en"]
    assert diagnosis({**NO, "cloud_tools": True}).advice is None


def test_byod_is_asked_and_flags_methods_rated_for_company_terminals():
    assert "byod" in {q.id for q in questionnaire().questions}
    both = diagnose_departments({"sales": {**NO, "cloud_tools": True, "byod": True},
                                 "design": {**NO, "office_systems": True, "full_desktop": True, "office_pc": True,
                                            "byod": True}})
    assert set(both["sales"].notes) == {"cloud_service"}  # chapter 4 note 17 (p.27): rated for company terminals
    assert both["design"].notes == {}  # remote desktop is rated for both
    assert both["sales"].equipment == [{"kind": "pc", "owner": "private"}, {"kind": "mobile", "owner": "private"}]
    assert diagnosis({**NO, "cloud_tools": True}).equipment == [{"kind": "pc", "owner": "company"}]
