"""Web timings for `make bench`: the consultant overview with 10 vs 1,000 organisations of 50 items each.

Runs against a throw-away SQLite database in a temporary data directory.
"""

from __future__ import annotations

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
    from tebiki.web.assessments.service import plan_of, summarise
    from tebiki.web.orgs.management.commands.demo import DEMO
    from tebiki.web.orgs.models import Membership, Organisation, Role

    call_command("migrate", verbosity=0)
    import yaml

    from tebiki.core.profile import Profile

    profile = Profile.model_validate(yaml.safe_load(DEMO.read_text(encoding="utf-8"))["profile"]).model_dump(mode="json")
    template = Organisation.objects.create(name="template", profile=profile)
    rows = [r for r in plan_of(template).rows if r.applies][:50]
    summary = summarise(plan_of(template))

    def consultant(n: int) -> Client:
        user = User.objects.create(email=f"c{n}@bench.example", password="!")
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"顧客{n}-{i:04d}", profile=profile, summary=summary) for i in range(n))
        Membership.objects.bulk_create(Membership(user=user, organisation=o, role=Role.CONSULTANT) for o in orgs)
        ItemRecord.objects.bulk_create(
            ItemRecord(organisation=o, item=r.item, scope=r.scope, status="not_done", decision="will_do",
                       deadline="2020-01-01", owner="担当") for o in orgs for r in rows)
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


# ---------------------------------------------------------------- tebiki serve + PostgreSQL under concurrent clients

BIG_WORKERS = 300


def build_big_org() -> None:
    """The demo organisation grown to BIG_WORKERS workers who all answered its open campaign, and a session of a
    worker-role member for the load clients. Prints the organisation ID and the session key. Run in the server's
    environment: python -m tebiki.web shell -c "from tebiki.web.bench import build_big_org; build_big_org()"."""
    import io
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from tebiki.core.campaign import items_for
    from tebiki.web.accounts.models import User
    from tebiki.web.assessments.service import refresh_summary
    from tebiki.web.orgs.models import Membership, Organisation, Role
    from tebiki.web.people.models import Answer, Campaign, Submission, Worker

    call_command("demo", stdout=io.StringIO())
    org = Organisation.objects.get()
    campaign = Campaign.objects.filter(organisation=org, opened_at__isnull=False).first()
    departments = [d["id"] for d in org.profile["departments"]]
    workers = Worker.objects.bulk_create(
        Worker(organisation=org, name=f"勤務者 {n:03d}", email=f"w{n:03d}@bench.example",
               department=departments[n % len(departments)])
        for n in range(BIG_WORKERS - Worker.objects.filter(organisation=org).count()))
    Answer.objects.bulk_create(
        Answer(organisation=org, campaign=campaign, worker=w, item=item, value="yes" if (i + w.id) % 4 else "no")
        for w in workers for i, item in enumerate(items_for(campaign.items, w.department)))
    Submission.objects.bulk_create(Submission(organisation=org, campaign=campaign, worker=w) for w in workers)
    refresh_summary(org)
    user = User.objects.create(email="reader@bench.example", password="!", name="reader")
    Membership.objects.create(user=user, organisation=org, role=Role.WORKER)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    session.create()
    print(org.id, session.session_key)


def _p95(url: str, cookie: str, clients: int, per_client: int) -> float:
    """95th-percentile latency of *clients* threads each fetching *url* *per_client* times."""
    import statistics
    import threading
    import time
    import urllib.request

    times: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(per_client):
            start = time.perf_counter()
            req = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
            with urllib.request.urlopen(req, timeout=120) as r:
                r.read()
                assert r.status == 200, url
            with lock:
                times.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if len(times) != clients * per_client:
        raise RuntimeError(f"{url}: {clients * per_client - len(times)} requests failed")
    return statistics.quantiles(times, n=20)[-1]


def serve_rows(clients: int = 20, per_client: int = 5) -> list[tuple[str, float, str, str]]:
    """Dashboard and checklist of a 300-worker organisation on `tebiki serve` + PostgreSQL under *clients* concurrent
    loopback clients: p95 as a ratio to the sign-in page's p95 on the same server, in the same run.

    PostgreSQL: $TEBIKI_BENCH_PG_URL (an empty database), or as root on Debian a throw-away role and database."""
    import os
    import secrets
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    url, cleanup = os.environ.get("TEBIKI_BENCH_PG_URL", ""), None
    if not url:
        if not (shutil.which("pg_ctlcluster") and os.geteuid() == 0):
            return [("tebiki serve + PostgreSQL, 20 clients", float("nan"), "–", "no PostgreSQL (set TEBIKI_BENCH_PG_URL)")]
        name, password = f"tebiki_bench_{os.getpid()}", secrets.token_hex(12)

        def psql(*sql: str) -> None:
            subprocess.run(["su", "postgres", "-c", "psql -q " + " ".join(f"-c \"{s}\"" for s in sql)], cwd="/", check=True,
                           capture_output=True)

        version = sorted(os.listdir("/etc/postgresql"), key=float)[-1]
        subprocess.run(["pg_ctlcluster", version, "main", "start"], capture_output=True)
        psql(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'", f"CREATE DATABASE {name} OWNER {name}")
        url = f"postgres://{name}:{password}@127.0.0.1:5432/{name}"

        def cleanup() -> None:
            psql(f"DROP DATABASE IF EXISTS {name}", f"DROP ROLE IF EXISTS {name}")

    data = tempfile.mkdtemp(prefix="tebiki-bench-serve-")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "DATABASE_URL": url, "TEBIKI_DATA_DIR": data, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1"}
    python = sys.executable
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = None
    try:
        subprocess.run([python, "-m", "tebiki.web", "migrate", "--noinput", "-v0"], env=env, check=True)
        out = subprocess.run([python, "-m", "tebiki.web", "shell", "--no-imports", "-c",
                              "from tebiki.web.bench import build_big_org; build_big_org()"],
                             env=env, check=True, capture_output=True, text=True).stdout.split()
        org, cookie = out[-2], out[-1]
        server = subprocess.Popen([str(Path(python).with_name("tebiki")), "serve", "--port", str(port), "--workers", "3",
                                   "--access-log", os.devnull], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        pages = {"sign-in": (base + "/accounts/login/", ""), "dashboard": (f"{base}/o/{org}/", cookie),
                 "checklist": (f"{base}/o/{org}/checklist/", cookie)}
        for page_url, c in pages.values():  # warm every worker's caches
            _p95(page_url, c, 3, 2)
        p95 = {page: _p95(page_url, c, clients, per_client) for page, (page_url, c) in pages.items()}
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)
        if cleanup:
            cleanup()
    base_p95 = p95["sign-in"]
    label = f"tebiki serve + PostgreSQL, {clients} clients, {BIG_WORKERS}-worker organisation: p95"
    rows = [(f"{label} of the sign-in page", base_p95, "1.00×", "baseline")]
    for page, goal in (("dashboard", 4), ("checklist", 8)):
        ratio = p95[page] / base_p95
        rows.append((f"{label} of the {page}", p95[page], f"{ratio:.1f}×", f"≤ {goal}× {'✓' if ratio <= goal else '✗'}"))
    return rows
