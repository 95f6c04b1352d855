"""Sessions keep their 8-hour inactivity expiry but are written only when they change or their expiry moves by
SESSION_TOUCH_SECONDS; they live in the database, so several app processes share them."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries
               if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


def test_pages_viewed_within_a_few_minutes_do_not_rewrite_the_session(cast):
    url = reverse("dashboard", args=[cast.org.id])
    with time_machine.travel(START, tick=False):
        c = cast.client(cast.worker)
        c.get(url)
        first = expiry(c)
    with time_machine.travel(START + dt.timedelta(minutes=2), tick=False):
        assert session_writes(c, url) == 0
        assert session_writes(c, url) == 0
    assert expiry(c) == first


def test_the_expiry_moves_once_the_touch_interval_has_passed(cast):
    url = reverse("dashboard", args=[cast.org.id])
    with time_machine.travel(START, tick=False):
        c = cast.client(cast.worker)
        c.get(url)
    later = START + dt.timedelta(seconds=settings.SESSION_TOUCH_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert session_writes(c, url) == 1
    assert expiry(c) == later + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_eight_idle_hours_after_the_last_write_end_the_session(cast):
    url = reverse("dashboard", args=[cast.org.id])
    with time_machine.travel(START, tick=False):
        c = cast.client(cast.worker)
        c.get(url)
    with time_machine.travel(START + dt.timedelta(minutes=4), tick=False):
        c.get(url)  # not written: the expiry stays 8 hours after START
    with time_machine.travel(START + dt.timedelta(hours=8, seconds=1), tick=False):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_the_cache_is_a_database_table_that_every_process_reads(db):
    cache.set("tebiki-test", "shared", 60)
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM tebiki_cache")
        assert cur.fetchone()[0] == 1
    assert cache.get("tebiki-test") == "shared"
