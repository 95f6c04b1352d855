"""The action list: one action per measure, the departments it concerns, structured reasons (profile v2)."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from tebiki.catalog import get_catalog
from tebiki.core.assessment import change_profile, new_assessment, record
from tebiki.core.errors import DataError
from tebiki.core.plan import actions, build_rows, no_longer_applying, record_checked
from tebiki.core.profile import parse_profile
from tebiki.core.reasons import render
from tebiki.documents.files import load_profile

catalog = get_catalog()
ROOT = Path(__file__).resolve().parents[2]


def dept(id_, name, people, methods, equipment, **extra):
    return {"id": id_, "name": name, "people": people, "methods": methods, "work_forms": ["home"],
            "equipment": [{"kind": k, "owner": o} for k, o in equipment], **extra}


def org(*departments, **extra):
    return parse_profile({"name": "テスト製作所", "size": 50, "departments": list(departments), **extra})


def plan(profile):
    return actions(build_rows(catalog, new_assessment(profile)))


def test_version_1_terminals_and_devices_read_as_every_pairing():
    p = parse_profile({"name": "a", "size": 3, "departments": [
        {"id": "x", "name": "X", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company", "byod"],
         "devices": ["pc", "mobile"]}]})
    assert {(e.kind, e.owner) for e in p.departments[0].equipment} == {
        ("pc", "company"), ("mobile", "company"), ("pc", "private"), ("mobile", "private")}
    assert p.departments[0].terminals == ["company", "byod"]


def test_a_dumped_profile_loads_back_unchanged():
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        p = load_profile(path)
        assert parse_profile(p.model_dump(mode="json")) == p


def test_equipment_that_disagrees_with_terminals_is_refused():
    with pytest.raises(DataError, match="equipment: disagrees with terminals/devices"):
        parse_profile({"name": "a", "size": 3, "departments": [
            {**dept("x", "X", 1, ["vpn"], [("pc", "company")]), "terminals": ["byod"], "devices": ["pc"]}]})


def test_a_standalone_only_department_cannot_claim_cloud_use():
    with pytest.raises(DataError, match="standalone only uses no network"):
        org(dept("x", "X", 1, ["standalone"], [("pc", "company")], cloud=["mail"]))


def test_each_measure_is_one_action_even_when_it_applies_in_several_departments():
    p = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company")]),
            dept("office", "総務部", 8, ["cloud_service"], [("pc", "company")]))
    acts = plan(p)
    items = [a.item for a in acts]
    assert len(items) == len(set(items))
    c1 = next(a for a in acts if a.item == "mic-v5:admin:C-1")  # a department measure: one row per department
    assert c1.scopes == ("sales", "office") and c1.people == 20
    assert [a.rank for a in acts] == list(range(1, len(acts) + 1))


def test_an_action_names_only_the_departments_its_fact_holds_for():
    p = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company")], cloud=[]),
            dept("office", "総務部", 8, ["cloud_service"], [("pc", "company")], cloud=["file_sharing"]))
    a3 = next(a for a in plan(p) if a.item == "mic-v5:admin:A-3")  # cloud rules, an organisation measure
    assert a3.departments == ("office",) and a3.people == 8
    assert "総務部" in a3.why_text["ja"] and "営業部" not in a3.why_text["ja"]
    c2 = next(a for a in plan(p) if a.item == "mic-v5:admin:C-2")  # VPN appliance patching
    assert c2.departments == ("sales",) and "営業部 12 人" in c2.why_text["ja"]


def test_statuses_that_differ_between_departments_are_flagged_and_combined():
    p = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company")]),
            dept("office", "総務部", 8, ["vpn"], [("pc", "company")]))
    a = record(new_assessment(p), "mic-v5:admin:C-1", "sales", "t", dt.datetime(2026, 1, 1), status="done")
    c1 = next(x for x in actions(build_rows(catalog, a)) if x.item == "mic-v5:admin:C-1")
    assert c1.statuses_differ and c1.status == "partly" and [r.scope for r in c1.open_rows] == ["office"]
    done = record(a, "mic-v5:admin:C-1", "office", "t", dt.datetime(2026, 1, 1), status="done")
    rows = build_rows(catalog, done)
    assert "mic-v5:admin:C-1" not in [x.item for x in actions(rows)]
    closed = next(x for x in actions(rows, include_closed=True) if x.item == "mic-v5:admin:C-1")
    assert closed.status == "done" and not closed.statuses_differ


def test_reasons_are_data_rendered_in_both_languages():
    p = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company")]))
    row = next(r for r in build_rows(catalog, new_assessment(p)) if r.item == "mic-v5:admin:C-2")
    (part,) = row.why.parts
    assert (part.fact, part.value) == ("office_connection", True)
    assert render(row.why, "ja") == row.reason["ja"] and "VPN" in row.reason["ja"]
    assert row.reason["en"].startswith("applies: 営業部")


def test_the_engine_has_no_language_branches():
    found = subprocess.run(["grep", "-rn", 'lang == "ja"', str(ROOT / "src/tebiki/core")],
                           capture_output=True, text=True).stdout
    assert found == ""


def test_a_done_decision_closes_a_partly_done_row_and_nothing_else_does():
    p = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company")]))
    base = new_assessment(p)
    now = dt.datetime(2026, 1, 1)

    def c1(**changes):
        a = record(base, "mic-v5:admin:C-1", "sales", "t", now, **changes)
        return next(r for r in build_rows(catalog, a) if r.item == "mic-v5:admin:C-1")

    assert c1(status="partly").is_open
    assert not c1(status="partly", decision="done").is_open
    assert not c1(status="not_done", decision="not_needed", reason="外部委託").is_open
    assert c1(status="not_done", decision="will_do", deadline=dt.date(2026, 2, 1), owner="a").is_open


def test_a_row_that_does_not_apply_refuses_done_and_will_do():
    p = org(dept("sales", "営業部", 12, ["cloud_service"], [("pc", "company")]))  # no office connection
    a = new_assessment(p)
    now = dt.datetime(2026, 1, 1)
    with pytest.raises(DataError, match="does not apply here.*社内ネットワーク"):
        record_checked(catalog, a, "mic-v5:admin:C-2", "sales", "t", now, status="done")
    with pytest.raises(DataError, match="nothing to plan"):
        record_checked(catalog, a, "mic-v5:admin:C-2", "sales", "t", now, decision="will_do",
                       deadline=dt.date(2026, 2, 1), owner="a")
    na = record_checked(catalog, a, "mic-v5:admin:C-2", "sales", "t", now, status="na", reason="VPN なし")
    assert no_longer_applying(build_rows(catalog, na), na) == []
    # the same answer recorded while it applied is listed once the profile no longer makes it apply
    vpn = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company")]))
    done = record_checked(catalog, new_assessment(vpn), "mic-v5:admin:C-2", "sales", "t", now, status="done")
    moved, dropped = change_profile(done, p)
    assert dropped == [] and [s.item for s in no_longer_applying(build_rows(catalog, moved), moved)] == [
        "mic-v5:admin:C-2"]


def test_private_devices_turn_enforcement_into_rules_consent_or_checks_in_the_reason():
    p = org(dept("sales", "営業部", 12, ["vpn"], [("pc", "company"), ("mobile", "private")]),
            dept("office", "総務部", 8, ["cloud_service"], [("pc", "company")]))
    rows = {(r.item, r.scope): r for r in build_rows(catalog, new_assessment(p))}
    e9 = rows[("mic-v5:admin:E-9", "sales")]  # MDM on an own smartphone needs its owner's consent
    assert "同意" in e9.reason["ja"] and "consent" in e9.reason["en"]
    assert [part.kind for part in e9.why.parts][-1] == "byod_note"
    assert "同意" not in rows[("mic-v5:admin:E-9", "office")].reason["ja"]
    # enforcement that only works on company terminals is not asked of a private-only department
    own = org(dept("x", "X", 3, ["cloud_service"], [("pc", "private")]))
    assert not next(r for r in build_rows(catalog, new_assessment(own)) if r.item == "mic-v5:admin:B-4").applies


def test_a_trouble_case_the_organisation_is_not_exposed_to_is_not_applicable():
    from tebiki.core.plan import exposure

    cloud = org(dept("x", "X", 3, ["cloud_service"], [("pc", "company")]), cloud=["mail"])
    vpn = org(dept("x", "X", 3, ["vpn"], [("pc", "company")]))
    for p, state in ((cloud, "not_applicable"), (vpn, "exposed")):
        cases = {e.id: e for e in exposure(catalog, build_rows(catalog, new_assessment(p)))["trouble_cases"]}
        assert cases["mic-v5:case-01"].state == state  # case 1 (p.92) needs internet-facing remote access
        assert cases["mic-v5:case-12"].state == "exposed"  # password reuse concerns everyone
