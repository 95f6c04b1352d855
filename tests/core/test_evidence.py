"""Evidence over assertion, pure: which done rows the failing devices and the "no" answers contradict."""

from __future__ import annotations

from tebiki.core.evidence import NAMED, FailingCheck, NoAnswers, contradictions
from tests.core.test_security_action import rows_for

DISK = FailingCheck("disk_encryption", {"ja": "ディスクの暗号化", "en": "Disk encryption"}, ("PC-1", "PC-3"))


def first_applicable(role: str):
    row = next(r for r in rows_for() if r.role == role and r.applies)
    return row.item, row.scope


def test_only_done_rows_are_contradicted_by_failing_devices():
    key = first_applicable("admin")
    failing = [(DISK, [key[0]])]
    assert contradictions(rows_for(), failing, {}) == []
    [found] = contradictions(rows_for({key: {"status": "done"}}), failing, {})
    assert ((found.row.item, found.row.scope), found.checks, found.answers) == (key, (DISK,), None)


def test_a_check_no_device_fails_contradicts_nothing():
    key = first_applicable("admin")
    rows = rows_for({key: {"status": "done"}})
    assert contradictions(rows, [(FailingCheck("disk_encryption", DISK.title, ()), [key[0]])], {}) == []


def test_no_answers_contradict_the_row_of_their_item_and_scope_only():
    key = first_applicable("worker")
    rows = rows_for({key: {"status": "done"}})
    said = NoAnswers("12月の点検", 5, ("青井", "千田"))
    [found] = contradictions(rows, [], {key: said})
    assert (found.row.item, found.checks, found.answers.no, found.answers.asked) == (key[0], (), 2, 5)
    assert contradictions(rows, [], {(key[0], "elsewhere"): said}) == []
    assert contradictions(rows, [], {key: NoAnswers("x", 5, ())}) == []  # nobody said no


def test_a_flag_names_the_first_few_devices_and_workers_and_counts_the_rest():
    many = tuple(f"PC-{i}" for i in range(NAMED + 3))
    check, answers = FailingCheck("disk_encryption", DISK.title, many), NoAnswers("点検", 20, many)
    assert (check.named, check.more) == (many[:NAMED], 3)
    assert (answers.named, answers.more, answers.no) == (many[:NAMED], 3, NAMED + 3)
    exactly = FailingCheck("disk_encryption", DISK.title, many[:NAMED])
    assert (exactly.named, exactly.more) == (many[:NAMED], 0)
