"""Priority: the risk model's score -> importance, difficulty rules, and the checklist's table -> tier."""

import dataclasses

import pytest

from tebiki.catalog import get_catalog
from tebiki.core.priority import (
    Context,
    default_difficulty,
    exposed_cases,
    importance_of,
    measure_priority,
    priority_of,
    score,
)

catalog = get_catalog()
model = catalog.priority_model

# (importance, difficulty) -> (tier id, rank). The first three rows are the source's 最優先 / 優先 (000: high x low;
# high x not high or medium x low); the rest are tebiki's own tiers: other measures of low or not-high difficulty
# are planned (3), high-difficulty ones (advanced by default) come last (4), so a basic measure never falls below an
# advanced one.
MATRIX = [
    ("high", "low", "top", 1),
    ("high", "not_high", "high", 2),
    ("medium", "low", "high", 2),
    ("medium", "not_high", "normal", 3),
    ("low", "low", "normal", 3),
    ("low", "not_high", "normal", 3),
    ("high", "high", "later", 4),
    ("medium", "high", "later", 4),
    ("low", "high", "later", 4),
]


@pytest.mark.parametrize(("importance", "difficulty", "expected", "rank"), MATRIX)
def test_matrix_cell(importance, difficulty, expected, rank):
    pid, got_rank, title = priority_of(catalog, importance, difficulty)
    assert (pid, got_rank) == (expected, rank)
    assert title["ja"] and title["en"]


def test_source_names_only_the_two_top_levels():
    titles = {p.id: p.title.ja for p in catalog.priority_rule.priorities if p.from_source}
    assert titles == {"top": "最優先", "high": "優先"}


def test_rank_never_improves_when_difficulty_rises():
    order = ["low", "not_high", "high"]
    for importance in ("high", "medium", "low"):
        ranks = [priority_of(catalog, importance, d)[1] for d in order]
        assert ranks == sorted(ranks)


def test_only_advanced_measures_default_to_high_difficulty():
    for m in catalog.measures:
        difficulty, basis = default_difficulty(catalog, m)
        assert (difficulty == "high") == (m.level == "advanced"), m.id
        assert basis["ja"] and basis["en"]


def test_without_overrides_no_basic_measure_is_ranked_below_an_advanced_one():
    facts = {"remote_access": {"vpn_appliance"}, "cloud": {"mail"}, "terminal": {"byod"}, "information": {"my_number"}}
    for share in (0.0, 1.0):
        ranks = {m.id: (m.level, measure_priority(catalog, m, context=Context(facts, share)).rank)
                 for m in catalog.measures}
        worst_basic = max(r for level, r in ranks.values() if level == "basic")
        best_advanced = min(r for level, r in ranks.values() if level == "advanced")
        assert worst_basic < best_advanced


@pytest.mark.parametrize(("points", "expected"), [
    (model.thresholds.high, "high"), (model.thresholds.high - 0.01, "medium"),
    (model.thresholds.medium, "medium"), (model.thresholds.medium - 0.01, "low")])
def test_a_score_at_a_threshold_reaches_it(points, expected):
    assert importance_of(catalog, points) == expected


def test_a_case_counts_only_where_the_organisation_is_exposed_to_it():
    c2 = catalog.by_id["mic-v5:admin:C-2"]  # case 1 (p.92) is about internet-facing VPN appliances
    assert exposed_cases(catalog, c2, {"remote_access": {"vpn_appliance"}}) == [1]
    assert exposed_cases(catalog, c2, {"remote_access": set()}) == []
    # a case without an exposure condition concerns everyone (case 12, password reuse, p.104)
    assert exposed_cases(catalog, catalog.by_id["mic-v5:admin:H-2"], {}) == [12]


def test_the_score_adds_cases_risk_types_people_and_factors_as_the_data_says():
    h2 = catalog.by_id["mic-v5:admin:H-2"]  # case 12; no SSK risk type; factors internet_facing_access, cloud_accounts
    w = model.weights
    bare, cases, factors = score(catalog, h2, Context({"remote_access": set(), "cloud": set()}, share=0.5))
    assert cases == [12] and factors == []
    assert bare == w.trouble_case.points * 1 + w.people.points * 0.5
    full, _, factors = score(catalog, h2, Context({"remote_access": {"vpn_appliance"}, "cloud": {"mail"}}, 0.5))
    assert {f.id for f in factors} == {"internet_facing_access", "cloud_accounts"}
    assert full == bare + sum(f.points for f in factors)


def test_trouble_cases_count_up_to_the_cap():
    f2 = catalog.by_id["mic-v5:admin:F-2"]  # named by cases 4, 5, 6 and 7
    points, cases, _ = score(catalog, f2, Context({}, share=0.0))
    risks = min(len(catalog.risks_for_measure[f2.id]), model.weights.risk_type.cap)
    assert len(cases) == 4
    assert points == model.weights.trouble_case.points * model.weights.trouble_case.cap + risks


def test_effort_depends_on_who_runs_it():
    c1 = catalog.by_id["mic-v5:admin:F-1"]  # antivirus: technical set-up
    inhouse = measure_priority(catalog, c1, context=Context({}, 1.0, "inhouse"))
    outsourced = measure_priority(catalog, c1, context=Context({}, 1.0, "outsourced"))
    assert inhouse.difficulty == outsourced.difficulty == "not_high"
    assert outsourced.effort["ja"] == "委託先に依頼" and inhouse.effort != outsourced.effort


def test_an_override_changes_the_priority_and_says_so():
    m = catalog.by_id["mic-v5:admin:L-2"]
    p = measure_priority(catalog, m, importance="high", difficulty="low")
    assert p.priority == "top" and p.overridden
    assert p.importance_basis["en"] == "set by the organisation"
    assert not measure_priority(catalog, m).overridden


def test_importance_levels_are_all_used():
    ctx = Context({"remote_access": {"vpn_appliance"}, "cloud": {"mail"}}, 1.0)
    levels = {measure_priority(catalog, m, context=ctx).importance for m in catalog.measures}
    assert levels == {"high", "medium", "low"}


def test_the_priority_is_frozen_data():
    p = measure_priority(catalog, catalog.measures[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.rank = 9  # type: ignore[misc]


def test_docs_list_every_factor_with_its_points_and_measures():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "priority.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    assert set(rows) == {f.id for f in model.factors}
    for f in model.factors:
        cells = [c.strip() for c in rows[f.id].split("|")]
        assert cells[2] == f"{f.points:g}", f.id
        for m in f.measures:
            assert m.removeprefix("mic-v5:") in cells[4], (f.id, m)
    t = model.thresholds
    assert f"at least {t.high:g} → high" in doc and f"at least {t.medium:g} → medium" in doc


def test_the_importance_basis_names_the_score_the_exposed_cases_and_the_factors():
    h2 = catalog.by_id["mic-v5:admin:H-2"]  # case 12; factors internet_facing_access and cloud_accounts
    ctx = Context({"remote_access": {"vpn_appliance"}, "cloud": {"mail"}}, share=1 / 7)
    p = measure_priority(catalog, h2, context=ctx)
    assert p.score == round(p.score, 3) and p.score != round(p.score, 2)  # 3/7 people points, kept to 3 decimals
    ja, en = p.importance_basis["ja"], p.importance_basis["en"]
    assert f"{p.score:g} 点" in ja and f"{p.score:g} points" in en
    assert "トラブル事例 12" in ja and "trouble case 12" in en
    assert "インターネットに公開した接続機器あり" in ja and "internet-facing remote access" in en
    bare = measure_priority(catalog, h2, context=Context({"remote_access": set(), "cloud": set()}, share=1.0))
    assert "インターネットに公開した接続機器あり" not in bare.importance_basis["ja"]


def test_the_difficulty_basis_is_the_matching_rules_rationale_unless_overridden():
    m = catalog.by_id["mic-v5:admin:F-1"]
    _, rationale = default_difficulty(catalog, m)
    assert measure_priority(catalog, m).difficulty_basis == rationale and rationale["ja"]
    assert measure_priority(catalog, m, difficulty="low").difficulty_basis["en"] == "set by the organisation"


@pytest.mark.parametrize("override", [{"importance": "high"}, {"difficulty": "low"}])
def test_one_override_alone_marks_the_priority_as_set_by_the_organisation(override):
    p = measure_priority(catalog, catalog.by_id["mic-v5:admin:L-2"], **override)
    assert p.overridden


def test_without_a_context_every_case_counts_and_factors_do_not():
    h2 = catalog.by_id["mic-v5:admin:H-2"]
    p = measure_priority(catalog, h2)
    assert p.cases == (12,) and p.factors == ()
    assert p.score == model.weights.trouble_case.points + model.weights.people.points


def test_the_executives_basic_measures_are_decisions_of_low_difficulty():
    """What the earlier model's minimum importance for executive measures became: the executive's basic measures
    are decisions (low difficulty), so with the same importance they rank at least as high as an admin's."""
    executive = [m for m in catalog.measures if m.role == "executive" and m.level == "basic"]
    assert len(executive) >= 5
    for m in executive:
        difficulty, rationale = default_difficulty(catalog, m)
        assert difficulty == "low" and "経営者の決定" in rationale["ja"], m.id
        admin_like = measure_priority(catalog, m, difficulty="not_high")
        assert measure_priority(catalog, m).rank <= admin_like.rank, m.id
