"""Score, overdue and exposure are counted once (core.figures): the dashboard and the consultant overview agree,
even on records the plan no longer has a row for, and the stored summary never shows stale figures."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from tebiki.web.assessments.models import ItemRecord
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.assessments.views import dashboard_context
from tebiki.web.orgs.models import Organisation


def shown(cast) -> tuple[dict, dict]:
    """What the dashboard and the overview each show for the cast's organisation."""
    client = cast.client(cast.admin)
    assert client.get(reverse("dashboard", args=[cast.org.id])).status_code == 200
    dash = dashboard_context(Organisation.objects.get(pk=cast.org.pk), timezone.localdate(), None)  # its body's
    (row,) = [r for r in client.get(reverse("overview")).context["rows"] if r["org"].id == cast.org.id]
    return ({"overdue": len(dash["overdue"]), "open": dash["open_count"], "done": dash["done"],
             "exposed": sum(c.state == "exposed" for c in dash["cases"]), "score": round(dash["overall"], 3)},
            {k: row[k] for k in ("overdue", "open", "done", "exposed", "score")})


def plan_later(org, user, row, days_ago: int = 1) -> None:
    save_item(org, row.item, row.scope, {"status": "not_done", "decision": "will_do", "owner": "佐藤",
                                         "deadline": timezone.localdate() - dt.timedelta(days=days_ago)}, user)


def test_dashboard_and_overview_agree_on_records_the_plan_no_longer_has(cast):
    rows = plan_of(cast.org).rows
    plan_later(cast.org, cast.admin, next(r for r in rows if r.applies))
    gone = next(r for r in rows if not r.applies)  # a measure that does not apply (any more)
    past = timezone.localdate() - dt.timedelta(days=3)
    for item, scope in ((gone.item, gone.scope), (rows[0].item, "removed-department")):
        ItemRecord.objects.create(organisation=cast.org, item=item, scope=scope, status="not_done",
                                  decision="will_do", deadline=past, owner="x")
    dashboard, overview = shown(cast)
    assert dashboard == overview
    assert dashboard["overdue"] == 1


def test_the_stored_summary_is_recomputed_when_what_it_derives_from_changes(cast):
    row = next(r for r in plan_of(cast.org).rows if r.applies and r.scope != "organisation")
    plan_later(cast.org, cast.admin, row, days_ago=0)  # due today: not yet overdue
    assert shown(cast)[1]["overdue"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert shown(cast)[1]["overdue"] == 1  # the day moved on
    assert shown(cast)[1]["overdue"] == 0
    # a department removed behind the summary's back (no refresh): its records stop counting
    profile = cast.org.get_profile().model_dump(mode="json")
    profile["departments"] = [d for d in profile["departments"] if d["id"] != row.scope]
    Organisation.objects.filter(id=cast.org.id).update(profile=profile)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        dashboard, overview = shown(cast)
    assert overview["overdue"] == dashboard["overdue"] == 0


def test_a_current_summary_is_read_not_recomputed(cast):
    shown(cast)
    stored = Organisation.objects.get(id=cast.org.id).summary
    Organisation.objects.filter(id=cast.org.id).update(summary={**stored, "open": 9999})
    assert shown(cast)[1]["open"] == 9999  # same key: the stored figures are used as they are
    Organisation.objects.filter(id=cast.org.id).update(summary={**stored, "key": "old", "open": 9999})
    assert shown(cast)[1]["open"] == shown(cast)[0]["open"]
