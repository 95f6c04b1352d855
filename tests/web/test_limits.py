"""An oversized request body is refused from its Content-Length, before the CSRF check or a view parses it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tebiki.web.assessments.models import Evidence
from tebiki.web.audit.models import AuditEntry

from .test_evidence import ITEM


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    settings.MAX_REQUEST_BYTES = 1024 * 1024 + 64 * 1024


def big_file(name="big.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 " + bytes(2 * 1024 * 1024), content_type="application/pdf")


def test_an_anonymous_oversized_post_is_refused_unread(db):
    r = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a@b.example", "file": big_file()})
    assert r.status_code == 413  # not the CSRF 403: the body was never parsed
    assert "1 MB" in r.content.decode()
    assert not AuditEntry.objects.exists()


def test_an_oversized_evidence_upload_goes_back_with_a_message_and_stores_nothing(cast):
    page = reverse("item", args=[cast.org.id, ITEM, "organisation"])
    r = cast.client(cast.admin).post(reverse("evidence_upload", args=[cast.org.id, ITEM, "organisation"]),
                                     {"file": big_file()}, headers={"Referer": f"http://testserver{page}"}, follow=True)
    assert r.redirect_chain[-1][0].endswith(page)
    assert "msg-error" in r.content.decode() and "1 MB" in r.content.decode()
    assert not Evidence.objects.exists()


def test_a_foreign_referer_is_not_followed(cast):
    r = cast.client(cast.admin).post(reverse("evidence_upload", args=[cast.org.id, ITEM, "organisation"]),
                                     {"file": big_file()}, headers={"Referer": "https://evil.example/"})
    assert r.status_code == 413


def test_a_body_within_the_limit_reaches_the_form(cast):
    small = SimpleUploadedFile("ok.pdf", b"%PDF-1.7 small", content_type="application/pdf")
    cast.client(cast.admin).post(reverse("evidence_upload", args=[cast.org.id, ITEM, "organisation"]), {"file": small})
    assert Evidence.objects.count() == 1


def test_the_api_keeps_its_own_limits(db):
    r = Client().post("/api/v1/agent/reports", b"x" * (2 * 1024 * 1024), content_type="application/json",
                      headers={"Authorization": "Bearer tbk_x"})
    assert r.status_code == 413 and r["Content-Type"].startswith("application/json")
