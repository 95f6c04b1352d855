"""Audit retention: `tebiki audit purge` removes only old entries, and `tebiki audit verify` still proves the rest."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from typer.testing import CliRunner

from tebiki.cli import app
from tebiki.web.audit import log
from tebiki.web.audit.models import AuditEntry, AuditHead

runner = CliRunner()
JST = dt.timezone(dt.timedelta(hours=9))


def at(year: int, month: int, day: int):
    return time_machine.travel(dt.datetime(year, month, day, 12, tzinfo=JST), tick=False)


@pytest.fixture
def history(db):
    """Three entries from 2024, two from mid-2025, one from this week (2026-12)."""
    for day in (1, 2, 3):
        with at(2024, 1, day):
            log.record("test.old", actor="a@test.example", data={"day": day})
    for day in (1, 2):
        with at(2025, 6, day):
            log.record("test.middle", actor="b@test.example")
    with at(2026, 11, 28):
        log.record("test.recent", actor="c@test.example")
    assert log.verify() == []


def purge(*args: str):
    with at(2026, 12, 1):
        return runner.invoke(app, ["audit", "purge", *args])


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def verified() -> bool:
    r = runner.invoke(app, ["audit", "verify", "--format", "json"])
    return r.exit_code == 0 and json.loads(r.stdout)["intact"]


def test_the_default_retention_is_at_least_a_year(settings):
    assert settings.AUDIT_RETENTION_DAYS >= 365 and settings.AUDIT_RETENTION_MIN_DAYS == 365


def test_the_default_purge_keeps_everything_younger_than_the_retention_period(history, settings):
    settings.AUDIT_RETENTION_DAYS = 730
    r = purge()
    assert r.exit_code == 0, r.output
    assert actions() == ["test.middle", "test.middle", "test.recent", "audit.purge"]
    assert verified()


def test_a_purge_removes_only_old_entries_and_records_where_the_chain_continues(history):
    third = AuditEntry.objects.get(seq=3)
    r = purge("--older-than", "600", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["deleted"] == 3
    assert actions() == ["test.middle", "test.middle", "test.recent", "audit.purge"]
    entry = AuditEntry.objects.get(action="audit.purge")
    assert entry.data["first_kept"] == 4 and entry.data["continues_from"] == third.hash
    assert entry.data["deleted"] == 3 and entry.actor.startswith("cli")
    assert verified()


def test_tampering_is_still_found_after_a_purge(history):
    assert purge("--older-than", "600").exit_code == 0
    AuditEntry.objects.filter(seq=5).update(actor="mallory@test.example")
    assert [(p.seq, p.kind) for p in log.verify()] == [(5, "edited")]


def test_removing_the_first_kept_entry_after_a_purge_is_found(history):
    assert purge("--older-than", "600").exit_code == 0
    AuditEntry.objects.filter(seq=4).delete()
    assert (5, "missing") in {(p.seq, p.kind) for p in log.verify()}


def test_removing_the_purge_entry_is_found(history):
    assert purge("--older-than", "600").exit_code == 0
    AuditEntry.objects.filter(action="audit.purge").delete()
    assert log.verify()


def test_removing_old_entries_without_a_purge_is_found(history):
    AuditEntry.objects.filter(seq__lte=3).delete()
    assert [(p.seq, p.kind) for p in log.verify()][0] == (4, "missing")


def test_successive_purges_keep_the_chain_verifiable(history):
    assert purge("--older-than", "600").exit_code == 0
    assert actions()[0] == "test.middle" and verified()
    with at(2027, 12, 5):
        log.record("test.later", actor="d@test.example")
        assert runner.invoke(app, ["audit", "purge", "--older-than", "365"]).exit_code == 0
        assert verified()  # checked when it runs: a purge dated after the clock would be forged
    assert actions() == ["test.later", "audit.purge"]


def test_a_purge_of_everything_old_leaves_a_verifiable_log(history):
    with at(2028, 6, 1):
        assert runner.invoke(app, ["audit", "purge", "--older-than", "365"]).exit_code == 0
    assert actions() == ["audit.purge"] and verified()


def test_a_dry_run_changes_nothing(history):
    before = actions()
    r = purge("--older-than", "600", "--dry-run", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["deleted"] == 3
    assert actions() == before


def test_it_refuses_a_period_shorter_than_a_year(history):
    before = actions()
    r = purge("--older-than", "30")
    assert r.exit_code == 2 and "365" in r.stderr
    assert actions() == before


def test_it_refuses_to_purge_a_broken_chain(history):
    AuditEntry.objects.filter(seq=2).update(target="rewritten")
    before = actions()
    r = purge("--older-than", "600")
    assert r.exit_code == 1 and "broken" in r.stderr
    assert actions() == before


def test_a_purge_keeps_older_anchors_valid(history):
    assert verified()  # anchors entry 6 of 2026-11-28
    assert purge("--older-than", "600").exit_code == 0
    assert verified()


def test_a_forged_purge_entry_cannot_hide_anchored_entries(history):
    assert verified()  # anchors entry 6, written this week
    newest = AuditEntry.objects.get(seq=6)
    AuditEntry.objects.all().delete()  # an attacker with database access empties the log and claims a purge
    AuditHead.objects.filter(pk=1).update(seq=6, hash=newest.hash)
    with at(2026, 12, 1):
        log.record(log.PURGE, actor="cli:root", data={"first_kept": 7, "continues_from": newest.hash, "deleted": 6,
                                                      "cutoff": "2025-11-30T12:00:00+09:00", "older_than_days": 366})
    assert log.verify() == []  # the chain alone is satisfied
    assert not verified()
    assert purge("--older-than", "600").exit_code == 1
