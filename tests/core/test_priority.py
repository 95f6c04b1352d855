"""Priority = importance × difficulty, reproducing the first-edition checklist's matrix exactly."""

import pytest

from tebiki.catalog import get_catalog
from tebiki.core.priority import default_difficulty, default_importance, measure_priority, priority_of

catalog = get_catalog()

# (importance, difficulty) -> (priority id, rank). The first three rows are the source's 最優先 / 優先;
# the rest is tebiki's documented extension of the same matrix, ordered.
MATRIX = [
    ("high", "low", "top", 1),
    ("high", "not_high", "high", 2),
    ("medium", "low", "high", 2),
    ("high", "high", "normal", 3),
    ("medium", "not_high", "normal", 3),
    ("low", "low", "normal", 3),
    ("medium", "high", "later", 4),
    ("low", "not_high", "later", 4),
    ("low", "high", "optional", 5),
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


def test_advanced_measures_default_to_high_difficulty():
    for m in catalog.measures:
        difficulty, basis = default_difficulty(m)
        assert (difficulty == "high") == (m.level == "advanced"), m.id
        assert basis["ja"] and basis["en"]


def test_a_measure_named_by_several_trouble_cases_is_important():
    f2 = catalog.by_id["mic-v5:admin:F-2"]  # named by cases 4, 5, 6 and 7
    assert default_importance(catalog, f2)[0] == "high"
    assert measure_priority(catalog, f2).priority in ("top", "high")


def test_an_override_changes_the_priority_and_says_so():
    m = catalog.by_id["mic-v5:admin:L-2"]
    p = measure_priority(catalog, m, importance="high", difficulty="low")
    assert p.priority == "top"
    assert p.importance_basis["en"] == "set by the organisation"


def test_importance_levels_are_all_used():
    levels = {default_importance(catalog, m)[0] for m in catalog.measures}
    assert levels == {"high", "medium", "low"}
