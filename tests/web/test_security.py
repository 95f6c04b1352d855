from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

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
