"""core/plan.py edges that the action-list tests did not reach (found by mutation testing, docs/testing.md)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tebiki.catalog import get_catalog
from tebiki.core.assessment import change_profile, new_assessment, record
from tebiki.core.errors import DataError
from tebiki.core.plan import (
    actions,
    applies_in,
    build_rows,
    combined_status,
    exposure,
    no_longer_applying,
    record_checked,
    scores,
)
from tebiki.core.profile import parse_profile

catalog = get_catalog()
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def org(methods, **extra):
    return parse_profile({"name": "テスト製作所", "size": 12, "departments": [
        {"id": "sales", "name": "営業部", "people": 12, "methods": methods, "work_forms": ["home"],
         "equipment": [{"kind": "pc", "owner": "company"}]}], **extra})


VPN = org(["vpn"], cloud=[])  # no cloud services: the cloud measures (A-3, an organisation measure) do not apply
TWO = parse_profile({"name": "テスト製作所", "size": 20, "departments": [
    {"id": d, "name": name, "people": people, "methods": ["vpn"], "work_forms": ["home"],
     "equipment": [{"kind": "pc", "owner": "company"}]}
    for d, name, people in (("sales", "営業部", 12), ("office", "総務部", 8))]})
C1 = "mic-v5:admin:C-1"  # a department measure: one row in each department


def test_recording_checks_an_organisation_measure_at_organisation_level():
    a = new_assessment(VPN)
    with pytest.raises(DataError) as err:
        record_checked(catalog, a, "mic-v5:admin:A-3", "organisation", "alice", NOW, status="done")
    assert (err.value.origin, err.value.field) == ("mic-v5:admin:A-3 / organisation", "status")
    with pytest.raises(DataError) as err:
        record_checked(catalog, a, "mic-v5:admin:A-3", "organisation", "alice", NOW, status="not_done",
                       decision="will_do", deadline=dt.date(2027, 1, 31), owner="情報システム")
    assert err.value.field == "decision"
    ok = record_checked(catalog, a, "mic-v5:admin:A-3", "organisation", "alice", NOW, status="na", reason="クラウドなし")
    assert ok.state("mic-v5:admin:A-3", "organisation").status == "na"


def test_a_csaj_policy_is_checked_at_organisation_level_too():
    a = new_assessment(VPN)
    applying, other = (next(p.id for p in catalog.policies if applies_in(catalog, VPN, p.id, "organisation").applies == wanted)
                       for wanted in (True, False))
    assert record_checked(catalog, a, applying, "organisation", "t", NOW, status="partly").state(
        applying, "organisation").status == "partly"
    with pytest.raises(DataError, match="does not apply here"):
        record_checked(catalog, a, other, "organisation", "t", NOW, status="done")


def test_a_checked_record_keeps_who_changed_it_and_when():
    updated = record_checked(catalog, new_assessment(VPN), "mic-v5:admin:C-2", "sales", "alice", NOW, status="done")
    state = updated.state("mic-v5:admin:C-2", "sales")
    assert (state.changed_by, state.changed_at) == ("alice", NOW)


def test_answers_left_on_a_measure_that_stopped_applying_are_listed_unless_they_say_it_is_not_needed():
    now = dt.datetime(2026, 1, 1)
    base = new_assessment(org(["vpn"]))
    cloud_only = org(["cloud_service"])  # no office connection: C-2 (VPN appliance patching) stops applying
    not_needed = record(base, "mic-v5:admin:C-2", "sales", "t", now, decision="not_needed", reason="委託先が管理")
    planned = record(base, "mic-v5:admin:C-2", "sales", "t", now, decision="will_do", deadline=dt.date(2026, 3, 1),
                     owner="情報システム")  # status still unchecked: only the plan is recorded
    for answered, listed in ((not_needed, []), (planned, ["mic-v5:admin:C-2"])):
        moved, _ = change_profile(answered, cloud_only)
        assert moved.state("mic-v5:admin:C-2", "sales").status == "unchecked"
        assert [s.item for s in no_longer_applying(build_rows(catalog, moved), moved)] == listed


@pytest.mark.parametrize(("statuses", "combined"), [
    (["done", "done"], "done"),
    (["done", "unchecked"], "partly"),
    (["partly", "unchecked"], "partly"),
    (["not_done", "unchecked"], "not_done"),
    (["unchecked", "not_done", "na"], "not_done"),
    (["unchecked", "na"], "unchecked"),
])
def test_the_status_of_several_scopes(statuses, combined):
    assert combined_status(statuses) == combined


def case(rows, case_id):
    return next(e for e in exposure(catalog, rows)["trouble_cases"] if e.id == case_id)


def test_a_measure_decided_not_needed_leaves_its_trouble_case_exposed_whatever_its_status():
    a = new_assessment(org(["vpn"]))
    a = record(a, "mic-v5:admin:C-3", "sales", "t", NOW, status="done")
    a = record(a, "mic-v5:admin:C-2", "sales", "t", NOW, status="not_done", decision="not_needed", reason="委託")
    case1 = case(build_rows(catalog, a), "mic-v5:case-01")  # case 1 is C-2 and C-3
    assert (case1.state, case1.met, case1.unmet) == ("partly", ["mic-v5:admin:C-3"], ["mic-v5:admin:C-2"])
    a = record(a, "mic-v5:admin:C-2", "sales", "t", NOW, status="done")  # done, and still "not needed"
    assert case(build_rows(catalog, a), "mic-v5:case-01").unmet == ["mic-v5:admin:C-2"]


def test_an_applicable_measure_recorded_not_applicable_counts_as_not_done():
    a = new_assessment(org(["vpn"]))
    a = record(a, "mic-v5:admin:C-3", "sales", "t", NOW, status="done")
    a = record(a, "mic-v5:admin:C-2", "sales", "t", NOW, status="na", reason="機器なし")
    rows = build_rows(catalog, a)
    assert next(r for r in rows if r.item == "mic-v5:admin:C-2").applies
    case1 = case(rows, "mic-v5:case-01")
    assert (case1.state, case1.unmet) == ("partly", ["mic-v5:admin:C-2"])
    by_scope = scores(rows)["scope"]["sales"]
    assert by_scope["done"] == 1
    assert by_scope["score"] == round(1 / by_scope["applicable"], 3)


def test_exposure_lists_every_applicable_measure_of_an_entry_with_the_catalog_titles():
    rows = build_rows(catalog, new_assessment(VPN))
    applicable = {r.item for r in rows if r.applies}
    exp = exposure(catalog, rows)
    entries = {**{c.id: c for c in catalog.trouble_cases}, **{r.id: r for r in catalog.risk_types}}
    assert [e.id for e in exp["risk_types"]] == [r.id for r in catalog.risk_types]
    # risk type 2 starts with a home Wi-Fi measure that does not apply here: the ones after it still count
    assert catalog.by_id["ssk-2020:risk-2"].measures[0] not in applicable
    for e in exp["trouble_cases"] + exp["risk_types"]:
        assert e.title == entries[e.id].title.model_dump()
        if e in exp["risk_types"] or e.state != "not_applicable":
            assert sorted(e.met + e.unmet) == sorted(m for m in entries[e.id].measures if m in applicable), e.id


def test_scores_are_rounded_to_three_decimals():
    a = new_assessment(VPN)
    worker = [r for r in build_rows(catalog, a) if r.role == "worker" and r.applies]
    assert round(1 / len(worker), 3) != round(1 / len(worker), 4)  # the share has more than three decimals
    a = record(a, worker[0].item, worker[0].scope, "t", NOW, status="done")
    assert scores(build_rows(catalog, a))["role"]["worker"]["score"] == round(1 / len(worker), 3)


def c1_action(a, **kw):
    return next(x for x in actions(build_rows(catalog, a), **kw) if x.item == C1)


def test_an_action_carries_its_measures_catalog_facts_and_its_departments_names():
    action = c1_action(new_assessment(TWO))
    measure = catalog.by_id[C1]
    assert (action.title, action.role, action.category, action.level) == (
        measure.title.model_dump(), "admin", "C", measure.level)
    assert action.department_names == ("営業部", "総務部")


def test_an_action_has_the_rows_decision_only_when_they_agree():
    a = new_assessment(TWO)
    for scope in ("sales", "office"):
        a = record(a, C1, scope, "t", NOW, decision="will_do", deadline=dt.date(2027, 1, 31), owner="情報システム")
    assert c1_action(a).decision == "will_do"
    a = record(a, C1, "office", "t", NOW, decision="not_needed", reason="共用端末なし")
    assert c1_action(a).decision is None


def test_an_action_is_overdue_when_an_open_row_is_past_its_deadline():
    a = record(new_assessment(TWO), C1, "office", "t", NOW, decision="will_do", deadline=dt.date(2027, 1, 31),
               owner="情報システム")
    action = c1_action(a)
    assert action.overdue(dt.date(2027, 2, 1)) and not action.overdue(dt.date(2027, 1, 31))
    assert action.deadline == dt.date(2027, 1, 31)


def test_a_closed_measure_does_not_hide_the_open_ones_listed_after_it():
    a = new_assessment(TWO)
    first = build_rows(catalog, a)[0]
    a = record(a, first.item, first.scope, "t", NOW, status="done")
    rows = build_rows(catalog, a)
    assert first.item not in [x.item for x in actions(rows)]
    assert {x.item for x in actions(rows)} == {r.item for r in rows if r.is_open}


def test_actions_reads_the_rows_of_a_plan_object():
    rows = build_rows(catalog, new_assessment(TWO))
    assert actions(SimpleNamespace(rows=rows)) == actions(rows)


def test_a_row_carries_its_measure_and_what_was_recorded():
    a = record(new_assessment(TWO), C1, "office", "t", NOW, decision="will_do", deadline=dt.date(2027, 1, 31),
               owner="情報システム", reason="予算待ち")
    rows = build_rows(catalog, a)
    row = next(r for r in rows if (r.item, r.scope) == (C1, "office"))
    assert (row.category, row.title) == ("C", catalog.by_id[C1].title.model_dump())
    assert (row.deadline, row.owner, row.note) == (dt.date(2027, 1, 31), "情報システム", "予算待ち")
    assert next(r for r in rows if r.scope == "organisation").scope_name == "テスト製作所"


def test_a_row_that_no_longer_applies_is_not_applicable_whatever_was_recorded():
    done = record(new_assessment(org(["vpn"])), "mic-v5:admin:C-2", "sales", "t", NOW, status="done")
    moved, _ = change_profile(done, org(["cloud_service"]))
    row = next(r for r in build_rows(catalog, moved) if r.item == "mic-v5:admin:C-2")
    assert (row.applies, row.status) == (False, "na")


@pytest.mark.parametrize("override", [{"importance": "high"}, {"difficulty": "high"}])
def test_an_override_of_importance_or_difficulty_alone_changes_that_rows_priority(override):
    a = record(new_assessment(TWO), C1, "office", "t", NOW, override_reason="監査の指摘", **override)
    rows = {r.scope: r for r in build_rows(catalog, a) if r.item == C1}
    assert rows["office"].priority.overridden and not rows["sales"].priority.overridden
    assert rows["office"].priority.priority != rows["sales"].priority.priority
    assert {k: getattr(rows["office"].priority, k) for k in override} == override
    # the action takes its priority, and its why, from its most urgent row: the overridden one if it moved up
    action = next(x for x in actions(build_rows(catalog, a)) if x.item == C1)
    moved_up = rows["office"].priority.rank < rows["sales"].priority.rank
    assert moved_up == (override == {"importance": "high"})
    assert (action.why[-1].kind == "why_override") == moved_up
    assert action.why_text["en"].endswith("priority set by the organisation") == moved_up
    # the organisation's context still counts: the same risk score and trouble cases as the other department's row
    assert (rows["office"].priority.score, rows["office"].priority.cases) == (rows["sales"].priority.score,
                                                                              rows["sales"].priority.cases)


def test_a_one_person_organisation_counts_its_one_teleworker_as_everyone():
    def everyone_scores(people):
        p = parse_profile({"name": "一人社長", "size": 3, "departments": [
            {"id": "me", "name": "本人", "people": people, "methods": ["vpn"], "work_forms": ["home"],
             "equipment": [{"kind": "pc", "owner": "company"}]}]})
        return {r.item: r.priority.score for r in build_rows(catalog, new_assessment(p)) if r.why.everyone}
    assert everyone_scores(1) == everyone_scores(3)


def test_the_effort_shown_follows_who_administers_the_it():
    from tebiki.core.priority import effort_of

    assert effort_of(catalog, "not_high", "outsourced") != effort_of(catalog, "not_high", "inhouse")
    rows = build_rows(catalog, new_assessment(org(["vpn"], admin="outsourced")))
    assert any(r.priority.difficulty == "not_high" for r in rows)
    for r in rows:
        assert r.priority.effort == effort_of(catalog, r.priority.difficulty, "outsourced"), r.item


def test_within_one_priority_and_score_an_earlier_deadline_comes_first():
    a = new_assessment(TWO)
    order = [x.item for x in actions(build_rows(catalog, a))]
    first, second = order.index("mic-v5:admin:F-2"), order.index("mic-v5:admin:H-2")
    assert second == first + 1  # same tier and score, F-2 first in catalog order
    a = record(a, "mic-v5:admin:H-2", "sales", "t", NOW, decision="will_do", deadline=dt.date(2027, 1, 31),
               owner="情報システム")
    order = [x.item for x in actions(build_rows(catalog, a))]
    assert order.index("mic-v5:admin:H-2") == order.index("mic-v5:admin:F-2") - 1


def test_the_plan_as_data_says_what_the_engine_says():
    from tebiki.core.plan import plan_json

    today = dt.date(2027, 2, 1)
    a = record(new_assessment(TWO), C1, "office", "t", NOW, decision="will_do", deadline=dt.date(2027, 1, 31),
               owner="情報システム")
    a = record(a, "mic-v5:admin:C-3", "sales", "t", NOW, status="done")
    policy = catalog.policies[0].id
    a = record(a, policy, "organisation", "t", NOW, status="partly")
    data = plan_json(catalog, a, today)
    rows = build_rows(catalog, a)
    grouped = actions(rows)
    assert (data["schema"], data["organisation"], data["date"]) == ("tebiki-plan/1", "テスト製作所", "2027-02-01")

    def priority(p):
        return {"id": p.priority, "rank": p.rank, "title": p.title, "importance": p.importance,
                "difficulty": p.difficulty, "score": p.score}

    def row(r):
        return {"item": r.item, "scope": r.scope, "scope_name": r.scope_name, "status": r.status,
                "decision": r.decision, "deadline": r.deadline.isoformat() if r.deadline else None, "owner": r.owner,
                "priority": priority(r.priority), "why": r.why.as_dict(), "departments": list(r.departments),
                "overdue": r.overdue(today), "applies": r.applies}

    keys = ("item", "scope", "scope_name", "status", "decision", "deadline", "owner", "priority", "why",
            "departments", "overdue", "applies")
    assert [{k: d[k] for k in keys} for d in data["actions"]] == [row(r) for x in grouped for r in x.rows if r.is_open]
    assert [{k: d[k] for k in keys} for d in data["not_applicable"]] == [row(r) for r in rows if not r.applies]
    c1 = next(d for d in data["actions_grouped"] if d["item"] == C1)
    action = next(x for x in grouped if x.item == C1)
    assert c1 == {
        "item": C1, "rank": action.rank, "title": action.title, "role": "admin", "category": "C",
        "level": action.level, "tier": action.tier, "priority": priority(action.priority), "score": action.score,
        "why": [p.as_dict() for p in action.why], "why_text": action.why_text, "scopes": ["sales", "office"],
        "departments": ["sales", "office"], "people": 20, "status": "unchecked", "statuses_differ": False,
        "decision": None, "deadline": "2027-01-31", "overdue": True,
        "rows": [{"scope": "sales", "status": "unchecked", "decision": None, "deadline": None, "owner": None,
                  "overdue": False},
                 {"scope": "office", "status": "unchecked", "decision": "will_do", "deadline": "2027-01-31",
                  "owner": "情報システム", "overdue": True}]}
    assert [d["item"] for d in data["actions_grouped"]] == [x.item for x in grouped]
    stated = next(d for d in data["policies"] if d["item"] == policy)
    entry = catalog.by_id[policy]
    assert stated == {"item": policy, "level": entry.level, "negative": entry.negative, "title": entry.title.model_dump(),
                      "applies": True, "reason": applies_in(catalog, TWO, policy, "organisation").reason,
                      "status": "partly", "decision": None}
    assert "営業部・総務部" in stated["reason"]["ja"]  # decided for the organisation, naming both departments
    assert [d["item"] for d in data["policies"]] == [p.id for p in catalog.policies]
    off = [d for d in data["policies"] if not d["applies"]]
    assert off and {d["status"] for d in off} == {"na"}
    exp = exposure(catalog, rows)
    assert data["exposure"] == {k: [{"id": e.id, "title": e.title, "state": e.state, "met": e.met, "unmet": e.unmet}
                                    for e in v] for k, v in exp.items()}
    assert data["scores"] == scores(rows)
    assert data["counts"] == {"rows": len(rows), "applicable": sum(r.applies for r in rows),
                              "open": sum(r.is_open for r in rows), "overdue": 1, "actions": len(grouped)}


def test_an_override_keeps_the_measures_risk_score_and_trouble_cases_for_this_organisation():
    mixed = parse_profile({"name": "テスト製作所", "size": 20, "departments": [
        {"id": "sales", "name": "営業部", "people": 12, "methods": ["vpn"], "work_forms": ["home"],
         "equipment": [{"kind": "pc", "owner": "company"}]},
        {"id": "office", "name": "総務部", "people": 8, "methods": ["cloud_service"], "work_forms": ["home"],
         "equipment": [{"kind": "pc", "owner": "company"}]}], "cloud": ["mail"]})
    a = new_assessment(mixed)
    c2 = "mic-v5:admin:C-2"  # VPN appliance patching: only sales, 12 of 20 people

    def row(assessment):
        return next(r for r in build_rows(catalog, assessment) if (r.item, r.scope) == (c2, "sales"))

    before = row(a).priority
    after = row(record(a, c2, "sales", "t", NOW, importance="low", override_reason="委託先が対応")).priority
    assert after.overridden and after.importance == "low"
    assert (after.score, after.cases) == (before.score, before.cases)
