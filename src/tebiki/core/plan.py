"""From an assessment to its plan: rows per applicable item and scope, the action list, exposure, scores.

Everything here is derived on demand from the catalog, the profile and the recorded states.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from tebiki.catalog import Catalog

from .applicability import Applicability, Evaluator
from .assessment import STATUS_VALUE, Assessment, ItemState
from .priority import Priority, measure_priority

OPEN_STATUSES = ("unchecked", "not_done", "partly")


@dataclass(frozen=True)
class Row:
    """One measure in one scope: whether it applies and why, its priority and what was recorded."""

    item: str
    scope: str
    scope_name: str
    role: str
    category: str
    level: str
    title: dict[str, str]
    applies: bool
    reason: dict[str, str]
    priority: Priority
    status: str
    decision: str | None
    deadline: dt.date | None
    owner: str | None
    note: str | None

    @property
    def is_open(self) -> bool:
        return self.applies and self.status in OPEN_STATUSES and self.decision not in ("not_needed", "done")

    def overdue(self, today: dt.date) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < today


@dataclass
class Exposure:
    id: str
    title: dict[str, str]
    state: str  # exposed / partly / covered / not_applicable
    met: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)


def build_rows(catalog: Catalog, assessment: Assessment, evaluator: Evaluator | None = None) -> list[Row]:
    evaluator = evaluator or Evaluator(catalog, assessment.profile)
    states = assessment.states()
    names = {d.id: d.name for d in assessment.profile.departments}
    names["organisation"] = assessment.profile.name
    rows = []
    for m in catalog.measures:
        results: list[Applicability] = evaluator.decide(
            m.id, m.applies_when, "organisation" if m.scope == "organisation" else "department")
        for res in results:
            state = states.get((m.id, res.scope)) or ItemState(item=m.id, scope=res.scope)
            status = state.status if res.applies else "na"
            rows.append(Row(
                item=m.id, scope=res.scope, scope_name=names[res.scope], role=m.role, category=m.category,
                level=m.level, title=m.title.model_dump(), applies=res.applies, reason=res.reason,
                priority=measure_priority(catalog, m, state.importance, state.difficulty),
                status=status, decision=state.decision, deadline=state.deadline, owner=state.owner,
                note=state.reason,
            ))
    return rows


def action_list(rows: list[Row]) -> list[Row]:
    """Open items, 最優先 first; then earlier deadlines, then catalog order."""
    open_rows = [r for r in rows if r.is_open]
    return sorted(open_rows, key=lambda r: (r.priority.rank, r.deadline or dt.date.max))


def _met(rows_for_item: list[Row]) -> float | None:
    applicable = [r for r in rows_for_item if r.applies]
    if not applicable:
        return None
    return sum(STATUS_VALUE.get(r.status, 0.0) if r.decision != "not_needed" else 0.0
               for r in applicable) / len(applicable)


def exposure(catalog: Catalog, rows: list[Row]) -> dict[str, list[Exposure]]:
    """For each trouble case and SSK risk type: which of its measures are unmet here."""
    by_item: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_item[r.item].append(r)

    def assess(entry_id: str, title: dict[str, str], measures: list[str]) -> Exposure:
        exp = Exposure(entry_id, title, "not_applicable")
        scores = []
        for mid in measures:
            value = _met(by_item[mid])
            if value is None:
                continue
            scores.append(value)
            (exp.met if value >= 1.0 else exp.unmet).append(mid)
        if scores:
            total = sum(scores)
            exp.state = "covered" if total == len(scores) else "exposed" if total == 0 else "partly"
        return exp

    return {
        "trouble_cases": [assess(c.id, c.title.model_dump(), c.measures) for c in catalog.trouble_cases],
        "risk_types": [assess(r.id, r.title.model_dump(), r.measures) for r in catalog.risk_types],
    }


def scores(rows: list[Row]) -> dict[str, dict[str, dict[str, float | int]]]:
    """Share done (partly = half) of applicable items by role, category, level and scope."""
    out: dict[str, dict[str, dict[str, float | int]]] = {}
    for axis in ("role", "category", "level", "scope"):
        groups: dict[str, list[Row]] = defaultdict(list)
        for r in rows:
            if r.applies:
                groups[getattr(r, axis)].append(r)
        out[axis] = {
            key: {"applicable": len(g), "done": sum(1 for r in g if r.status == "done"),
                  "score": round(sum(STATUS_VALUE.get(r.status, 0.0) for r in g) / len(g), 3)}
            for key, g in sorted(groups.items())
        }
    return out


def plan_json(catalog: Catalog, assessment: Assessment, today: dt.date) -> dict[str, Any]:
    """The plan as plain data (for --format json and reports)."""
    evaluator = Evaluator(catalog, assessment.profile)
    rows = build_rows(catalog, assessment, evaluator)

    def row_dict(r: Row) -> dict[str, Any]:
        d = asdict(r)
        d["priority"] = {"id": r.priority.priority, "rank": r.priority.rank, "title": r.priority.title,
                         "importance": r.priority.importance, "difficulty": r.priority.difficulty}
        d["deadline"] = r.deadline.isoformat() if r.deadline else None
        d["overdue"] = r.overdue(today)
        return d

    exp = exposure(catalog, rows)
    states = assessment.states()
    policies = []
    for p in catalog.policies:
        res = evaluator.decide(p.id, p.applies_when, "organisation")[0]
        state = states.get((p.id, "organisation")) or ItemState(item=p.id)
        policies.append({"item": p.id, "level": p.level, "negative": p.negative, "title": p.title.model_dump(),
                         "applies": res.applies, "reason": res.reason, "status": state.status if res.applies else "na",
                         "decision": state.decision})
    return {
        "schema": "tebiki-plan/1",
        "organisation": assessment.profile.name,
        "date": today.isoformat(),
        "actions": [row_dict(r) for r in action_list(rows)],
        "not_applicable": [row_dict(r) for r in rows if not r.applies],
        "policies": policies,
        "exposure": {k: [asdict(e) for e in v] for k, v in exp.items()},
        "scores": scores(rows),
        "counts": {"rows": len(rows), "applicable": sum(r.applies for r in rows),
                   "open": sum(r.is_open for r in rows), "overdue": sum(r.overdue(today) for r in rows)},
    }
