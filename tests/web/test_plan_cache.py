"""The plan is computed once per change: a request with nothing changed reuses it, and every kind of change
(a record, the profile, the departments, the catalog, the day) yields the new plan, never the cached one."""

from __future__ import annotations

import dataclasses
import datetime as dt

import time_machine
from django.core.cache import cache
from django.utils import timezone

from tebiki.catalog import get_catalog, loader
from tebiki.core.plan import build_rows
from tebiki.web.assessments import service
from tebiki.web.assessments.models import ItemRecord
from tebiki.web.assessments.service import assessment_of, plan_of, save_item
from tebiki.web.orgs.models import Organisation


def fresh(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)  # as the next request loads it


def built(org: Organisation) -> list:
    """The plan built from scratch, bypassing every cache."""
    return build_rows(get_catalog(), assessment_of(org))


def row(plan, item: str, scope: str):
    return next(r for r in plan.rows if r.item == item and r.scope == scope)


def test_an_unchanged_organisation_reuses_its_plan(cast):
    first = plan_of(fresh(cast.org))
    assert plan_of(fresh(cast.org)) is first
    assert first.rows == built(cast.org)


def test_another_process_reuses_the_rows_from_djangos_cache(cast):
    first = plan_of(fresh(cast.org))
    service._recent.clear()  # as in another server process: only the database cache is shared
    again = plan_of(fresh(cast.org))
    assert again is not first and again.rows == first.rows
    cache.clear()
    service._recent.clear()
    assert plan_of(fresh(cast.org)).rows == first.rows


def test_a_saved_record_yields_the_new_plan(cast):
    target = next(r for r in plan_of(fresh(cast.org)).rows if r.applies)
    save_item(cast.org, target.item, target.scope, {"status": "done", "decision": "done"}, cast.admin)
    assert row(plan_of(fresh(cast.org)), target.item, target.scope).status == "done"


def test_two_saves_in_the_same_instant_each_yield_the_new_plan(cast):
    """Not keyed by a timestamp alone: with the clock standing still (or stepping back), the revision moves."""
    first, second = [r for r in plan_of(fresh(cast.org)).rows if r.applies][:2]
    with time_machine.travel(timezone.now(), tick=False):
        save_item(cast.org, first.item, first.scope, {"status": "partly"}, cast.admin)
        assert row(plan_of(fresh(cast.org)), first.item, first.scope).status == "partly"
        save_item(cast.org, second.item, second.scope, {"status": "partly"}, cast.admin)
        assert row(plan_of(fresh(cast.org)), second.item, second.scope).status == "partly"
        save_item(cast.org, first.item, first.scope, {"status": "done", "decision": "done"}, cast.admin)
        assert row(plan_of(fresh(cast.org)), first.item, first.scope).status == "done"
    with time_machine.travel(timezone.now() - dt.timedelta(hours=1), tick=False):  # the clock stepped back
        save_item(cast.org, second.item, second.scope, {"status": "not_done"}, cast.admin)
        assert row(plan_of(fresh(cast.org)), second.item, second.scope).status == "not_done"


def test_records_written_outside_save_item_yield_the_new_plan(cast):
    """Bulk writes (the demo, an import) do not bump the revision; the count and the latest change see them."""
    target = next(r for r in plan_of(fresh(cast.org)).rows if r.applies)
    ItemRecord.objects.create(organisation=cast.org, item=target.item, scope=target.scope, status="done",
                              decision="done")
    assert row(plan_of(fresh(cast.org)), target.item, target.scope).status == "done"
    ItemRecord.objects.filter(organisation=cast.org, item=target.item).delete()
    assert row(plan_of(fresh(cast.org)), target.item, target.scope).status == "unchecked"


def test_a_profile_edit_yields_the_new_plan(cast):
    before = plan_of(fresh(cast.org))
    profile = dict(cast.org.profile, name="改名商事")
    Organisation.objects.filter(pk=cast.org.pk).update(profile=profile)
    after = plan_of(fresh(cast.org))
    assert {r.scope_name for r in after.rows if r.scope == "organisation"} == {"改名商事"}
    assert after.rows == built(fresh(cast.org)) != before.rows


def test_a_department_change_yields_the_new_plan(cast):
    before = plan_of(fresh(cast.org))
    gone = cast.org.profile["departments"][0]["id"]
    assert any(r.scope == gone for r in before.rows)
    profile = dict(cast.org.profile, departments=[d for d in cast.org.profile["departments"] if d["id"] != gone])
    Organisation.objects.filter(pk=cast.org.pk).update(profile=profile)
    after = plan_of(fresh(cast.org))
    assert not any(r.scope == gone for r in after.rows)
    assert after.rows == built(fresh(cast.org))


def test_a_catalog_change_yields_the_new_plan(cast, monkeypatch):
    before = plan_of(fresh(cast.org))
    catalog = get_catalog()
    first = catalog.measures[0]
    renamed = first.model_copy(update={"title": first.title.model_copy(update={"ja": "改訂された対策"})})
    changed = dataclasses.replace(catalog, measures=[renamed, *catalog.measures[1:]])
    assert changed.fingerprint != catalog.fingerprint
    monkeypatch.setattr(loader, "_cached", changed)  # the catalog a restarted process would load
    after = plan_of(fresh(cast.org))
    assert {r.title["ja"] for r in after.rows if r.item == first.id} == {"改訂された対策"}
    assert {r.title["ja"] for r in before.rows if r.item == first.id} == {first.title.ja}


def test_a_new_day_yields_a_new_plan(cast):
    today = plan_of(fresh(cast.org))
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        tomorrow = plan_of(fresh(cast.org))
        assert tomorrow is not today
        assert plan_of(fresh(cast.org)) is tomorrow
    assert service.plan_key(cast.org, timezone.localdate()) != service.plan_key(
        cast.org, timezone.localdate() + dt.timedelta(days=1))


def test_organisations_never_share_a_plan(cast):
    same = dict(cast.org.profile)
    Organisation.objects.filter(pk=cast.other.pk).update(profile=same)
    ours, theirs = plan_of(fresh(cast.org)), plan_of(fresh(cast.other))
    assert ours is not theirs
    assert service.plan_key(cast.org, timezone.localdate()) != service.plan_key(cast.other, timezone.localdate())
