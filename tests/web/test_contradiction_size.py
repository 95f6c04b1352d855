"""A "done, but devices or workers disagree" flag names the first few devices and workers and counts the rest, so
the dashboard and the item page stay the same size however large the fleet and the staff are."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tebiki.agent.rules import CHECK_IDS
from tebiki.core.evidence import NAMED
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.devices.models import EnrolmentToken
from tebiki.web.devices.service import ingest_many
from tebiki.web.people import service
from tebiki.web.people.models import Answer, Worker

ITEM, SCOPE = "mic-v5:admin:E-7", "office"  # disk encryption gives evidence for it


def test_a_device_flag_names_the_first_failing_devices_and_counts_the_rest(cast):
    token, _ = EnrolmentToken.issue(cast.org, "test", cast.admin)
    failing = NAMED + 7
    ingest_many(token, [{"key": f"r-{i:03d}-report", "as_of": dt.date.today(),
                         "device": {"key": f"d-{i:03d}", "hostname": f"PC-{i:03d}", "os": "windows"},
                         "checks": {cid: {"verdict": "fail" if cid == "disk_encryption" and i < failing else "pass"}
                                    for cid in CHECK_IDS}} for i in range(failing + 3)])
    save_item(cast.org, ITEM, SCOPE, {"status": "done"}, cast.admin)
    c = cast.client(cast.viewer)
    named = ", ".join(f"PC-{i:03d}" for i in range(NAMED))
    item = c.get(reverse("item", args=[cast.org.id, ITEM, SCOPE])).content.decode()
    flag = item.split('id="contradiction">')[1].split("</p>")[0]
    assert f"要対応の端末 {failing} 台" in flag and f"({named} ほか 7 台)" in flag
    assert f"PC-{NAMED:03d}" not in flag
    board = c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    section = board.split('id="contradictions">')[1].split("</section>")[0]
    assert f"{named} ほか 7 台" in section and f"PC-{NAMED:03d}" not in section


def test_a_self_check_flag_names_the_first_workers_who_said_no_and_counts_the_rest(cast):
    said_no = NAMED + 2
    workers = [Worker.objects.create(organisation=cast.org, name=f"勤務者{i:02d}", email=f"w{i}@test.example",
                                     department="sales") for i in range(said_no + 1)]
    campaign = service.create_campaign(cast.org, "12月の点検", ["sales"], timezone.localdate() + dt.timedelta(days=7),
                                       cast.admin)
    service.open_campaign(campaign, "http://testserver", send=False)
    row = next(r for r in plan_of(cast.org).rows if r.item in campaign.items and r.applies and r.role == "worker"
               and r.scope in ("organisation", "sales"))
    for i, w in enumerate(workers):
        Answer.objects.create(organisation=cast.org, campaign=campaign, worker=w, item=row.item,
                              value="no" if i < said_no else "yes")
    save_item(cast.org, row.item, row.scope, {"status": "done"}, cast.admin)
    c = cast.client(cast.viewer)
    named = ", ".join(f"勤務者{i:02d}" for i in range(NAMED))
    item = c.get(reverse("item", args=[cast.org.id, row.item, row.scope])).content.decode()
    flag = item.split('id="contradiction-answers">')[1].split("</p>")[0]
    assert f"勤務者 {said_no + 1} 人中 {said_no} 人" in flag and f"{named} ほか 2 人" in flag
    assert f"勤務者{NAMED:02d}" not in flag
    board = c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    section = board.split('id="contradictions">')[1].split("</section>")[0]
    assert f"{named} ほか 2 人" in section and f"勤務者{NAMED:02d}" not in section


def test_the_dashboard_names_the_first_contradicted_items_and_points_to_the_report(cast):
    from tebiki.agent.rules import check_texts
    from tebiki.web.assessments.views import DASHBOARD_LIST

    token, _ = EnrolmentToken.issue(cast.org, "test", cast.admin)
    ingest_many(token, [{"key": "r-all-fail-0001", "as_of": dt.date.today(),
                         "device": {"key": "d-001", "hostname": "PC-001", "os": "windows"},
                         "checks": {cid: {"verdict": "fail"} for cid in CHECK_IDS}}])
    evidenced = {m for t in check_texts().values() for m in t["measures"]}
    rows = [r for r in plan_of(cast.org).rows if r.applies and r.item in evidenced]
    assert len(rows) > DASHBOARD_LIST
    for r in rows:
        save_item(cast.org, r.item, r.scope, {"status": "done"}, cast.admin)
    board = cast.client(cast.viewer).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    section = board.split('id="contradictions">')[1].split("</section>")[0]
    assert section.count("<li") == DASHBOARD_LIST
    more = section.split('id="contradictions-more">')[1].split("</p>")[0]
    assert f"ほかに {len(rows) - DASHBOARD_LIST} 件" in more and reverse("reports", args=[cast.org.id]) in more
