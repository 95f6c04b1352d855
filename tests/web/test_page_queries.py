"""No main page's query count grows with the organisation: the same count on the demo and on a bigger
organisation (more departments, records, workers, answers, devices, reports and incidents than the demo)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.big import main_pages, pair, signed_in
from tebiki.web.assessments.models import ItemChange, ItemRecord
from tebiki.web.devices.models import CheckReport, Device
from tebiki.web.incidents.models import Incident
from tebiki.web.people.models import Answer, Worker


def queries(client, url: str) -> int:
    assert client.get(url).status_code == 200, url  # warm: the plan, the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_every_main_page_takes_as_many_queries_for_a_bigger_organisation(db):
    p = pair(workers=40, devices=12, departments=5, incidents=6)
    for model in (ItemRecord, ItemChange, Worker, Answer, Device, CheckReport, Incident):
        assert model.objects.filter(organisation=p.big).count() > model.objects.filter(organisation=p.demo).count(), model
    assert len(p.big.profile["departments"]) > len(p.demo.profile["departments"])
    small, big = signed_in(p.demo_user), signed_in(p.big_user)
    demo_pages, big_pages = main_pages(p.demo), main_pages(p.big)
    assert demo_pages.keys() == big_pages.keys()
    counts = {name: (queries(small, demo_pages[name]), queries(big, big_pages[name])) for name in demo_pages}
    assert {name: n for name, (n, m) in counts.items() if n != m} == {}, counts
