"""Outgoing mail waits in the database; `tebiki mail send` delivers it, retries what a server refuses, gives up after
MAIL_MAX_ATTEMPTS and shows every message to the organisation's managers. Retries are tested on a real SMTP server
(aiosmtpd on a free loopback port)."""

from __future__ import annotations

import datetime as dt
import json
import socket
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from tebiki.cli import app
from tebiki.web.mail.backend import ORGANISATION_HEADER
from tebiki.web.mail.models import OutgoingMail
from tebiki.web.mail.service import deliver_due
from tests.web.test_incidents import send, token  # noqa: F401 - the report link fixture

QUEUE = "tebiki.web.mail.backend.QueueBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """An SMTP server's message handler that refuses the first *refuse* messages with a temporary error."""

    def __init__(self, refuse: int = 0):
        self.refuse, self.messages = refuse, []

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    with override_settings(EMAIL_BACKEND=QUEUE, MAIL_TRANSPORT=SMTP, EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=controller.port, EMAIL_USE_TLS=False, EMAIL_TIMEOUT=5):
        yield sink
    controller.stop()


@override_settings(EMAIL_BACKEND=QUEUE, MAIL_TRANSPORT=LOCMEM)
def test_an_incident_report_queues_the_managers_mail_without_sending_it(cast, token):  # noqa: F811
    assert send(token).status_code == 302
    queued = OutgoingMail.objects.get()
    assert queued.status == "queued" and queued.organisation == cast.org and mail.outbox == []
    assert sorted(queued.to) == ["admin@test.example", "exec@test.example"] and "#1" in queued.subject
    assert deliver_due().sent == 1
    assert len(mail.outbox) == 1 and ORGANISATION_HEADER not in mail.outbox[0].extra_headers
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.sent_at is not None and queued.attempts == 1


def test_a_refused_message_is_sent_again_after_the_retry_delay(cast, token, smtp):  # noqa: F811
    smtp.refuse = 1
    send(token)
    assert deliver_due().retrying == 1 and smtp.messages == []
    row = OutgoingMail.objects.get()
    assert row.attempts == 1 and "451" in row.last_error and row.status == "queued"
    assert deliver_due().sent == 0  # not due yet
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert deliver_due().sent == 1
    (msg,) = smtp.messages
    assert "#1" in msg["Subject"] and "テスト商事" in msg["Subject"]
    assert sorted(a.strip() for a in msg["To"].split(",")) == ["admin@test.example", "exec@test.example"]
    assert msg[ORGANISATION_HEADER] is None
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and row.last_error == ""


def test_an_unreachable_server_is_given_up_after_the_last_attempt_and_managers_see_it(cast, token, settings):  # noqa: F811
    settings.EMAIL_BACKEND, settings.MAIL_TRANSPORT = QUEUE, SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nothing listens
    send(token)
    now = timezone.now()
    for n in range(settings.MAIL_MAX_ATTEMPTS):
        with time_machine.travel(now + dt.timedelta(days=n)):
            deliver_due()
    row = OutgoingMail.objects.get()
    assert row.status == "failed" and row.attempts == settings.MAIL_MAX_ATTEMPTS and "refused" in row.last_error.lower()
    page = cast.client(cast.admin).get(reverse("audit_log", args=[cast.org.id])).content.decode()
    assert "送信メール" in page and "未配信" in page and row.subject in page

    r = CliRunner().invoke(app, ["mail", "retry"])
    assert r.exit_code == 0 and "1" in r.output
    row.refresh_from_db()
    assert row.status == "queued" and row.attempts == 0


def test_managers_see_only_their_own_organisations_mail(cast):
    OutgoingMail.objects.create(organisation=cast.org, from_email="t@x", to=["a@test.example"], subject="ours", body="")
    OutgoingMail.objects.create(organisation=cast.other, from_email="t@x", to=["b@other.example"], subject="theirs",
                                body="")
    page = cast.client(cast.admin).get(reverse("audit_log", args=[cast.org.id])).content.decode()
    assert "ours" in page and "theirs" not in page and "b@other.example" not in page


@override_settings(EMAIL_BACKEND=QUEUE, MAIL_TRANSPORT=LOCMEM)
def test_campaign_links_are_queued_for_the_campaigns_organisation(cast):
    from tebiki.web.people import service
    from tebiki.web.people.models import Worker

    Worker.objects.create(organisation=cast.org, name="佐藤", email="sato@test.example",
                          department=cast.org.profile["departments"][0]["id"])
    campaign = service.create_campaign(cast.org, "12月の点検", [d["id"] for d in cast.org.profile["departments"]],
                                       timezone.localdate() + dt.timedelta(days=7), cast.admin)
    service.open_campaign(campaign, "https://tebiki.example/", send=True, actor=cast.admin)
    row = OutgoingMail.objects.get()
    assert row.organisation == cast.org and row.to == ["sato@test.example"] and mail.outbox == []


@override_settings(EMAIL_BACKEND=QUEUE, MAIL_TRANSPORT=LOCMEM)
def test_the_send_command_reports_what_it_delivered(cast, token):  # noqa: F811
    send(token)
    r = CliRunner().invoke(app, ["mail", "send", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output) == {"sent": 1, "retrying": 0, "failed": 0}
    r = CliRunner().invoke(app, ["mail", "list", "--format", "json"])
    assert json.loads(r.output)[0]["status"] == "sent"
    r = CliRunner().invoke(app, ["mail", "list", "--status", "bogus"])
    assert r.exit_code == 2
