"""Sessions end after 8 hours without activity; MFA is required for every role that can change or decide."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse


def test_a_session_expires_after_eight_idle_hours_and_activity_extends_it(cast):
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        c = cast.client(cast.worker)
        url = reverse("dashboard", args=[cast.org.id])
        assert c.get(url).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=50), tick=False):
        assert c.get(url).status_code == 200  # activity restarts the 8 hours
    with time_machine.travel(start + dt.timedelta(hours=15, minutes=40), tick=False):
        assert c.get(url).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=23, minutes=41), tick=False):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role,forced", [("admin", True), ("executive", True), ("consultant", True),
                                         ("worker", False), ("viewer", False)])
def test_mfa_is_required_for_the_roles_that_decide(cast, role, forced):
    r = cast.client(getattr(cast, role), verified=False).get(reverse("dashboard", args=[cast.org.id]))
    if forced:
        assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/setup/")
    else:
        assert r.status_code == 200
