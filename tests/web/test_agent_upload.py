"""The agent and the capture script talking to a real running server (pytest-django's live_server)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tebiki.agent
from tebiki.agent.upload import Outbox
from tebiki.cli import app
from tebiki.web.devices.models import CheckReport, Device, EnrolmentToken
from tebiki.web.orgs.models import Organisation

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
                                 "--token", token, "--owner", "山田", "--ownership", "company"])
    assert r.exit_code in (0, 1), r.output
    dev = Device.objects.get(organisation=org)
    assert dev.owner == "山田" and dev.os == "linux" and dev.key == (tmp_path / "device-id").read_text()
    assert set(dev.latest) == set(json.loads(r.stdout)["checks"])
    assert Outbox(tmp_path).pending() == []


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
    assert CheckReport.objects.get().source == "capture" and len(dev.latest) == 8


def test_the_capture_script_writes_the_documented_layout(tmp_path):
    from tebiki.agent.collect import SOURCES

    subprocess.run(["sh", str(SCRIPTS / "capture.sh")], env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
                   "TEBIKI_CAPTURE_ONLY": str(tmp_path)}, check=True, capture_output=True, timeout=60)
    written = {f"linux/{p.name}" for p in (tmp_path / "linux").iterdir()}
    assert written == set(SOURCES["linux"])


def test_the_powershell_script_captures_every_windows_source():
    from tebiki.agent.collect import SOURCES

    text = (SCRIPTS / "capture.ps1").read_text(encoding="utf-8")
    for name in SOURCES["windows"]:
        assert f'"{name.split("/")[1]}"' in text
