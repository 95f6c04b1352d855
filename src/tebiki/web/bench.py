"""Web timings for `make bench`: the consultant overview with 10 vs 1,000 organisations of 50 items each.

Runs against a throw-away SQLite database in a temporary data directory.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable


def overview_rows(best_of: Callable[..., float]) -> list[tuple[str, float, str, str]]:
    os.environ["TEBIKI_DATA_DIR"] = tempfile.mkdtemp(prefix="tebiki-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tebiki.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tebiki.web.accounts.models import User
    from tebiki.web.assessments.models import ItemRecord
    from tebiki.web.assessments.service import plan_of, refresh_summary
    from tebiki.web.orgs.management.commands.demo import DEMO
    from tebiki.web.orgs.models import Membership, Organisation, Role

    call_command("migrate", verbosity=0)
    import yaml

    from tebiki.core.profile import Profile

    profile = Profile.model_validate(yaml.safe_load(DEMO.read_text(encoding="utf-8"))["profile"]).model_dump(mode="json")
    template = Organisation.objects.create(name="template", profile=profile)
    rows = [r for r in plan_of(template).rows if r.applies][:50]
    changed = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)  # one time for every record, so one summary fits all
    ItemRecord.objects.bulk_create(
        ItemRecord(organisation=template, item=r.item, scope=r.scope, status="not_done", decision="will_do",
                   deadline="2020-01-01", owner="担当", updated_at=changed) for r in rows)
    summary = refresh_summary(template)

    def consultant(n: int) -> Client:
        user = User.objects.create(email=f"c{n}@bench.example", password="!")
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"顧客{n}-{i:04d}", profile=profile, summary=summary) for i in range(n))
        Membership.objects.bulk_create(Membership(user=user, organisation=o, role=Role.CONSULTANT) for o in orgs)
        ItemRecord.objects.bulk_create(
            ItemRecord(organisation=o, item=r.item, scope=r.scope, status="not_done", decision="will_do",
                       deadline="2020-01-01", owner="担当", updated_at=changed) for o in orgs for r in rows)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    small, large = consultant(10), consultant(1000)

    def get(client: Client) -> None:
        assert client.get("/orgs/").status_code == 200

    t_small = best_of(lambda: get(small), repeat=7)
    t_large = best_of(lambda: get(large), repeat=5)
    ratio = t_large / t_small
    return [
        ("consultant overview, 10 organisations × 50 items", t_small, "1.00×", "baseline"),
        ("consultant overview, 1,000 organisations × 50 items", t_large, f"{ratio:.1f}×",
         "well below 100× (linear) " + ("✓" if ratio < 50 else "✗")),
    ]


def ingestion_rows(best_of: Callable[..., float], paired: Callable[..., tuple[float, float]], n: int = 1000,
                   batch: int = 250) -> list[tuple[str, float, str, str]]:
    """Reports through the API vs the same rows written with sqlite3 executemany, in the same transactions.

    Two API paths: one report per request (what `tebiki check` sends) and the outbox batch endpoint; the raw
    baseline writes each batch's report and result rows with executemany in one transaction, with the same
    durability (WAL, synchronous=FULL). Call after overview_rows (Django set up).
    """
    import itertools
    import json
    import sqlite3

    from django.conf import settings
    from django.test import Client

    from tebiki.agent.rules import CHECK_IDS
    from tebiki.web.devices.models import EnrolmentToken
    from tebiki.web.orgs.models import Organisation

    org = Organisation.objects.create(name="ingest")
    _, token = EnrolmentToken.issue(org, "bench", None)
    client = Client()
    auth = {"Authorization": f"Bearer {token}"}
    counter = itertools.count()

    def report(i: int) -> dict:
        return {"idempotency_key": f"bench-{i:08d}", "as_of": "2026-11-24",
                "device": {"key": f"dev-{i % 50:04d}", "hostname": f"PC-{i % 50}", "os": "windows"},
                "checks": {cid: {"verdict": "pass", "reason": "", "evidence": {"v": i}} for cid in CHECK_IDS}}

    def single() -> None:
        for _ in range(n // 5):
            r = client.post("/api/v1/agent/reports", json.dumps(report(next(counter))),
                            content_type="application/json", headers=auth)
            assert r.status_code == 201

    runs = 4  # best_of: one warm-up and three timed runs; inputs are made beforehand, keys never repeat
    bodies = [[json.dumps({"reports": [report(next(counter)) for _ in range(batch)]}) for _ in range(n // batch)]
              for _ in range(runs)]

    def batched() -> None:
        for body in bodies.pop():
            r = client.post("/api/v1/agent/reports/batch", body, content_type="application/json", headers=auth)
            assert r.status_code == 200, r.content[:300]

    raw_db = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    raw_db.execute("PRAGMA synchronous=FULL")  # the app's durability: an acknowledged report survives power loss

    raw_batches = [[[report(next(counter)) for _ in range(batch)] for _ in range(n // batch)] for _ in range(runs)]

    def raw() -> None:
        device_id = org.devices.values_list("id", flat=True).first()
        for rows in raw_batches.pop():
            cur = raw_db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany("INSERT INTO devices_checkreport (organisation_id, device_id, idempotency_key, "
                            "received_at, as_of, source) VALUES (?, ?, ?, datetime('now'), ?, 'agent')",
                            [(org.id, device_id, "raw-" + r["idempotency_key"], r["as_of"]) for r in rows])
            last = cur.execute("SELECT MAX(id) FROM devices_checkreport").fetchone()[0]
            cur.executemany("INSERT INTO devices_checkresult (report_id, check_id, verdict, reason, evidence) "
                            "VALUES (?, ?, ?, ?, ?)",
                            [(last - batch + 1 + j, cid, c["verdict"], c["reason"], json.dumps(c["evidence"]))
                             for j, r in enumerate(rows) for cid, c in r["checks"].items()])
            cur.execute("UPDATE devices_device SET last_seen = datetime('now') WHERE organisation_id = ?", (org.id,))
            cur.execute("COMMIT")

    t_single = best_of(single, repeat=3) * 5  # timed on a fifth of the reports
    t_batch, t_raw = paired(batched, raw, repeat=3)
    return [
        (f"raw sqlite3 executemany, {n} reports × {len(CHECK_IDS)} rows", t_raw, "1.00×", "baseline"),
        (f"ingestion API, outbox batches of {batch}", t_batch, f"{t_raw / t_batch:.2f}× rate",
         "≥ 0.3× raw rate " + ("✓" if t_raw / t_batch >= 0.3 else "✗")),
        ("ingestion API, one report per request", t_single, f"{t_raw / t_single:.2f}× rate", "for comparison"),
    ]
