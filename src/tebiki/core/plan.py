"""From an assessment to its plan: rows per applicable item and scope, the action list, exposure, scores.

Everything here is derived on demand from the catalog, the profile and the recorded states. A Row is one
measure in one scope; an Action groups the rows of one measure, so that a measure is listed (and ranked)
once, with the departments it concerns. `actions()` is the organisation's order; every screen, report and the
CLI show that order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from tebiki.catalog import Catalog

from .applicability import Applicability, Evaluator
from .assessment import PROBLEM_TEXT, STATUS_VALUE, Assessment, ItemState, applicability_problems, record
from .errors import DataError
from .priority import Context, Priority, measure_priority
from .reasons import LEVEL_LABELS, Part, Reason, render

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
    why: Reason = field(default_factory=lambda: Reason(applies=False))  # `reason`, as data
    departments: tuple[str, ...] = ()  # IDs of the departments this row concerns
    people: int = 0  # teleworkers in those departments

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
    profile = assessment.profile
    states = assessment.states()
    names = {d.id: d.name for d in profile.departments}
    names["organisation"] = profile.name
    people = {d.id: d.people for d in profile.departments}
    everyone = max(sum(people.values()), 1)
    admin = profile.admin
    rows = []
    for m in catalog.measures:
        results: list[Applicability] = evaluator.decide(
            m.id, m.applies_when, "organisation" if m.scope == "organisation" else "department")
        concerned = {d for res in results if res.applies for d in res.departments}
        ctx = Context(evaluator.org_facts, sum(people[d] for d in concerned) / everyone, admin)
        default = measure_priority(catalog, m, context=ctx)
        for res in results:
            if m.byod is not None and res.applies and _private_devices(evaluator, res):
                res = _with_byod_note(res, m.byod.model_dump())
            state = states.get((m.id, res.scope)) or ItemState(item=m.id, scope=res.scope)
            status = state.status if res.applies else "na"
            overridden = state.importance is not None or state.difficulty is not None
            rows.append(Row(
                item=m.id, scope=res.scope, scope_name=names[res.scope], role=m.role, category=m.category,
                level=m.level, title=m.title.model_dump(), applies=res.applies, reason=res.reason,
                priority=measure_priority(catalog, m, state.importance, state.difficulty, ctx) if overridden
                else default,
                status=status, decision=state.decision, deadline=state.deadline, owner=state.owner,
                note=state.reason, why=res.why, departments=res.departments,
                people=sum(people[d] for d in res.departments),
            ))
    return rows


def applies_in(catalog: Catalog, profile: Any, item: str, scope: str) -> Applicability:
    """Whether a measure or policy applies in one scope ("organisation" or a department ID), and why."""
    entry = catalog.by_id[item]
    kind = "department" if getattr(entry, "scope", "organisation") == "department" else "organisation"
    return next(r for r in Evaluator(catalog, profile).decide(item, entry.applies_when, kind) if r.scope == scope)


def record_checked(catalog: Catalog, assessment: Assessment, item: str, scope: str, changed_by: str,
                   now: dt.datetime, **changes: Any) -> Assessment:
    """record() plus the status rule: a row that does not apply refuses done / partly / will do.

    Raises DataError naming the item, scope and why it does not apply; the input is never modified.
    """
    updated = record(assessment, item, scope, changed_by, now, **changes)
    state = updated.state(item, scope)
    res = applies_in(catalog, assessment.profile, item, scope)
    problems = applicability_problems(res.applies, state.status, state.decision)
    if problems:
        field_name, code = problems[0]
        raise DataError(f"{item} / {scope}", field_name, f"{PROBLEM_TEXT[code]} — {res.reason['en']} ({res.reason['ja']})")
    return updated


def _private_devices(evaluator: Evaluator, res: Applicability) -> bool:
    depts = [res.scope] if res.scope != "organisation" else list(evaluator.facts)
    return any("byod" in evaluator.facts[d]["terminal"] for d in depts)


def _with_byod_note(res: Applicability, note: dict[str, str]) -> Applicability:
    """The result with the measure's note on private devices added to its reason."""
    why = replace(res.why, parts=(*res.why.parts, Part("byod_note", label=note)))
    return replace(res, why=why, reason=why.texts())


def no_longer_applying(rows: list[Row], assessment: Assessment) -> list[ItemState]:
    """Recorded answers on measures that do not apply (any more), e.g. after the profile changed.

    Answers that already say "not applicable" or "not needed" are not listed.
    """
    off = {(r.item, r.scope) for r in rows if not r.applies}
    return [s for s in assessment.items if s.key in off
            and (s.status not in ("unchecked", "na") or s.decision in ("done", "will_do"))]


def action_list(rows: list[Row]) -> list[Row]:
    """Open rows in the organisation's order (the order of actions()); rows of one measure stay together."""
    return [r for a in actions(rows) for r in a.rows if r.is_open]


@dataclass(frozen=True)
class Action:
    """One measure to act on, with every applicable row (scope) it has in this organisation."""

    item: str
    title: dict[str, str]
    role: str
    category: str
    level: str
    priority: Priority  # the tier: priority.priority (id), .rank, .title
    rank: int  # position in the organisation's list, 1 = first
    score: float  # the risk model's score; orders actions within a tier
    why: tuple[Part, ...]  # one line, structured: who it protects, trouble cases, level …
    why_text: dict[str, str]  # `why` rendered, {"ja": …, "en": …}
    scopes: tuple[str, ...]  # the rows' scopes ("organisation" or department IDs)
    departments: tuple[str, ...]  # IDs of the departments it concerns
    department_names: tuple[str, ...]
    people: int  # teleworkers in those departments
    rows: tuple[Row, ...]  # the applicable rows, in profile order
    status: str  # combined status of the rows
    statuses_differ: bool  # rows disagree: show the per-scope statuses
    decision: str | None  # the rows' decision when they agree, else None

    @property
    def tier(self) -> str:
        """The priority tier's id (top, high, normal, later); its label is priority.title."""
        return self.priority.priority

    @property
    def is_open(self) -> bool:
        return any(r.is_open for r in self.rows)

    @property
    def open_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.is_open)

    @property
    def deadline(self) -> dt.date | None:
        """The earliest deadline among open rows."""
        dates = [r.deadline for r in self.rows if r.is_open and r.deadline]
        return min(dates) if dates else None

    def overdue(self, today: dt.date) -> bool:
        return any(r.overdue(today) for r in self.rows)


def combined_status(statuses: list[str]) -> str:
    """One status for several scopes: theirs when they agree; partly when some work is done."""
    if len(set(statuses)) == 1:
        return statuses[0]
    if any(s in ("done", "partly") for s in statuses):
        return "partly"
    return "not_done" if "not_done" in statuses else "unchecked"


def _why(group: list[Row], first: Row, departments: tuple[str, ...], names: dict[str, str],
         count: int) -> tuple[Part, ...]:
    """One line: who it protects · trouble cases · the organisation's facts that raised it · level · effort."""
    p = first.priority
    facts = [part for part in first.why.parts if part.kind == "fact"]
    if first.why.everyone or not facts:
        parts = [Part("why_all", people=count)]
    else:
        lead = facts[0]
        # the methods behind a derived fact, over every row (e.g. VPN for sales, remote desktop for design)
        via = {v["ja"]: v for r in group for part in r.why.parts
               if (part.fact, part.value) == (lead.fact, lead.value) for v in part.via}
        parts = [Part("why_who", fact=lead.fact, value=lead.value, label=lead.label, via=tuple(via.values()),
                      departments=tuple(names[d] for d in departments), people=count)]
    if p.cases:
        parts.append(Part("why_cases", numbers=p.cases))
    parts += p.factors
    parts.append(Part("why_level", label=LEVEL_LABELS[first.level]))
    if p.overridden:
        parts.append(Part("why_override"))
    elif p.effort:
        parts.append(Part("why_effort", label=p.effort))
    return tuple(parts)


def actions(rows_or_plan: Any, include_closed: bool = False) -> list[Action]:
    """The organisation's action list: one Action per measure, in priority order (rank 1 = first).

    Accepts the rows of build_rows() or anything with `.rows`, such as the web app's plan — all of them: the
    department names come from the department rows. Only measures with
    an open row are listed unless *include_closed* (the checklist shows every measure in this order).
    """
    rows: list[Row] = list(getattr(rows_or_plan, "rows", rows_or_plan))
    by_item: dict[str, list[Row]] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r.scope != "organisation":
            names[r.scope] = r.scope_name
        if r.applies:
            by_item.setdefault(r.item, []).append(r)
    order = {item: i for i, item in enumerate(dict.fromkeys(r.item for r in rows))}
    built = []
    for item, group in by_item.items():
        if not include_closed and not any(r.is_open for r in group):
            continue
        first = min(group, key=lambda r: (r.priority.rank, -r.priority.score))
        depts = tuple(dict.fromkeys(d for r in group for d in r.departments))
        people = max(r.people for r in group) if first.scope == "organisation" else sum(r.people for r in group)
        why = _why(group, first, depts, names, people)
        statuses = [r.status for r in group]
        decisions = {r.decision for r in group}
        built.append(Action(
            item=item, title=first.title, role=first.role, category=first.category, level=first.level,
            priority=first.priority, rank=0, score=float(first.priority.score), why=why,
            why_text={lang: render(why, lang) for lang in ("ja", "en")},
            scopes=tuple(r.scope for r in group), departments=depts,
            department_names=tuple(names[d] for d in depts if d in names), people=people,
            rows=tuple(group), status=combined_status(statuses), statuses_differ=len(set(statuses)) > 1,
            decision=next(iter(decisions)) if len(decisions) == 1 else None,
        ))
    built.sort(key=lambda a: (a.priority.rank, -a.score, a.deadline or dt.date.max, order[a.item]))
    return [replace(a, rank=i) for i, a in enumerate(built, start=1)]


def _met(rows_for_item: list[Row]) -> float | None:
    applicable = [r for r in rows_for_item if r.applies]
    if not applicable:
        return None
    return sum(STATUS_VALUE.get(r.status, 0.0) if r.decision != "not_needed" else 0.0
               for r in applicable) / len(applicable)


def exposure(catalog: Catalog, rows: list[Row]) -> dict[str, list[Exposure]]:
    """For each trouble case and SSK risk type: which of its measures are unmet here.

    A trouble case the organisation is not exposed to (e.g. case 1 without internet-facing remote access) is
    not_applicable even if some of its measures apply for other reasons.
    """
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

    def case(c: Any) -> Exposure:
        # the rows' priorities list the cases this organisation is exposed to (TroubleCase.exposed_when)
        if not any(c.number in r.priority.cases for mid in c.measures for r in by_item[mid] if r.applies):
            return Exposure(c.id, c.title.model_dump(), "not_applicable")
        return assess(c.id, c.title.model_dump(), c.measures)

    return {
        "trouble_cases": [case(c) for c in catalog.trouble_cases],
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
    grouped = actions(rows)

    def priority_dict(p: Priority) -> dict[str, Any]:
        return {"id": p.priority, "rank": p.rank, "title": p.title, "importance": p.importance,
                "difficulty": p.difficulty, "score": p.score}

    def row_dict(r: Row) -> dict[str, Any]:
        d = asdict(r)
        d["priority"] = priority_dict(r.priority)
        d["why"] = r.why.as_dict()
        d["departments"] = list(r.departments)
        d["deadline"] = r.deadline.isoformat() if r.deadline else None
        d["overdue"] = r.overdue(today)
        return d

    def action_dict(a: Action) -> dict[str, Any]:
        return {"item": a.item, "rank": a.rank, "title": a.title, "role": a.role, "category": a.category,
                "level": a.level, "tier": a.tier, "priority": priority_dict(a.priority), "score": a.score,
                "why": [p.as_dict() for p in a.why], "why_text": a.why_text, "scopes": list(a.scopes),
                "departments": list(a.departments), "people": a.people, "status": a.status,
                "statuses_differ": a.statuses_differ, "decision": a.decision,
                "deadline": a.deadline.isoformat() if a.deadline else None, "overdue": a.overdue(today),
                "rows": [{"scope": r.scope, "status": r.status, "decision": r.decision,
                          "deadline": r.deadline.isoformat() if r.deadline else None, "owner": r.owner,
                          "overdue": r.overdue(today)} for r in a.rows]}

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
        "actions": [row_dict(r) for a in grouped for r in a.rows if r.is_open],
        "actions_grouped": [action_dict(a) for a in grouped],
        "not_applicable": [row_dict(r) for r in rows if not r.applies],
        "policies": policies,
        "exposure": {k: [asdict(e) for e in v] for k, v in exp.items()},
        "scores": scores(rows),
        "counts": {"rows": len(rows), "applicable": sum(r.applies for r in rows),
                   "open": sum(r.is_open for r in rows), "overdue": sum(r.overdue(today) for r in rows),
                   "actions": len(grouped)},
    }
