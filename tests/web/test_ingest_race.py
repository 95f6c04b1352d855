"""Two uploads of the same report at once: the one that commits second answers as a repeat and stores nothing.

On PostgreSQL the second upload's insert waits on the first one's uncommitted row with the same idempotency key,
then fails on the unique constraint when that commits; ingest_many starts its transaction again and finds the key
stored. Here the "first upload" is a second database connection that holds such a row uncommitted until it sees the
upload waiting for it (in pg_locks), so the race happens every time, not by chance. SQLite takes the write lock at
BEGIN (transaction_mode IMMEDIATE), so there a second writer waits before it reads anything and never meets the
constraint: that path is the plain repeat of test_devices.py::test_a_retried_report_is_stored_once.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from tebiki.web.devices.models import CheckReport, CheckResult, Device, EnrolmentToken
from tests.web.test_devices import post, report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the unique-constraint race exists on PostgreSQL only (SQLite serialises writers at BEGIN)")


def test_an_upload_racing_a_committed_twin_answers_as_a_repeat(postgres, cast):
    import psycopg

    _, token = EnrolmentToken.issue(cast.org, "PCs", cast.admin)
    device = Device.objects.create(organisation=cast.org, key="dev-0001", hostname="PC-001", os="windows")
    key = "race-report-0001"
    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], password=s["PASSWORD"],
                            dbname=s["NAME"])
    with other.cursor() as cur:  # the twin: stored, not yet committed
        cur.execute(f"INSERT INTO {CheckReport._meta.db_table} (organisation_id, device_id, idempotency_key, "
                    "received_at, as_of, source) VALUES (%s, %s, %s, %s, %s, 'agent') RETURNING id",
                    (cast.org.id, device.id, key, timezone.now(), "2026-11-20"))
        twin = cur.fetchone()[0]
    seen_waiting = threading.Event()

    def commit_once_the_upload_waits() -> None:
        with psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"],
                             password=s["PASSWORD"], dbname=s["NAME"], autocommit=True) as watcher:
            for _ in range(400):
                if watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                    seen_waiting.set()
                    break
                time.sleep(0.025)
        other.commit()

    committer = threading.Thread(target=commit_once_the_upload_waits)
    committer.start()
    try:
        answer = post(token, report(key=key))
    finally:
        committer.join(timeout=30)
        other.close()
    assert seen_waiting.is_set(), "the upload never waited on the twin's row: the race did not happen"
    assert answer.status_code == 200, answer.content
    assert answer.json()["report"] == twin and answer.json()["created"] is False
    assert "page" not in answer.json() or answer.json()["page"] is None  # no link for a report it did not store
    assert CheckReport.objects.filter(idempotency_key=key).count() == 1
    assert not CheckResult.objects.filter(report_id=twin).exists()  # the loser's results were rolled back
