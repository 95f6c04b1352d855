from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import tebiki.web

TEMPLATES = Path(tebiki.web.__file__).parent / "templates"


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {**os.environ, "TEBIKI_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "tebiki.example.jp", "TEBIKI_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "tebiki.web.settings"}
    env.pop("DATABASE_URL", None)
    r = subprocess.run([sys.executable, "-m", "tebiki.web", "check", "--deploy", "--fail-level", "WARNING"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    env = {**os.environ, "TEBIKI_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50),
           "TEBIKI_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tebiki.web.settings"}
    env.pop("ALLOWED_HOSTS", None)
    r = subprocess.run([sys.executable, "-m", "tebiki.web", "check", "--deploy", "--fail-level", "WARNING"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "ALLOWED_HOSTS" in r.stdout + r.stderr


def test_pages_carry_a_strict_csp_and_security_headers(cast):
    r = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id]))
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_style_or_event_handlers():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text) \
                or re.search(r"\son[a-z]+=", text) or "<style" in text:
            offenders.append(path.name)
    assert offenders == []


def test_posts_without_a_csrf_token_are_refused(cast):
    c = Client(enforce_csrf_checks=True)
    r = c.post("/accounts/login/", {"username": "admin@test.example", "password": "x" * 12})
    assert r.status_code == 403


def test_session_cookie_is_httponly(cast):
    c = Client()
    c.post("/accounts/login/", {"username": "admin@test.example", "password": "correct horse battery staple"})
    assert c.cookies["sessionid"]["httponly"]


MODES = """
import json, stat
import django
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
default_storage.save("evidence/1/rules.pdf", ContentFile(b"%PDF-1.7 x"))
with connection.cursor() as c:  # the -wal and -shm files exist while a connection is open
    c.execute("CREATE TABLE t (x)")
    c.execute("INSERT INTO t VALUES (1)")
    d = settings.DATA_DIR
    print(json.dumps({str(p.relative_to(d)): oct(stat.S_IMODE(p.stat().st_mode)) for p in [d, *d.rglob("*")]}))
"""


def test_the_data_directory_and_what_tebiki_writes_there_are_private_whatever_the_umask(tmp_path):
    data = tmp_path / "new" / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(TEBIKI_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="tebiki.web.settings")
    r = subprocess.run([sys.executable, "-c", MODES], env=env, capture_output=True, text=True, timeout=120,
                       umask=0o022)
    assert r.returncode == 0, r.stderr
    modes = json.loads(r.stdout.splitlines()[-1])
    assert {"tebiki.sqlite3", "tebiki.sqlite3-wal", "tebiki.sqlite3-shm", "secret_key",
            "uploads/evidence/1/rules.pdf"} <= modes.keys()
    assert {p: m for p, m in modes.items() if m != ("0o700" if (data / p).is_dir() else "0o600")} == {}


def test_an_existing_installation_is_tightened_at_the_next_start(tmp_path):
    for name in ("tebiki.sqlite3", "secret_key"):
        (tmp_path / name).write_text("x" * 60 if name == "secret_key" else "")
        (tmp_path / name).chmod(0o644)
    tmp_path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(TEBIKI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tebiki.web.settings")
    subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, check=True, timeout=60)
    assert oct(tmp_path.stat().st_mode & 0o777) == "0o700"
    assert {oct((tmp_path / n).stat().st_mode & 0o777) for n in ("tebiki.sqlite3", "secret_key")} == {"0o600"}


def test_static_files_carry_the_csp_and_frame_headers(cast):
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id]))
    for path in ("/static/tebiki/app.css", "/static/tebiki/favicon.svg", "/static/tebiki/incidents.js"):
        r = Client().get(path)
        assert r.status_code == 200 and "whitenoise" in type(r).__module__  # served by WhiteNoise, not a view
        assert r["Content-Security-Policy"] == page["Content-Security-Policy"]
        assert r["X-Frame-Options"] == "DENY" and r["X-Content-Type-Options"] == "nosniff"


def session_rows() -> str:
    from django.contrib.sessions.models import Session
    return " ".join(str(s.get_decoded()) + s.session_data for s in Session.objects.all())


def test_a_new_token_waits_in_the_session_sealed_and_is_shown_once(cast):
    c = cast.client(cast.admin)
    c.post(reverse("create_token", args=[cast.org.id]), {"label": "PC"})
    c.post(reverse("issue_report_link", args=[cast.org.id]))
    stored = session_rows()
    devices = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    token = re.search(r"tbk_[\w-]+", devices).group()
    url = re.search(r"/r/([\w-]+)/", c.get(reverse("incidents", args=[cast.org.id])).content.decode()).group(1)
    assert token not in stored and url not in stored and "s1:" in stored  # sealed while it waited
    assert token not in c.get(reverse("devices", args=[cast.org.id])).content.decode()  # once
    assert "new_token" not in session_rows()


def test_a_sealed_value_opens_only_for_its_purpose_and_key(settings):
    from tebiki.web.sealed import Unsealable, seal, unseal
    sealed = seal(b"secret link", "session:a")
    assert unseal(sealed, "session:a") == b"secret link" and "secret" not in sealed
    with pytest.raises(Unsealable):
        unseal(sealed, "session:b")
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new secret key " * 4, [old]
    assert unseal(sealed, "session:a") == b"secret link"  # rotation keeps it readable via the fallback
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(Unsealable):
        unseal(sealed, "session:a")
    with pytest.raises(Unsealable):
        unseal(sealed[:-4] + "AAAA", "session:a")
