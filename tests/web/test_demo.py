"""`python -m tebiki.web demo`: the demo organisation a newcomer lands in after `make run`."""

from __future__ import annotations

import io
import re

from django.core.management import call_command

from tebiki.web.accounts.models import User
from tebiki.web.assessments.models import ItemRecord
from tebiki.web.devices.models import CheckReport, Device
from tebiki.web.devices.service import fleet
from tebiki.web.orgs.models import Organisation


def signs_in(password: str) -> bool:
    return User.objects.get(email="demo@tebiki.example").check_password(password)


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_partly_filled_organisation_with_devices_and_prints_a_working_password(db):
    out = run_demo()
    password = re.search(r"password:\s+(\S+)", out).group(1)
    assert len(password) >= 12
    assert signs_in(password)

    org = Organisation.objects.get(name="サンプル商事株式会社")
    states = set(ItemRecord.objects.filter(organisation=org).values_list("status", flat=True))
    assert {"done", "partly", "not_done"} <= states
    assert 0 < org.summary["done"] < org.summary["applicable"]

    assert Device.objects.filter(organisation=org).count() == 5
    assert CheckReport.objects.filter(organisation=org).count() == 10
    summary = fleet(org)
    assert summary["disk_encryption"]["pass"] == 4 and summary["disk_encryption"].get("fail", 0) == 1


def test_running_it_again_changes_nothing_and_shows_no_password(db):
    run_demo()
    counts = (ItemRecord.objects.count(), Device.objects.count(), CheckReport.objects.count())
    out = run_demo()
    assert "shown once" not in out and not re.search(r"password:\s+\S{12,}\s", out)
    assert (ItemRecord.objects.count(), Device.objects.count(), CheckReport.objects.count()) == counts
    assert Organisation.objects.filter(name="サンプル商事株式会社").count() == 1


def test_reset_password_prints_a_new_one_that_works(db):
    first = re.search(r"password:\s+(\S+)", run_demo()).group(1)
    second = re.search(r"password:\s+(\S+)", run_demo("--reset-password")).group(1)
    assert first != second
    assert not signs_in(first)
    assert signs_in(second)
