from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from tebiki.cli import app
from tebiki.web.assessments.service import save_item
from tebiki.web.audit import log
from tebiki.web.audit.models import AuditEntry, AuditHead

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
    head = AuditEntry.objects.get(seq=5)
    assert ok.exit_code == 0 and json.loads(ok.stdout) == {"entries": 5, "intact": True, "problems": [],
                                                           "head": {"seq": 5, "hash": head.hash}}
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


def cut_tail(keep: int) -> None:
    """The attack: delete the newest entries and move the head back, so the rest of the chain still verifies."""
    AuditEntry.objects.filter(seq__gt=keep).delete()
    AuditHead.objects.filter(pk=1).update(seq=keep, hash=AuditEntry.objects.get(seq=keep).hash)


def test_verify_prints_the_head_and_appends_it_to_the_anchor_file(chain, audit_anchor_file):
    runner = CliRunner()
    first = runner.invoke(app, ["audit", "verify"])
    log.record("test.event", actor="later@test.example")
    second = runner.invoke(app, ["audit", "verify"])
    assert first.exit_code == second.exit_code == 0
    assert AuditEntry.objects.get(seq=5).hash in first.stdout and AuditEntry.objects.get(seq=6).hash in second.stdout
    lines = [json.loads(t) for t in audit_anchor_file.read_text().splitlines()]
    assert [(a["event"], a["seq"]) for a in lines] == [("verify", 5), ("verify", 6)]
    assert audit_anchor_file.stat().st_mode & 0o777 == 0o600


def test_a_cut_tail_is_found_by_the_anchor_file_and_by_expect(chain, audit_anchor_file):
    runner = CliRunner()
    anchored = json.loads(runner.invoke(app, ["audit", "verify", "--format", "json"]).stdout)["head"]
    for i in range(3):
        log.record("test.after", actor="later@test.example", data={"i": i})

    cut_tail(3)

    assert log.verify() == []  # the chain alone cannot tell
    found = runner.invoke(app, ["audit", "verify"])
    assert found.exit_code == 1 and "entry 5" in found.stdout and "cut" in found.stdout
    audit_anchor_file.unlink()  # an attacker on the same host removes the anchor file too
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # the limit that remains (docs/security.md)
    expected = runner.invoke(app, ["audit", "verify", "--expect", anchored["hash"]])
    assert expected.exit_code == 1 and anchored["hash"] in expected.stdout
    assert len(audit_anchor_file.read_text().splitlines()) == 1  # the failed verify anchored nothing


def test_expect_passes_while_the_expected_entry_is_still_in_the_log(chain):
    expected = AuditEntry.objects.get(seq=4).hash
    log.record("test.after", actor="later@test.example")
    assert CliRunner().invoke(app, ["audit", "verify", "--expect", expected]).exit_code == 0


def test_a_backup_anchors_the_head_and_a_cut_after_it_is_found(chain, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    runner = CliRunner()
    made = runner.invoke(app, ["backup", str(tmp_path / "b.tar.gz"), "--format", "json"])
    assert made.exit_code == 0, made.output
    head = json.loads(made.stdout)["audit_head"]
    assert head == {"seq": 6, "hash": AuditEntry.objects.get(seq=6).hash}  # the backup's own entry included
    cut_tail(4)
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 1
