"""Between the database and the pure core: build a core Assessment from stored rows, save a change.

Views call these; the rules themselves live in tebiki.core.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from tebiki import __version__
from tebiki.catalog import Catalog, get_catalog
from tebiki.core.applicability import Evaluator
from tebiki.core.assessment import Assessment, ItemState, coherence_problems
from tebiki.core.figures import Figures, figures
from tebiki.core.plan import Action, Row, action_list, actions, build_rows, exposure, scores
from tebiki.web.audit import log as audit
from tebiki.web.orgs.models import Organisation
from tebiki.web.recent import Recent

from .models import ItemChange, ItemRecord

STATE_FIELDS = ("status", "decision", "deadline", "owner", "reason", "importance", "difficulty", "override_reason")


RECORD_FIELDS = ("item", "scope", "status", "decision", "deadline", "owner", "reason", "importance", "difficulty",
                 "override_reason", "updated_at")


def record_to_state(rec: ItemRecord | tuple) -> ItemState:
    """A stored record (a model instance or a RECORD_FIELDS tuple) as a core ItemState."""
    if isinstance(rec, ItemRecord):
        rec = tuple(getattr(rec, name) for name in RECORD_FIELDS)
    item, scope, status, decision, deadline, owner, reason, importance, difficulty, override_reason, updated_at = rec
    return ItemState.model_construct(  # stored rows were validated when saved
        item=item, scope=scope, status=status, decision=decision or None, deadline=deadline, owner=owner or None,
        reason=reason or None, evidence=[], importance=importance or None, difficulty=difficulty or None,
        override_reason=override_reason or None, changed_by=None, changed_at=updated_at)


def _records(org: Organisation) -> list[tuple]:
    return list(ItemRecord.objects.filter(organisation=org).order_by("item", "scope").values_list(*RECORD_FIELDS))


def assessment_of(org: Organisation, records: list[tuple] | None = None) -> Assessment:
    """The organisation's assessment; records for departments that no longer exist are left out."""
    profile = org.get_profile()
    scopes = {"organisation", *(d.id for d in profile.departments)}
    if records is None:
        records = _records(org)
    items = [record_to_state(r) for r in records if r[1] in scopes]
    return Assessment.model_construct(schema_="tebiki-assessment/1", profile=profile, items=items, history=[],
                                      snapshots=[])


@dataclass
class Plan:
    """The organisation's plan; shared by every request with the same key, so read it, never change it. What is
    derived from it (the action list, exposure, scores, the day's figures) is computed once per plan too."""

    catalog: Catalog
    assessment: Assessment
    evaluator: Evaluator
    rows: list[Row]
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def _once(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:  # two threads may both compute it: the same value, kept once
            self._memo[key] = compute()
        return self._memo[key]

    def measures(self) -> list[Action]:
        """core.plan.actions(): one Action per measure with an open row, in the organisation's order."""
        return self._once("measures", lambda: actions(self.rows))

    def every_measure(self) -> list[Action]:
        """core.plan.actions(include_closed=True): every applicable measure, open or closed (the checklist)."""
        return self._once("every measure", lambda: actions(self.rows, include_closed=True))

    def actions(self) -> list[Row]:
        return self._once("actions", lambda: action_list(self.rows))

    def exposure(self):
        return self._once("exposure", lambda: exposure(self.catalog, self.rows))

    def scores(self):
        return self._once("scores", lambda: scores(self.rows))

    def figures(self, today: dt.date) -> Figures:
        return self._once(("figures", today), lambda: figures(self.catalog, self.rows, today))


# Everything derived from an organisation's records (the plan, Organisation.summary) is kept under a key naming
# all it derives from: the catalog's content, the code's version, the profile (departments included), the records
# (how many, the latest change, and the organisation's revision, which every saved item bumps in its transaction,
# so two changes in the same instant or a clock stepping back still make a new key) and the day (overdue moves
# with it). A change of any of them is a new key, so nothing has to remember to invalidate anything and nothing
# stale is served. The key costs one small aggregate query, whatever the organisation's size.


def derived_key(org: Organisation, records: int, last_change: dt.datetime | None, today: dt.date) -> str:
    profile = hashlib.sha256(json.dumps(org.profile, sort_keys=True).encode()).hexdigest()[:16]
    stamp = last_change.isoformat() if last_change else "-"
    return (f"{get_catalog().fingerprint}/{__version__}/{profile}/{org.revision}/{records}/{stamp}/"
            f"{today.isoformat()}")


def _stamps(orgs: list[Organisation]) -> dict[int, tuple[int, dt.datetime | None]]:
    rows = (ItemRecord.objects.filter(organisation__in=orgs).order_by().values("organisation_id")
            .annotate(n=Count("id"), last=Max("updated_at")))
    return {r["organisation_id"]: (r["n"], r["last"]) for r in rows}


def _stamp(org: Organisation) -> tuple[int, dt.datetime | None]:
    got = ItemRecord.objects.filter(organisation=org).aggregate(n=Count("id"), last=Max("updated_at"))
    return got["n"], got["last"]


# The plan is computed once per change, not per request: plans live in a small per-process LRU under their derived
# key, and their rows in Django's cache (the database cache table), so the server's other processes reuse them.
PLAN_FORMAT = 1  # bump when Row changes shape: cached rows are pickles of this code's Row
PLAN_CACHE_SIZE = 32  # plans per process (a plan is a few hundred rows)
PLAN_CACHE_SECONDS = 24 * 3600  # the key names the day: older entries are never asked for again
_recent: Recent[Plan] = Recent(PLAN_CACHE_SIZE)


def plan_key(org: Organisation, today: dt.date, stamp: tuple[int, dt.datetime | None] | None = None) -> str:
    n, last = stamp or _stamp(org)
    digest = hashlib.sha256(derived_key(org, n, last, today).encode()).hexdigest()
    return f"tebiki-plan/{PLAN_FORMAT}/{org.id}/{digest}"


def plan_of(org: Organisation) -> Plan:
    """The organisation's current plan: from the per-process LRU, else Django's cache, else built (and kept)."""
    catalog = get_catalog()
    key = plan_key(org, timezone.localdate())
    plan = _recent.get(key)
    if plan is not None:
        return plan
    assessment = assessment_of(org)
    evaluator = Evaluator(catalog, assessment.profile)
    rows = cache.get(key)
    if rows is None:
        rows = build_rows(catalog, assessment, evaluator)
        cache.set(key, rows, timeout=PLAN_CACHE_SECONDS)
    plan = Plan(catalog, assessment, evaluator, rows)
    return _recent.put(key, plan)


def refresh_summary(org: Organisation, stamp: tuple[int, dt.datetime | None] | None = None) -> dict[str, Any]:
    """Recompute and store the organisation's figures; returns them."""
    if not org.is_ready:
        org.summary = {}
    else:
        today = timezone.localdate()
        n, last = stamp or _stamp(org)
        org.summary = {"key": derived_key(org, n, last, today),
                       **plan_of(org).figures(today).as_dict()}
    org.save(update_fields=["summary"])
    return org.summary


def summaries(orgs: list[Organisation]) -> dict[int, dict[str, Any]]:
    """The figures of each organisation, from its stored summary where that is current, else recomputed."""
    today = timezone.localdate()
    stamps = _stamps(orgs)
    out = {}
    for org in orgs:
        if not org.is_ready:
            out[org.id] = {}
            continue
        n, last = stamps.get(org.id, (0, None))
        current = org.summary.get("key") == derived_key(org, n, last, today)
        out[org.id] = org.summary if current else refresh_summary(org, (n, last))
    return out


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
    Organisation.objects.filter(pk=org.pk).update(revision=F("revision") + 1)  # locks the row until commit
    org.refresh_from_db(fields=["revision"])
    state = {name: getattr(rec, name) for name in STATE_FIELDS}
    state["deadline"] = rec.deadline.isoformat() if isinstance(rec.deadline, dt.date) else None
    ItemChange.objects.create(organisation=org, item=item, scope=scope, state=state, changed_by=user,
                              changed_at=rec.updated_at)
    audit.record("item.change", actor=user, request=request, organisation=org, target=f"{item} / {scope}", data=state)
    refresh_summary(org)
    return rec
