"""core.figures: the numbers every screen, report and CLI table shows, each counted once."""

from __future__ import annotations

import dataclasses
import datetime as dt

from tebiki.catalog import get_catalog
from tebiki.core import priority
from tebiki.core.assessment import new_assessment
from tebiki.core.figures import figures, overall_score, overdue_rows
from tebiki.core.plan import build_rows
from tebiki.core.profile import parse_profile

catalog = get_catalog()
TODAY = dt.date(2026, 11, 23)
PROFILE = parse_profile({
    "name": "テスト商事", "size": 12,
    "departments": [{"id": "sales", "name": "営業部", "people": 10, "methods": ["vpn"], "work_forms": ["home"],
                     "terminals": ["company"], "devices": ["pc"]}],
})
ROWS = build_rows(catalog, new_assessment(PROFILE))
APPLICABLE = [r for r in ROWS if r.applies]


def with_states(*changes: dict) -> list:
    """The plan's rows with the first len(changes) applicable rows changed as given."""
    changed = {id(r): dataclasses.replace(r, **c) for r, c in zip(APPLICABLE, changes, strict=False)}
    return [changed.get(id(r), r) for r in ROWS]


def test_nothing_recorded_is_all_open_and_scores_zero():
    fig = figures(catalog, ROWS, TODAY)
    assert fig.applicable == len(APPLICABLE) > 10
    assert fig.open == fig.applicable and fig.done == fig.partly == fig.overdue == 0
    assert fig.score == 0.0 and fig.exposed_cases > 0


def test_partly_done_counts_half_and_done_decisions_close_an_item():
    rows = with_states({"status": "done"}, {"status": "partly"}, {"status": "partly", "decision": "done"},
                       {"status": "not_done", "decision": "not_needed"})
    fig = figures(catalog, rows, TODAY)
    assert (fig.done, fig.partly) == (1, 2)
    assert fig.open == fig.applicable - 3  # done, partly-but-decided-done and not-needed are closed; partly is open
    assert fig.score == round((1 + 0.5 + 0.5) / fig.applicable, 3) == overall_score(rows)


def test_overdue_is_open_with_a_deadline_before_today():
    rows = with_states({"status": "not_done", "decision": "will_do", "deadline": TODAY - dt.timedelta(days=1)},
                       {"status": "not_done", "decision": "will_do", "deadline": TODAY},
                       {"status": "done", "deadline": TODAY - dt.timedelta(days=9)})
    assert [r.item for r in overdue_rows(rows, TODAY)] == [APPLICABLE[0].item]
    assert figures(catalog, rows, TODAY).overdue == 1
    na = [dataclasses.replace(r, applies=False) for r in rows]
    assert overdue_rows(na, TODAY) == []  # a record on a measure that no longer applies is not overdue


def test_top_open_counts_only_the_first_rank():
    fig = figures(catalog, ROWS, TODAY)
    assert fig.top_open == sum(r.priority.rank == 1 for r in APPLICABLE) < fig.open


def test_importance_thresholds_are_inclusive():
    # mutants that survived before: `>=` → `>` on either threshold (a score exactly at a threshold reaches it)
    t = catalog.priority_model.thresholds
    assert priority.importance_of(catalog, t.high) == "high"
    assert priority.importance_of(catalog, t.medium) == "medium"
    assert priority.importance_of(catalog, t.medium - 0.001) == "low"


def test_a_single_applicable_row_done_scores_one_and_by_role_follows_the_roles():
    # survivors of `make mutation ONLY='tebiki.core.figures*'`: max(applicable, 1) → 2, by_role dropped
    only = [dataclasses.replace(r, applies=r is APPLICABLE[0], status="done" if r is APPLICABLE[0] else "na")
            for r in ROWS]
    fig = figures(catalog, only, TODAY)
    assert fig.applicable == 1 and fig.score == 1.0
    assert fig.by_role == {APPLICABLE[0].role: 1.0}
    assert figures(catalog, ROWS, TODAY).by_role == dict.fromkeys({r.role for r in APPLICABLE}, 0.0)


def test_partly_covered_cases_are_counted_apart_from_exposed_ones():
    # survivor: partly_cases inverted or dropped
    case = next(c for c in catalog.trouble_cases if len({m for m in c.measures if m in {r.item for r in APPLICABLE}}) > 1)
    first = next(r for r in APPLICABLE if r.item in case.measures)
    rows = [dataclasses.replace(r, status="done") if r is first else r for r in ROWS]
    before, after = figures(catalog, ROWS, TODAY), figures(catalog, rows, TODAY)
    assert before.partly_cases == 0
    assert after.partly_cases >= 1 and after.exposed_cases < before.exposed_cases
    assert after.partly_cases + after.exposed_cases <= len(catalog.trouble_cases)
