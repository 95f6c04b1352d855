"""No secret reaches a log: passwords, invitation links and enrolment tokens, through the configured handlers."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from tebiki.web.devices.models import EnrolmentToken
from tebiki.web.logs import redact
from tebiki.web.orgs.models import Invitation, Role

from .test_devices import post


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
    ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
    ("GET /o/1/checklist/ 200", "GET /o/1/checklist/ 200"),
])
def test_redaction(line, clean):
    assert redact(line) == clean
