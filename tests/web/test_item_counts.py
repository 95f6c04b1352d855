"""The item page counts one item's evidence by query: the same numbers as the full aggregation, fewer rows read."""

from __future__ import annotations

import io

from django.core.management import call_command

from tebiki.web.devices.service import fleet, fleet_for_measure
from tebiki.web.orgs.models import Organisation
from tebiki.web.people.models import Answer, Campaign
from tebiki.web.people.service import item_tally, results


def test_one_items_tally_by_query_equals_the_campaigns_aggregation(db):
    call_command("demo", stdout=io.StringIO())
    org = Organisation.objects.get(name="サンプル商事株式会社")
    campaign = Campaign.objects.filter(organisation=org, opened_at__isnull=False).first()
    assert Answer.objects.filter(campaign=campaign).exists()
    full = results(campaign)
    scopes = ["organisation", *(d.id for d in org.get_profile().departments), "no-such-department"]
    compared = 0
    for item in campaign.items:
        for scope in scopes:
            assert item_tally(campaign, item, scope) == full.tally(item, scope), (item, scope)
            compared += full.tally(item, scope) is not None
    assert compared > len(campaign.items)
    assert item_tally(campaign, "mic-v5:worker:no-such-item") is None


def test_fleet_counts_for_one_measure_are_the_fleets(db):
    call_command("demo", stdout=io.StringIO())
    org = Organisation.objects.get(name="サンプル商事株式会社")
    whole = fleet(org)
    assert whole["disk_encryption"] == {"pass": 4, "fail": 1, "unknown": 0, "devices": 5}
    from tebiki.agent.rules import check_texts

    measure = check_texts()["disk_encryption"]["measures"][0]
    for entry in fleet_for_measure(org, measure):
        assert {k: entry[k] for k in ("pass", "fail", "unknown", "devices")} == whole[entry["id"]]


def test_the_fleet_adds_up_devices_with_the_same_and_with_different_verdicts(db):
    from tebiki.web.devices.models import Device

    org, other = Organisation.objects.create(name="fleet"), Organisation.objects.create(name="other")
    latests = [{"firewall": "pass", "smb1": "fail"}, {"firewall": "pass", "smb1": "fail"},
               {"smb1": "fail", "firewall": "pass"}, {"firewall": "fail"}, {"firewall": "unknown", "smb1": "pass"}, {}]
    for n, latest in enumerate(latests):
        Device.objects.create(organisation=org, key=f"dev-{n:04d}", hostname=f"PC-{n}", os="linux", latest=latest)
    Device.objects.create(organisation=other, key="dev-9999", hostname="PC-X", os="linux", latest={"firewall": "fail"})
    counts = fleet(org, ["firewall", "smb1", "screen_lock"])
    assert counts == {"firewall": {"pass": 3, "fail": 1, "unknown": 1, "devices": 5},
                      "smb1": {"pass": 1, "fail": 3, "unknown": 0, "devices": 4},
                      "screen_lock": {"pass": 0, "fail": 0, "unknown": 0, "devices": 0}}
