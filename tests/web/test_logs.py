"""No secret reaches a log: passwords, invitation links and enrolment tokens, through the configured handlers."""

from __future__ import annotations

import io
import logging
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, include, path, re_path, reverse

from tebiki.web.devices.models import EnrolmentToken
from tebiki.web.logs import MASK, RedactSecrets, SecretConverter, protect, redact, secret_paths
from tebiki.web.orgs.models import Invitation, Role

from .test_devices import post
from .test_ingest_kill import free_port, manage


@pytest.fixture
def log_output():
    """What the configured console handlers (application and development server) write."""
    handlers = [h for name in ("", "django.server") for h in logging.getLogger(name).handlers
                if h.name in ("console", "server")]
    assert len(handlers) == 2
    out = io.StringIO()
    streams = [h.stream for h in handlers]
    for h in handlers:  # not setStream: it flushes the old stream, which pytest may have closed already
        h.stream = out
    yield out
    for h, stream in zip(handlers, streams, strict=True):
        h.stream = stream


def test_secrets_used_in_requests_do_not_reach_the_log(cast, log_output):
    inv, invite = Invitation.issue(cast.org, "n@test.example", Role.WORKER, cast.admin)
    Client().put(reverse("accept_invitation", args=[invite]))  # 405 on a live link: Django logs the path
    inv.revoked_at = inv.created_at
    inv.save()
    Client().get(reverse("accept_invitation", args=[invite]))  # 404
    Client().post("/accounts/login/", {"username": "admin@test.example", "password": "my secret passphrase 9"})
    _, token = EnrolmentToken.issue(cast.org, "PCs", cast.admin)
    post(token, "{not json")  # 400
    Client().get(f"/api/v1/agent/reports?token={token}")  # 405 with the token in the URL
    logging.getLogger("django.server").info('"GET /invite/%s/ HTTP/1.1" 200 512', invite)

    text = log_output.getvalue()
    assert "/invite/[redacted]/" in text, text  # the lines are there, without the secrets
    for secret in (invite, token, "my secret passphrase 9"):
        assert secret not in text


@pytest.mark.parametrize("line,clean", [
    ("Not Found: /invite/abc-DEF_123/", "Not Found: /invite/[redacted]/"),
    ("POST /invite/abc?x=1", "POST /invite/[redacted]?x=1"),
    ("token tbk_AbC-9_x used", "token tbk_[redacted] used"),
    ("page tbd_Xy-9_z opened", "page tbd_[redacted] opened"),
    ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
    ("GET /o/1/checklist/ 200", "GET /o/1/checklist/ 200"),
])
def test_redaction(line, clean):
    assert redact(line) == clean


# --- Masking follows the URL patterns that carry secrets (issue 14, item 2) --------------------------------------

def test_every_link_token_in_the_urlconf_is_a_secret_segment():
    """A pattern that takes a token must capture it with <secret:…>, or its token would reach the log."""
    def walk(patterns):
        for p in patterns:
            yield from walk(p.url_patterns) if isinstance(p, URLResolver) else [p]
    carriers = [p for p in walk(get_resolver().url_patterns) if "token" in getattr(p.pattern, "converters", {})]
    assert len(carriers) == 9
    assert all(isinstance(p.pattern.converters["token"], SecretConverter) for p in carriers)
    assert secret_paths(get_resolver().url_patterns) == ["d/", "invite/", "r/", "w/"]


def test_the_mask_is_derived_from_the_patterns_through_includes_and_converters():
    inner = [path("x/<secret:key>/more/", lambda r: None), path("plain/<str:name>/", lambda r: None)]
    patterns = [path("o/<int:org>/", include(inner)), re_path(r"^legacy/(?P<n>\d+)/$", lambda r: None)]
    assert secret_paths(patterns) == [r"o/(?:[0-9]+)/x/"]


def test_a_traceback_is_masked_too():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
                               ("/r/sekrit-token/",), None)
    try:
        raise ValueError("bad link /w/sekrit-token/")
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactSecrets().filter(record)
    assert "sekrit-token" not in logging.Formatter().format(record)


def test_every_configured_handler_masks():
    loggers = [logging.getLogger()] + [logging.getLogger(n) for n in logging.root.manager.loggerDict]
    handlers = {h for lg in loggers for h in lg.handlers if h.name}  # the configured ones, not pytest's capture
    assert {h.name for h in handlers} == {"console", "server"}
    assert all(any(isinstance(f, RedactSecrets) for f in h.filters) for h in handlers)


def test_protect_masks_a_server_access_log_with_its_own_handlers():
    """What gunicorn does: its own logger and handler, records with a dict of atoms as arguments."""
    out = io.StringIO()
    logger = logging.getLogger("tebiki-test.access")
    logger.propagate, logger.handlers = False, [logging.StreamHandler(out)]
    logger.setLevel(logging.INFO)
    protect("tebiki-test.access")
    protect("tebiki-test.access")  # idempotent
    logger.info('%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": "GET /r/sekrit-token/sent/ HTTP/1.1", "s": "200"})
    assert out.getvalue() == '127.0.0.1 "GET /r/[redacted]/sent/ HTTP/1.1" 200\n'
    assert len(logger.filters) == 1


@pytest.mark.parametrize("line,clean", [
    ('"GET /r/abc/contacts/ HTTP/1.1" 200 10', '"GET /r/[redacted]/contacts/ HTTP/1.1" 200 10'),
    ("Not Found: /w/abc/training/passwords/", "Not Found: /w/[redacted]/training/passwords/"),
    ('"GET /%72/abc/ HTTP/1.1" 404', '"GET /r/[redacted]/ HTTP/1.1" 404'),  # percent-encoded prefix
    ("GET /r/abc", "GET /r/[redacted]"),
])
def test_redaction_of_link_paths(line, clean):
    assert redact(line) == clean


SETUP_LINKS = """
import datetime as dt
from django.utils import timezone
from tebiki.web.incidents.models import ReportLink
from tebiki.web.orgs.models import Invitation, Organisation
from tebiki.web.people.models import Campaign, PersonalLink, Worker
o = Organisation.objects.create(name="log")
w = Worker.objects.create(organisation=o, name="w", email="w@example.jp", department="sales")
c = Campaign.objects.create(organisation=o, title="c", departments=["sales"], modules=["passwords"],
    deadline=dt.date(2099, 1, 1), closes_at=timezone.now() + dt.timedelta(days=30), opened_at=timezone.now())
print(Invitation.issue(o, "n@example.jp", "worker", None)[1], ReportLink.issue(o, None)[1], PersonalLink.issue(c, w)[1])
"""


def test_the_development_server_writes_no_link_token_to_its_output(tmp_path):
    """runserver in its own process: its access log and Django's warnings, for valid and invalid tokens."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TEBIKI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tebiki.web.settings", PYTHONUNBUFFERED="1")
    manage(env, "migrate", "-v0")
    invite, report, worker = manage(env, "shell", "-c", SETUP_LINKS).stdout.split()[-3:]
    wrong = [f"wrong{secrets.token_urlsafe(12)}" for _ in range(3)]
    paths = [p for t in (invite, wrong[0]) for p in (f"/invite/{t}/", f"/invite/{t}")] + \
        [p for t in (report, wrong[1]) for p in (f"/r/{t}/", f"/r/{t}/sent/", f"/r/{t}/contacts/", f"/r/{t}")] + \
        [p for t in (worker, wrong[2]) for p in (f"/w/{t}/", f"/w/{t}/training/passwords/", f"/w/{t}/training/x/")]
    port = free_port()
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "tebiki.web", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            statuses = [fetch(f"http://127.0.0.1:{port}{p}", method) for p in paths for method in ("GET", "PUT")]
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = (tmp_path / "server.log").read_text()
    assert {200, 301, 403, 404, 500} <= set(statuses), statuses  # valid and invalid links, redirects, refusals
    assert "Not Found: /" in text and "Forbidden (CSRF" in text and "Traceback" in text, text
    assert text.count(MASK) >= len(statuses), text
    for token in (invite, report, worker, *wrong):
        assert token not in text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, method: str) -> int:
    """The status of one request, without following redirects; waits for the server to come up."""
    opener = urllib.request.build_opener(NoRedirect)
    deadline = time.monotonic() + 30
    while True:
        try:
            with opener.open(urllib.request.Request(url, method=method), timeout=5) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # the server is still starting


def test_without_a_readable_urlconf_every_path_is_masked(settings):
    from tebiki.web import logs
    settings.ROOT_URLCONF = "tebiki.no_such_urlconf"
    logs._secret_regex.cache_clear()
    try:
        assert redact('"GET /r/abc/sent/ HTTP/1.1" 404') == '"GET /r/[redacted] HTTP/1.1" 404'
    finally:
        settings.ROOT_URLCONF = "tebiki.web.urls"
        logs._secret_regex.cache_clear()
    assert redact("GET /o/1/checklist/") == "GET /o/1/checklist/"
