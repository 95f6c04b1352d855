"""Between the database and the pure core: build a core Assessment from stored rows, save a change.

Views call these; the rules themselves live in tebiki.core.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tebiki.catalog import Catalog, get_catalog
from tebiki.core.applicability import Evaluator
from tebiki.core.assessment import Assessment, ItemState, coherence_problems
from tebiki.core.plan import Row, action_list, build_rows, exposure, scores
from tebiki.web.audit import log as audit
from tebiki.web.orgs.models import Organisation

from .models import ItemChange, ItemRecord

STATE_FIELDS = ("status", "decision", "deadline", "owner", "reason", "importance", "difficulty", "override_reason")


def record_to_state(rec: ItemRecord) -> ItemState:
    return ItemState.model_construct(  # stored rows were validated when saved
        item=rec.item, scope=rec.scope, status=rec.status, decision=rec.decision or None, deadline=rec.deadline,
        owner=rec.owner or None, reason=rec.reason or None, evidence=[], importance=rec.importance or None,
        difficulty=rec.difficulty or None, override_reason=rec.override_reason or None, changed_by=None,
        changed_at=rec.updated_at)


def assessment_of(org: Organisation, records: list[ItemRecord] | None = None) -> Assessment:
    """The organisation's assessment; records for departments that no longer exist are left out."""
    profile = org.get_profile()
    scopes = {"organisation", *(d.id for d in profile.departments)}
    if records is None:
        records = list(ItemRecord.objects.filter(organisation=org))
    items = [record_to_state(r) for r in records if r.scope in scopes]
    return Assessment.model_construct(schema_="tebiki-assessment/1", profile=profile, items=items, history=[],
                                      snapshots=[])


@dataclass
class Plan:
    catalog: Catalog
    assessment: Assessment
    evaluator: Evaluator
    rows: list[Row]

    def actions(self) -> list[Row]:
        return action_list(self.rows)

    def exposure(self):
        return exposure(self.catalog, self.rows)

    def scores(self):
        return scores(self.rows)


def plan_of(org: Organisation) -> Plan:
    catalog = get_catalog()
    assessment = assessment_of(org)
    evaluator = Evaluator(catalog, assessment.profile)
    return Plan(catalog, assessment, evaluator, build_rows(catalog, assessment, evaluator))


def summarise(plan: Plan) -> dict[str, Any]:
    """The few numbers the consultant overview shows, stored on the organisation after each change."""
    rows = plan.rows
    applicable = [r for r in rows if r.applies]
    sc = plan.scores()
    exp = plan.exposure()["trouble_cases"]
    return {
        "applicable": len(applicable),
        "done": sum(r.status == "done" for r in applicable),
        "open": sum(r.is_open for r in rows),
        "top_open": sum(r.is_open and r.priority.rank == 1 for r in rows),
        "score": round(sum(v["score"] * v["applicable"] for v in sc["role"].values()) / max(len(applicable), 1), 3),
        "by_role": {k: v["score"] for k, v in sc["role"].items()},
        "exposed_cases": sum(e.state == "exposed" for e in exp),
        "partly_cases": sum(e.state == "partly" for e in exp),
    }


def refresh_summary(org: Organisation) -> None:
    org.summary = summarise(plan_of(org)) if org.is_ready else {}
    org.save(update_fields=["summary"])


class InvalidState(ValueError):
    """A change the core rules refuse; `problems` maps form fields to problem codes."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(", ".join(code for _, code in problems))
        self.problems = problems


def item_scopes(plan: Plan, item: str) -> list[str]:
    return [r.scope for r in plan.rows if r.item == item]


@transaction.atomic
def save_item(org: Organisation, item: str, scope: str, values: dict[str, Any], user, request=None) -> ItemRecord:
    """Apply *values* (a subset of STATE_FIELDS) to (item, scope); all or nothing, with a history entry."""
    rec = (ItemRecord.objects.select_for_update().filter(organisation=org, item=item, scope=scope).first()
           or ItemRecord(organisation=org, item=item, scope=scope))
    for name in STATE_FIELDS:
        if name in values:
            value = values[name]
            setattr(rec, name, "" if value is None and name != "deadline" else value)
    problems = coherence_problems(rec.status, rec.decision or None, rec.deadline, rec.owner or None, rec.reason or None)
    if problems:
        raise InvalidState(problems)
    rec.updated_by = user
    rec.updated_at = timezone.now()
    rec.save()
    state = {name: getattr(rec, name) for name in STATE_FIELDS}
    state["deadline"] = rec.deadline.isoformat() if isinstance(rec.deadline, dt.date) else None
    ItemChange.objects.create(organisation=org, item=item, scope=scope, state=state, changed_by=user,
                              changed_at=rec.updated_at)
    audit.record("item.change", actor=user, request=request, organisation=org, target=f"{item} / {scope}", data=state)
    refresh_summary(org)
    return rec
