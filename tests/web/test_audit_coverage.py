"""Important actions leave an audit entry in the same transaction as the change (issue 7's list)."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from tebiki.web.audit.models import AuditEntry
from tebiki.web.orgs.models import Invitation, Role

from .conftest import PASSWORD
from .test_evidence import upload
from .test_onboarding import PROFILE, dept, formset


def entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_a_password_change_is_logged_without_the_passwords(cast):
    new = "a different long passphrase 2026"
    r = cast.client(cast.worker).post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert r.status_code == 302
    e = entry("auth.password_change")
    assert e.actor == cast.worker.email
    assert new not in json.dumps(e.data) and PASSWORD not in json.dumps(e.data)


def test_a_refused_password_change_is_not_logged(cast):
    r = cast.client(cast.worker).post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "short", "new_password2": "short"})
    assert r.status_code == 200
    assert not AuditEntry.objects.filter(action="auth.password_change").exists()


def test_renaming_the_organisation_is_logged_with_the_old_name(cast):
    c = cast.client(cast.admin)
    assert c.post(reverse("setup_profile", args=[cast.org.id]), {**PROFILE, "name": "新しい名前"}).status_code == 302
    e = entry("org.rename")
    assert (e.organisation_id, e.target, e.data["from"]) == (cast.org.id, "新しい名前", "テスト商事")


def test_keeping_the_name_writes_no_rename_entry(cast):
    c = cast.client(cast.admin)
    c.post(reverse("setup_profile", args=[cast.org.id]), {**PROFILE, "name": "テスト商事"})
    assert not AuditEntry.objects.filter(action="org.rename").exists()


def test_a_profile_change_is_logged_with_the_new_profile(cast):
    c = cast.client(cast.admin)
    c.post(reverse("setup_profile", args=[cast.org.id]), {**PROFILE, "name": "テスト商事"})
    assert c.post(reverse("setup_departments", args=[cast.org.id]), formset(dept(0))).status_code == 302
    e = entry("org.profile")
    assert e.organisation_id == cast.org.id and e.data["departments"][0]["name"] == "部署0"


def test_an_evidence_upload_is_logged(cast):
    upload(cast.client(cast.admin), cast.org, "rules.pdf", b"%PDF-1.7 x")
    e = entry("evidence.upload")
    assert e.organisation_id == cast.org.id and e.data["name"] == "rules.pdf"


def test_revoking_an_invitation_is_logged(cast):
    inv, _ = Invitation.issue(cast.org, "n@test.example", Role.WORKER, cast.admin)
    cast.client(cast.admin).post(reverse("revoke_invitation", args=[cast.org.id, inv.id]))
    assert entry("invitation.revoke").target == "n@test.example"


def test_token_creation_and_revocation_are_logged_with_the_hint_only(cast):
    c = cast.client(cast.admin)
    c.post(reverse("create_token", args=[cast.org.id]), {"label": "ノートPC"})
    secret = re.search(r"tbk_[\w-]+", c.get(reverse("devices", args=[cast.org.id])).content.decode()).group()
    token = cast.org.enrolment_tokens.get()
    c.post(reverse("revoke_token", args=[cast.org.id, token.id]))
    created, revoked = entry("token.create"), entry("token.revoke")
    assert created.data == {"hint": token.hint} and revoked.target == "ノートPC"
    assert secret and all(secret not in json.dumps(e.data) + e.target for e in AuditEntry.objects.all())
