"""tebiki.web.sql.plain_rows gives the rows the ORM gives, on the cursor when no column needs converting."""

from __future__ import annotations

from django.db.models import TextField
from django.db.models.functions import Cast

from tebiki.web.devices.models import Device
from tebiki.web.people.models import Worker
from tebiki.web.sql import plain_rows


def make_workers(org) -> None:
    dept = org.profile["departments"][0]["id"]
    for i, name in enumerate(["佐藤", 'R&D <b>"x\'', "鈴木", ""]):
        Worker.objects.create(organisation=org, name=name or f"w{i}", email=f"w{i}@test.example", department=dept)


def test_integers_and_text_come_as_the_orm_gives_them(cast):
    make_workers(cast.org)
    qs = Worker.objects.filter(organisation=cast.org).order_by("name").values_list("id", "name", "department")
    rows = plain_rows(qs)
    assert rows and [tuple(r) for r in rows] == list(qs.all())


def test_columns_that_need_converting_go_through_the_orm(cast):
    Device.objects.create(organisation=cast.org, key="k1", hostname="pc-1", os="linux", latest={"firewall": "fail"})
    dates = Device.objects.filter(organisation=cast.org).values_list("hostname", "last_seen", "latest")
    assert plain_rows(dates) == list(dates.all())  # aware date-times and decoded JSON, not the database's text
    assert isinstance(plain_rows(dates)[0][2], dict)
    text = Device.objects.filter(organisation=cast.org).values_list(Cast("latest", TextField()))
    assert '"fail"' in plain_rows(text)[0][0]


def test_a_filter_that_can_match_nothing_gives_no_rows(cast):
    make_workers(cast.org)
    assert plain_rows(Worker.objects.filter(id__in=[]).values_list("id")) == []
    assert plain_rows(Worker.objects.filter(organisation=cast.org, name="nobody").values_list("id")) == []
