from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from tebiki.cli import app
from tebiki.web.assessments.service import save_item
from tebiki.web.audit import log
from tebiki.web.audit.models import AuditEntry

from .conftest import PASSWORD


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_sign_in_failure_and_lockout_are_logged(cast, client):
    Client().post("/accounts/login/", {"username": "admin@test.example", "password": PASSWORD})
    for _ in range(10):
        client.post("/accounts/login/", {"username": "exec@test.example", "password": "not the password"})
    got = actions()
    assert got[0] == "auth.sign_in" and got.count("auth.failure") == 10 and "auth.lockout" in got
    failure = AuditEntry.objects.filter(action="auth.failure").first()
    assert failure.actor == "exec@test.example" and "not the password" not in json.dumps(failure.data)


def test_a_status_change_is_logged_with_the_new_state(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation", {"status": "done"}, cast.admin)
    e = AuditEntry.objects.get(action="item.change")
    assert e.organisation_id == cast.org.id and e.actor == cast.admin.email and e.data["status"] == "done"


@pytest.mark.parametrize("view", ["item_status", "item"])
def test_a_change_made_in_the_browser_is_logged_with_the_address_it_came_from(cast, view):
    url = reverse(view, args=[cast.org.id, "mic-v5:admin:A-1", "organisation"])
    data = {"status": "done"} if view == "item_status" else {"status": "done", "decision": "done", "deadline": "",
                                                            "owner": "", "reason": ""}
    response = cast.client(cast.admin).post(url, data, REMOTE_ADDR="192.0.2.7")
    assert response.status_code in (200, 302)
    e = AuditEntry.objects.get(action="item.change")
    assert e.ip == "192.0.2.7" and e.actor == cast.admin.email


def test_exports_and_invitations_are_logged(cast):
    c = cast.client(cast.admin)
    c.get(reverse("report_csv", args=[cast.org.id]))
    c.post(reverse("members", args=[cast.org.id]), {"email": "n@test.example", "role": "worker"})
    assert {"report.export", "invitation.create"} <= set(actions())


@pytest.fixture
def chain(db):
    for i in range(5):
        log.record("test.event", actor=f"user{i}@test.example", data={"i": i, "日本語": "ok"})
    assert log.verify() == []


def test_an_edited_entry_is_named(chain):
    AuditEntry.objects.filter(seq=3).update(actor="mallory@test.example")
    (p,) = log.verify()
    assert (p.seq, p.kind) == (3, "edited")


def test_a_deleted_entry_is_named(chain):
    AuditEntry.objects.filter(seq=2).delete()
    problems = log.verify()
    assert [(p.seq, p.kind) for p in problems][0] == (3, "missing")


def test_a_deleted_newest_entry_is_noticed(chain):
    AuditEntry.objects.filter(seq=5).delete()
    assert [p.kind for p in log.verify()] == ["missing"]


def test_reordered_entries_are_named(chain):
    a, b = AuditEntry.objects.get(seq=2), AuditEntry.objects.get(seq=3)
    AuditEntry.objects.filter(pk=a.pk).update(seq=-1)
    AuditEntry.objects.filter(pk=b.pk).update(seq=2)
    AuditEntry.objects.filter(pk=a.pk).update(seq=3)
    kinds = {(p.seq, p.kind) for p in log.verify()}
    assert (2, "edited") in kinds and (3, "edited") in kinds


def test_the_cli_reports_an_intact_and_a_broken_chain(chain):
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout) == {"entries": 5, "intact": True, "problems": []}
    AuditEntry.objects.filter(seq=4).update(data={"i": 99})
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "entry 4" in bad.stdout


def test_only_managers_see_the_audit_log(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation", {"status": "done"}, cast.admin)
    assert cast.client(cast.worker).get(reverse("audit_log", args=[cast.org.id])).status_code == 403
    page = cast.client(cast.admin).get(reverse("audit_log", args=[cast.org.id])).content.decode()
    assert "点検項目の記録" in page and "item.change" not in page  # the label, never the code


def test_the_audit_export_holds_only_this_organisations_entries(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation", {"status": "done"}, cast.admin)
    save_item(cast.other, "mic-v5:admin:A-2", "organisation", {"status": "done"}, cast.outsider)
    body = cast.client(cast.admin).get(reverse("audit_csv", args=[cast.org.id])).content.decode()
    assert "A-1" in body and "A-2" not in body
