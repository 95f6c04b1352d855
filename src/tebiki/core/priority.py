"""Priority = importance × difficulty, with the matrix of the first-edition checklist (catalog data).

Default importance comes from documented data: how many of the guideline's trouble cases name the
measure and how many SSK risk types it counters. Default difficulty comes from the level
(basic / advanced) and the measure's nature (who does it, which category). Both can be overridden per
organisation with a reason. The rule is written down in docs/priority.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from tebiki.catalog import Catalog
from tebiki.catalog.schema import Measure

# Categories whose basic measures are rules, information gathering or training: no special skill or cost.
LOW_EFFORT_ADMIN_CATEGORIES = frozenset("ALM")
HIGH_IMPORTANCE_POINTS = 4
MEDIUM_IMPORTANCE_POINTS = 2


@dataclass(frozen=True)
class Priority:
    importance: str  # high / medium / low
    difficulty: str  # high / not_high / low
    priority: str  # id from the catalog's priority rule, e.g. "top"
    rank: int  # 1 = 最優先
    title: dict[str, str]
    importance_basis: dict[str, str]
    difficulty_basis: dict[str, str]
    score: float = 0.0  # orders measures within a tier (higher first)
    cases: tuple[int, ...] = ()  # numbers of the trouble cases the measure addresses here


def importance_points(catalog: Catalog, measure: Measure) -> int:
    """2 points per trouble case that names the measure, 1 per SSK risk type it counters."""
    return 2 * len(catalog.cases_for_measure[measure.id]) + len(catalog.risks_for_measure[measure.id])


def default_importance(catalog: Catalog, measure: Measure) -> tuple[str, dict[str, str]]:
    cases = len(catalog.cases_for_measure[measure.id])
    risks = len(catalog.risks_for_measure[measure.id])
    points = 2 * cases + risks
    if points >= HIGH_IMPORTANCE_POINTS:
        level = "high"
    elif points >= MEDIUM_IMPORTANCE_POINTS or measure.role == "executive":
        level = "medium"
    else:
        level = "low"
    basis = {
        "ja": f"トラブル事例 {cases} 件・リスク類型 {risks} 件に対応（{points} 点）"
              + ("、経営者の対策" if measure.role == "executive" else ""),
        "en": f"named by {cases} trouble case(s) and {risks} risk type(s) ({points} points)"
              + (", an executive measure" if measure.role == "executive" else ""),
    }
    return level, basis


def default_difficulty(measure: Measure) -> tuple[str, dict[str, str]]:
    if measure.level == "advanced":
        return "high", {"ja": "発展対策（予算や体制が必要）", "en": "advanced measure (needs budget or organisation)"}
    if measure.role in ("executive", "worker") or measure.category in LOW_EFFORT_ADMIN_CATEGORIES:
        return "low", {"ja": "基本対策で、決定・ルール・行動が中心", "en": "basic measure: a decision, a rule or a habit"}
    return "not_high", {"ja": "基本対策だが技術的な設定や導入を伴う",
                        "en": "basic measure that needs technical set-up"}


def priority_of(catalog: Catalog, importance: str, difficulty: str) -> tuple[str, int, dict[str, str]]:
    rule = catalog.priority_rule
    cell = next(c for c in rule.matrix if c.importance == importance and c.difficulty == difficulty)
    level = next(p for p in rule.priorities if p.id == cell.priority)
    return level.id, level.rank, level.title.model_dump()


def measure_priority(catalog: Catalog, measure: Measure, importance: str | None = None,
                     difficulty: str | None = None) -> Priority:
    """The priority of *measure*; explicit importance/difficulty (overrides) win over the defaults."""
    imp, imp_basis = default_importance(catalog, measure)
    dif, dif_basis = default_difficulty(measure)
    if importance is not None:
        imp, imp_basis = importance, {"ja": "組織による変更", "en": "set by the organisation"}
    if difficulty is not None:
        dif, dif_basis = difficulty, {"ja": "組織による変更", "en": "set by the organisation"}
    pid, rank, title = priority_of(catalog, imp, dif)
    cases = tuple(c.number for c in catalog.cases_for_measure[measure.id])
    return Priority(imp, dif, pid, rank, title, imp_basis, dif_basis, float(importance_points(catalog, measure)),
                    cases)
