"""Priority for one organisation: a risk score turned into importance, crossed with difficulty (catalog data).

Importance is scored by tebiki's risk model (catalog `priority_model`, in mic-checklist-1/priority_model.yaml):
points for the trouble cases the measure addresses that this organisation is exposed to, the SSK risk types it
counters, the share of teleworkers it protects, and the organisation's own facts (factors such as
internet-facing remote access or private devices). Thresholds turn the score into high / medium / low.
Difficulty comes from the model's rules (level, role, category). The first-edition checklist's table
(`priority_rule`) turns importance x difficulty into a tier: 最優先 and 優先 as the source defines them, then
tebiki's own tiers, in which a basic measure never falls below an advanced one. Within a tier the score orders.
Overrides of importance or difficulty (with a reason) replace the computed ones. docs/priority.md explains it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from tebiki.catalog import Catalog
from tebiki.catalog.schema import Measure

from .conditions import evaluate
from .reasons import LEVEL_LABELS, Part, render

SET_BY_ORGANISATION = {"ja": "組織による変更", "en": "set by the organisation"}


@dataclass(frozen=True)
class Context:
    """What the model needs to know about the organisation for one measure."""

    facts: Mapping[str, Set[Any]]  # the organisation's facts (applicability.organisation_facts)
    share: float = 1.0  # share of teleworkers the measure concerns, 0..1
    admin: str = "inhouse"


@dataclass(frozen=True)
class Priority:
    importance: str  # high / medium / low
    difficulty: str  # high / not_high / low
    priority: str  # tier id from the catalog's priority rule, e.g. "top"
    rank: int  # the tier's rank, 1 = 最優先
    title: dict[str, str]
    importance_basis: dict[str, str]
    difficulty_basis: dict[str, str]
    score: float = 0.0  # orders measures within a tier (higher first)
    cases: tuple[int, ...] = ()  # numbers of the trouble cases the measure addresses here
    factors: tuple[Part, ...] = ()  # the organisation's facts that raised the score, as why parts
    effort: dict[str, str] = field(default_factory=dict)  # rough effort, {ja, en}
    overridden: bool = False


def exposed_cases(catalog: Catalog, measure: Measure, facts: Mapping[str, Set[Any]]) -> list[int]:
    """Numbers of the trouble cases naming *measure* that this organisation is exposed to."""
    return [c.number for c in catalog.cases_for_measure[measure.id] if evaluate(c.exposed_when, facts) is not False]


def _factor_applies(factor: Any, measure: Measure) -> bool:
    return measure.id in factor.measures or measure.category in factor.categories


def score(catalog: Catalog, measure: Measure, ctx: Context) -> tuple[float, list[int], list[Any]]:
    """The measure's risk score here, with the exposed cases and the factors that counted."""
    model = catalog.priority_model
    w = model.weights
    cases = exposed_cases(catalog, measure, ctx.facts)
    risks = len(catalog.risks_for_measure[measure.id])
    total = w.trouble_case.points * min(len(cases), w.trouble_case.cap or len(cases))
    total += w.risk_type.points * min(risks, w.risk_type.cap or risks)
    total += w.people.points * ctx.share
    factors = [f for f in model.factors if _factor_applies(f, measure) and evaluate(f.when, ctx.facts)]
    total += sum(f.points for f in factors)
    return round(total, 3), cases, factors


def importance_of(catalog: Catalog, points: float) -> str:
    """Score -> importance by the model's thresholds (a score at a threshold reaches it)."""
    t = catalog.priority_model.thresholds
    if points >= t.high:
        return "high"
    if points >= t.medium:
        return "medium"
    return "low"


def default_difficulty(catalog: Catalog, measure: Measure) -> tuple[str, dict[str, str]]:
    """The first of the model's difficulty rules that matches the measure."""
    for rule in catalog.priority_model.difficulty:
        if ((rule.level is None or rule.level == measure.level)
                and (not rule.roles or measure.role in rule.roles)
                and (not rule.categories or measure.category in rule.categories)):
            return rule.difficulty, rule.rationale.model_dump()
    raise AssertionError("the catalog guarantees a catch-all difficulty rule")  # pragma: no cover


def effort_of(catalog: Catalog, difficulty: str, admin: str) -> dict[str, str]:
    effort = next(e for e in catalog.priority_model.effort
                  if e.difficulty == difficulty and e.admin in (admin, "any"))
    return effort.label.model_dump()


def priority_of(catalog: Catalog, importance: str, difficulty: str) -> tuple[str, int, dict[str, str]]:
    rule = catalog.priority_rule
    cell = next(c for c in rule.matrix if c.importance == importance and c.difficulty == difficulty)
    level = next(p for p in rule.priorities if p.id == cell.priority)
    return level.id, level.rank, level.title.model_dump()


def _basis(points: float, cases: list[int], factors: list[Any]) -> dict[str, str]:
    parts = [Part("why_score", people=None, label={"ja": f"{points:g} 点", "en": f"{points:g} points"})]
    if cases:
        parts.append(Part("why_cases", numbers=tuple(cases)))
    parts += [Part("why_factor", label=f.label.model_dump()) for f in factors]
    return {lang: render(parts, lang) for lang in ("ja", "en")}


def measure_priority(catalog: Catalog, measure: Measure, importance: str | None = None,
                     difficulty: str | None = None, context: Context | None = None) -> Priority:
    """The priority of *measure* for the organisation in *context*; explicit importance/difficulty win.

    Without a context every trouble case counts as exposed and the measure concerns everyone.
    """
    ctx = context or Context(facts={})
    points, cases, factors = score(catalog, measure, ctx)
    imp, imp_basis = importance_of(catalog, points), _basis(points, cases, factors)
    dif, dif_basis = default_difficulty(catalog, measure)
    if importance is not None:
        imp, imp_basis = importance, SET_BY_ORGANISATION
    if difficulty is not None:
        dif, dif_basis = difficulty, SET_BY_ORGANISATION
    pid, rank, title = priority_of(catalog, imp, dif)
    factor_parts = tuple(Part("why_factor", label=f.label.model_dump()) for f in factors)
    return Priority(imp, dif, pid, rank, title, imp_basis, dif_basis, points, tuple(cases), factor_parts,
                    effort_of(catalog, dif, ctx.admin), overridden=importance is not None or difficulty is not None)


__all__ = ["Context", "Priority", "LEVEL_LABELS", "default_difficulty", "exposed_cases", "importance_of",
           "measure_priority", "priority_of", "score"]
