"""Assessment states: coherent decisions, history, snapshots, exposure and scores."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tebiki.catalog import get_catalog
from tebiki.core.assessment import ItemState, compare, new_assessment, record, take_snapshot
from tebiki.core.errors import DataError
from tebiki.core.plan import action_list, build_rows, exposure, scores
from tebiki.core.profile import parse_profile

catalog = get_catalog()
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PROFILE = parse_profile({
    "name": "テスト商事", "size": 30,
    "departments": [
        {"id": "sales", "name": "営業部", "people": 10, "methods": ["vpn"], "work_forms": ["home"],
         "terminals": ["company"], "devices": ["pc"]},
        {"id": "back", "name": "総務部", "people": 5, "methods": ["cloud_service"], "work_forms": ["home"],
         "terminals": ["byod"], "devices": ["pc", "mobile"]},
    ],
    "cloud": ["mail", "meeting"],
})


def test_will_do_needs_deadline_and_owner():
    with pytest.raises(ValueError, match="needs a deadline.*needs an owner"):
        ItemState(item="mic-v5:admin:C-2", decision="will_do")
    ok = ItemState(item="mic-v5:admin:C-2", decision="will_do", deadline=dt.date(2027, 1, 31), owner="佐藤")
    assert ok.owner == "佐藤"


def test_not_needed_and_na_need_a_reason():
    with pytest.raises(ValueError, match="reason"):
        ItemState(item="x", decision="not_needed")
    with pytest.raises(ValueError, match="reason"):
        ItemState(item="x", status="na")


def test_done_decision_contradicting_status_is_rejected():
    with pytest.raises(ValueError, match="decision 'done'"):
        ItemState(item="x", decision="done", status="not_done")
    with pytest.raises(ValueError, match="contradicts"):
        ItemState(item="x", decision="will_do", status="done", deadline=dt.date(2027, 1, 1), owner="a")


def test_an_override_needs_a_reason():
    with pytest.raises(ValueError, match="override_reason"):
        ItemState(item="x", importance="high")


def test_record_keeps_history_and_never_mutates_the_input():
    a = new_assessment(PROFILE)
    b = record(a, "mic-v5:admin:C-2", "sales", "alice", NOW, status="done")
    assert a.items == [] and a.history == []
    assert b.state("mic-v5:admin:C-2", "sales").status == "done"
    c = record(b, "mic-v5:admin:C-2", "sales", "bob", NOW, status="partly")
    assert [h.changed_by for h in c.history] == ["alice", "bob"]
    assert len(c.items) == 1


def test_an_invalid_change_raises_and_changes_nothing():
    a = record(new_assessment(PROFILE), "mic-v5:admin:C-2", "sales", "alice", NOW, status="done")
    with pytest.raises(DataError, match="needs a deadline.*needs an owner"):
        record(a, "mic-v5:admin:C-2", "sales", "bob", NOW, status="not_done", decision="will_do")
    assert a.state("mic-v5:admin:C-2", "sales").status == "done"
    assert len(a.history) == 1


def test_done_items_leave_the_action_list_and_priorities_are_ordered():
    a = new_assessment(PROFILE)
    rows = build_rows(catalog, a)
    actions = action_list(rows)
    assert [r.priority.rank for r in actions] == sorted(r.priority.rank for r in actions)
    first = actions[0]
    done = record(a, first.item, first.scope, "alice", NOW, status="done")
    assert (first.item, first.scope) not in {(r.item, r.scope) for r in action_list(build_rows(catalog, done))}


def test_exposure_moves_from_exposed_to_covered():
    a = new_assessment(PROFILE)
    case1 = next(e for e in exposure(catalog, build_rows(catalog, a))["trouble_cases"] if e.id == "mic-v5:case-01")
    assert case1.state == "exposed" and "mic-v5:admin:C-2" in case1.unmet
    for row in build_rows(catalog, a):
        if row.item in ("mic-v5:admin:C-2", "mic-v5:admin:C-3") and row.applies:
            a = record(a, row.item, row.scope, "alice", NOW, status="done")
    case1 = next(e for e in exposure(catalog, build_rows(catalog, a))["trouble_cases"] if e.id == "mic-v5:case-01")
    assert case1.state == "covered" and case1.unmet == []


def test_scores_count_partly_as_half():
    a = new_assessment(PROFILE)
    a = record(a, "mic-v5:executive:A-1", "organisation", "x", NOW, status="done")
    a = record(a, "mic-v5:executive:A-2", "organisation", "x", NOW, status="partly")
    executive = scores(build_rows(catalog, a))["role"]["executive"]
    assert executive["done"] == 1
    assert executive["score"] == pytest.approx(1.5 / executive["applicable"], abs=1e-3)


def test_snapshot_and_compare_show_improvement_and_regression():
    a = record(new_assessment(PROFILE), "mic-v5:executive:A-1", "organisation", "x", NOW, status="done")
    a = take_snapshot(a, "2026-H1", NOW)
    a = record(a, "mic-v5:executive:A-1", "organisation", "x", NOW, status="partly")
    a = record(a, "mic-v5:executive:A-2", "organisation", "x", NOW, status="done")
    now = {f"{s.item}|{s.scope}": s.status for s in a.items}
    diff = compare(dict(a.snapshots[-1].statuses), now)
    assert diff == {"improved": ["mic-v5:executive:A-2|organisation"],
                    "regressed": ["mic-v5:executive:A-1|organisation"]}


@given(st.sampled_from(["done", "will_do", "not_needed", None]), st.booleans(), st.booleans(), st.booleans())
def test_every_accepted_will_do_has_deadline_and_owner(decision, has_deadline, has_owner, has_reason):
    data = {"item": "x", "decision": decision, "status": "done" if decision == "done" else "not_done"}
    if has_deadline:
        data["deadline"] = "2027-03-31"
    if has_owner:
        data["owner"] = "担当"
    if has_reason:
        data["reason"] = "理由"
    try:
        state = ItemState.model_validate(data)
    except ValueError:
        return
    if state.decision == "will_do":
        assert state.deadline and state.owner
    if state.decision == "not_needed":
        assert state.reason
