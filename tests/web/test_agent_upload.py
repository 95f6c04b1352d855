"""The agent and the capture script talking to a real running server (pytest-django's live_server)."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tebiki.agent
from tebiki.agent.rules import CHECK_IDS
from tebiki.agent.upload import Outbox
from tebiki.cli import app
from tebiki.web.devices.models import CheckReport, Device, DeviceLink, EnrolmentToken
from tebiki.web.orgs.models import Organisation, token_hash

SCRIPTS = Path(tebiki.agent.__file__).parent / "scripts"


@pytest.fixture
def org_token(transactional_db):
    org = Organisation.objects.create(name="ライブ株式会社")
    _, token = EnrolmentToken.issue(org, "live", None)
    return org, token


def test_tebiki_check_uploads_its_result(live_server, org_token, tmp_path, monkeypatch):
    org, token = org_token
    monkeypatch.setenv("TEBIKI_STATE_DIR", str(tmp_path))
    r = CliRunner().invoke(app, ["check", "--format", "json", "--report", live_server.url + "/api/v1/",
                                 "--token", token, "--owner", "山田", "--ownership", "company", "--link"])
    assert r.exit_code in (0, 1), r.output
    dev = Device.objects.get(organisation=org)
    assert dev.owner == "山田" and dev.os == "linux" and dev.key == (tmp_path / "device-id").read_text()
    assert set(dev.latest) == set(json.loads(r.stdout)["checks"])
    assert Outbox(tmp_path).pending() == []
    page = r.stderr.split("結果と直し方はこちら: ")[1].split()[0]
    assert page.startswith(live_server.url + "/d/tbd_")
    assert urllib.request.urlopen(page, timeout=10).status == 200  # noqa: S310 (the live test server)


def test_a_scheduled_check_asks_for_no_link_and_prints_none(live_server, org_token, tmp_path, monkeypatch):
    org, token = org_token
    monkeypatch.setenv("TEBIKI_STATE_DIR", str(tmp_path))
    r = CliRunner().invoke(app, ["check", "--report", live_server.url, "--token", token])  # not a terminal: cron
    assert r.exit_code in (0, 1), r.output
    assert CheckReport.objects.filter(organisation=org).count() == 1 and not DeviceLink.objects.exists()
    assert "/d/tbd_" not in r.output and "結果と直し方" not in r.stderr


def in_terminal(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run *command* on a pseudo-terminal, as a person at the device runs it: (exit status, what it showed)."""
    main, other = pty.openpty()
    done = subprocess.run(command, stdin=other, stdout=other, stderr=other, env=env, timeout=120)
    os.close(other)
    shown = b""
    with contextlib.suppress(OSError):  # the terminal's other end is closed: all is read
        while chunk := os.read(main, 65536):
            shown += chunk
    os.close(main)
    return done.returncode, shown.decode()


def shown_link(shown: str) -> str:
    """The device link's token in what a terminal showed (colours and line breaks taken out)."""
    page = re.search(r"/d/(tbd_[A-Za-z0-9_-]+)/", re.sub(r"\x1b\[[0-9;]*m|\s", "", shown))
    assert page is not None, shown
    return page.group(1)


def test_in_a_real_terminal_the_check_prints_the_link(live_server, org_token, tmp_path):
    """`tebiki check --report` as a person runs it: the installed command on a pseudo-terminal."""
    org, token = org_token
    env = {**os.environ, "TEBIKI_STATE_DIR": str(tmp_path), "COLUMNS": "200"}
    status, shown = in_terminal([str(Path(sys.executable).parent / "tebiki"), "check", "--report", live_server.url,
                                 "--token", token], env)
    assert status in (0, 1), shown
    assert DeviceLink.objects.get().token_hash == token_hash(shown_link(shown))


def test_unsent_reports_wait_in_the_outbox_and_go_once_the_server_answers(live_server, org_token, tmp_path,
                                                                           monkeypatch):
    org, token = org_token
    monkeypatch.setenv("TEBIKI_STATE_DIR", str(tmp_path))
    runner = CliRunner()
    down = runner.invoke(app, ["check", "--report", "http://127.0.0.1:9/api/v1/", "--token", token])
    assert down.exit_code in (0, 1)
    assert len(Outbox(tmp_path).pending()) == 1 and not CheckReport.objects.exists()
    runner.invoke(app, ["check", "--report", live_server.url, "--token", token])
    assert Outbox(tmp_path).pending() == []
    assert CheckReport.objects.filter(organisation=org).count() == 2
    assert Device.objects.filter(organisation=org).count() == 1  # the same device both times


def queued_report(i: int, **evidence) -> dict:
    return {"idempotency_key": f"queued-{i:04d}", "as_of": "2026-11-24",
            "device": {"key": "dev-queued", "hostname": "PC-Q", "os": "linux"},
            "checks": {cid: {"verdict": "pass", "reason": "", "evidence": dict(evidence)} for cid in CHECK_IDS}}


def test_a_long_outbox_goes_in_batches_and_a_refused_batch_report_by_report(live_server, org_token, tmp_path,
                                                                             monkeypatch):
    import tebiki.agent.upload as upload

    org, token = org_token
    calls = []
    real_send = upload.send
    monkeypatch.setattr(upload, "send", lambda *a: calls.append(a[2]) or real_send(*a))
    monkeypatch.setattr(upload, "BATCH_REPORTS", 3)
    box = Outbox(tmp_path)
    for i in range(7):
        box.put(queued_report(i, bad="\x00") if i == 4 else queued_report(i))
    out = box.flush(live_server.url, token)
    assert (out.sent, out.rejected, out.queued) == (6, 1, 0)
    # reports 0-2 in one batch; 3-5 refused as a batch (4 is bad), then one by one; 6 alone
    assert [len(c) if isinstance(c, list) else 1 for c in calls] == [3, 3, 1, 1, 1, 1]
    assert sorted(CheckReport.objects.filter(organisation=org).values_list("idempotency_key", flat=True)) == \
        [f"queued-{i:04d}" for i in range(7) if i != 4]
    assert [p.name for p in (tmp_path / "rejected").iterdir()] == ["queued-0004.json"]
    assert box.pending() == []


def test_a_report_refused_for_good_is_set_aside_not_retried(live_server, org_token, tmp_path, monkeypatch):
    monkeypatch.setenv("TEBIKI_STATE_DIR", str(tmp_path))
    r = CliRunner().invoke(app, ["check", "--report", live_server.url, "--token", "tbk_wrong"])
    assert "set aside 1" in r.output
    assert Outbox(tmp_path).pending() == [] and len(list((tmp_path / "rejected").iterdir())) == 1


def test_the_posix_capture_script_uploads_and_the_server_evaluates(live_server, org_token, tmp_path):
    org, token = org_token
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(tmp_path),
           "TEBIKI_STATE_DIR": str(tmp_path / "state")}
    done = subprocess.run(["sh", str(SCRIPTS / "capture.sh"), live_server.url + "/api/v1/", token, "佐藤", "byod"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    dev = Device.objects.get(organisation=org)
    assert (dev.owner, dev.ownership, dev.os) == ("佐藤", "byod", "linux")
    assert CheckReport.objects.get().source == "capture" and set(dev.latest) == set(CHECK_IDS)
    # its output is not a terminal (cron's mail, a log): no link asked for, none made, none printed
    assert "tebiki: report stored (201)" in done.stdout and "/d/tbd_" not in done.stdout + done.stderr
    assert not DeviceLink.objects.exists() and "stored before" not in done.stdout
    # in a terminal the answer tells the worker where to see the result: a personal link to this device's page
    status, shown = in_terminal(["sh", str(SCRIPTS / "capture.sh"), live_server.url + "/api/v1/", token], env)
    assert status == 0, shown
    secret = shown_link(shown)
    assert DeviceLink.objects.get().token_hash == token_hash(secret)
    page = urllib.request.urlopen(f"{live_server.url}/d/{secret}/", timeout=10)  # noqa: S310 (the live test server)
    assert page.status == 200 and dev.hostname in page.read().decode()


def test_the_capture_script_writes_the_documented_layout(tmp_path):
    from tebiki.agent.collect import SOURCES

    subprocess.run(["sh", str(SCRIPTS / "capture.sh")], env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
                   "TEBIKI_CAPTURE_ONLY": str(tmp_path)}, check=True, capture_output=True, timeout=60)
    written = {f"linux/{p.name}" for p in (tmp_path / "linux").iterdir()}
    assert written == set(SOURCES["linux"]) | {"linux/exit-status.txt"}


def test_the_powershell_script_captures_every_windows_source():
    from tebiki.agent.collect import SOURCES

    text = (SCRIPTS / "capture.ps1").read_text(encoding="utf-8")
    for name in SOURCES["windows"]:
        assert f'"{name.split("/")[1]}"' in text


def test_an_unreachable_server_keeps_the_whole_outbox(tmp_path):
    box = Outbox(tmp_path)
    for i in range(3):
        box.put(queued_report(i))
    out = box.flush("http://127.0.0.1:9/api/v1/", "tbk_x")
    assert (out.sent, out.rejected, out.queued) == (0, 0, 3) and "could not reach" in out.last_error
    assert len(box.pending()) == 3


def test_the_powershell_script_prints_the_posix_scripts_page_line_from_an_ascii_file():
    """PowerShell 5.1 reads a script without BOM in the ANSI code page: the Japanese words are code points, and
    the line they make is the one capture.sh prints (which the upload test above reads)."""
    ps1 = (SCRIPTS / "capture.ps1").read_bytes()
    ps1.decode("ascii")  # raises on any non-ASCII byte
    text = ps1.decode()
    escaped = re.search(r'\$ja = \[regex\]::Unescape\("((?:\\u[0-9a-f]{4})+)"\)', text).group(1)
    ja = escaped.encode().decode("unicode_escape")
    ps_line = re.search(r'if \(\$answer\.page\) \{ Write-Output "(.*?)" \}', text).group(1)
    sh_line = re.search(r'echo "(tebiki: .*?\$PAGE)"', (SCRIPTS / "capture.sh").read_text(encoding="utf-8")).group(1)
    url = "https://tebiki.example.jp/d/tbd_x/"
    assert ps_line.replace("$ja", ja).replace("$($answer.page)", url) == sh_line.replace("$PAGE", url)
    assert "結果と直し方はこちら" in sh_line
