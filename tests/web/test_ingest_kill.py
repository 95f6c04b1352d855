"""Kill the server with SIGKILL while reports stream in: every acknowledged report is stored, whole.

A real server process (Django's threaded server on a SQLite file) receives reports from a sender thread;
after some have been acknowledged the process is killed without warning. The database file is then read
directly.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from tebiki.agent.rules import CHECK_IDS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, **kw):
    return subprocess.run([sys.executable, "-m", "tebiki.web", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=True, **kw)


def test_every_acknowledged_report_survives_a_sigkill(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TEBIKI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tebiki.web.settings")
    manage(env, "migrate", "-v0")
    token = manage(env, "shell", "-c", (
        "from tebiki.web.orgs.models import Organisation; from tebiki.web.devices.models import EnrolmentToken;"
        "o = Organisation.objects.create(name='kill'); print(EnrolmentToken.issue(o, 't', None)[1])")).stdout.split()[-1]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tebiki.web", "runserver", f"127.0.0.1:{port}", "--noreload"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/v1/agent/reports"
    acked: list[str] = []
    stop = threading.Event()

    def send(i: int) -> bool:
        body = {"idempotency_key": f"kill-{i:06d}", "as_of": "2026-11-24",
                "device": {"key": f"dev-{i % 5:04d}", "hostname": f"PC-{i % 5}", "os": "linux"},
                "checks": {cid: {"verdict": "pass", "evidence": {"i": i}} for cid in CHECK_IDS}}
        req = urllib.request.Request(url, json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status in (200, 201)
        except (urllib.error.URLError, OSError):
            return False

    def sender():
        i = 0
        while not stop.is_set():
            if send(i):
                acked.append(f"kill-{i:06d}")
            elif acked:  # the server is gone
                return
            else:
                time.sleep(0.05)  # not up yet
            i += 1

    try:
        t = threading.Thread(target=sender)
        t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        t.join(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert len(acked) >= 40
    db = sqlite3.connect(tmp_path / "tebiki.sqlite3")
    stored = {k for (k,) in db.execute("SELECT idempotency_key FROM devices_checkreport")}
    assert set(acked) <= stored
    partial = db.execute("SELECT r.id, COUNT(c.id) FROM devices_checkreport r LEFT JOIN devices_checkresult c "
                         "ON c.report_id = r.id GROUP BY r.id HAVING COUNT(c.id) != ?", (len(CHECK_IDS),)).fetchall()
    assert partial == []
