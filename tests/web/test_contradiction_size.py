"""A "done, but devices disagree" flag names the first few failing devices and counts the rest, so the dashboard and
the item page stay the same size however large the fleet is."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tebiki.agent.rules import CHECK_IDS
from tebiki.web.assessments.service import save_item
from tebiki.web.devices.models import EnrolmentToken
from tebiki.web.devices.service import NAMED_DEVICES, ingest_many

ITEM, SCOPE = "mic-v5:admin:E-7", "office"  # disk encryption gives evidence for it


def test_a_flag_names_the_first_failing_devices_and_counts_the_rest(cast):
    token, _ = EnrolmentToken.issue(cast.org, "test", cast.admin)
    failing = NAMED_DEVICES + 7
    ingest_many(token, [{"key": f"r-{i:03d}", "as_of": dt.date.today(),
                         "device": {"key": f"d-{i:03d}", "hostname": f"PC-{i:03d}", "os": "windows"},
                         "checks": {cid: {"verdict": "fail" if cid == "disk_encryption" and i < failing else "pass"}
                                    for cid in CHECK_IDS}} for i in range(failing + 3)])
    save_item(cast.org, ITEM, SCOPE, {"status": "done"}, cast.admin)
    c = cast.client(cast.viewer)
    item = c.get(reverse("item", args=[cast.org.id, ITEM, SCOPE])).content.decode()
    flag = item.split('id="contradiction">')[1].split("</p>")[0]
    named = ", ".join(f"PC-{i:03d}" for i in range(NAMED_DEVICES))
    assert f"要対応の端末 {failing} 台" in flag and f"({named} ほか 7 台)" in flag
    assert f"PC-{NAMED_DEVICES:03d}" not in flag
    board = c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    section = board.split('id="contradictions">')[1].split("</section>")[0]
    assert f"{named} ほか 7 台" in section and f"PC-{NAMED_DEVICES:03d}" not in section
