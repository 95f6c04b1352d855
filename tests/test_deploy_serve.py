"""`tebiki serve` for real: gunicorn in a subprocess on a free port with DEBUG off, on its own SQLite database."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TEBIKI = Path(sys.executable).with_name("tebiki")


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {"TEBIKI_DATA_DIR": str(data_dir), "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_until_up(base: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"tebiki serve exited with {proc.returncode}")
        try:
            get(base + "/accounts/login/")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("tebiki serve did not answer in time")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve-data")
    env = server_env(data)
    subprocess.run([sys.executable, "-m", "tebiki.web", "migrate", "--noinput", "-v0"], env=env, check=True)
    port = free_port()
    log = data / "access.log"
    proc = subprocess.Popen([str(TEBIKI), "serve", "--port", str(port), "--workers", "2", "--access-log", str(log)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        yield base, proc, log, data
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=40)


def test_it_serves_the_japanese_sign_in_page_with_debug_off(served):
    base, *_ = served
    status, headers, body = get(base + "/accounts/login/")
    assert status == 200 and "ログイン" in body.decode()
    assert "content-security-policy" in {k.lower() for k in headers}
    status, _, body = get(base + "/no-such-page/")
    assert status == 404 and "ページが見つかりません" in body.decode()


def test_static_files_have_hashed_names_and_a_year_long_immutable_cache_header(served):
    base, *_ = served
    _, _, body = get(base + "/accounts/login/")
    (css,) = re.findall(r'href="(/static/tebiki/app\.[0-9a-f]{12}\.css)"', body.decode())
    status, headers, content = get(base + css)
    cache = {k.lower(): v for k, v in headers.items()}["cache-control"]
    assert status == 200 and b"{" in content
    assert "immutable" in cache and "max-age=315360000" in cache


def test_the_access_log_masks_every_secret_link(served):
    base, _, log, _ = served
    for path in ("/invite/sEcReT-InViTe-ToKeN/", "/r/sEcReT-RePoRt-ToKeN/sent/", "/w/sEcReT-WoRkEr-ToKeN/"):
        get(base + path)
    masked = ("/invite/[redacted]", "/r/[redacted]/sent/", "/w/[redacted]")
    # each worker writes its line after sending the answer: wait for all three, whichever worker served each
    deadline = time.monotonic() + 10
    while not all(m in log.read_text() for m in masked) and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert all(m in text for m in masked), text
    assert "sEcReT" not in text


def test_a_hup_restarts_the_workers_gracefully_and_it_keeps_serving(served):
    base, proc, *_ = served
    proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    for _ in range(20):
        assert get(base + "/accounts/login/")[0] == 200
    assert proc.poll() is None


def test_it_refuses_to_start_on_a_database_that_is_not_migrated(tmp_path):
    r = subprocess.run([str(TEBIKI), "serve", "--port", str(free_port())], env=server_env(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "migrate" in r.stderr
