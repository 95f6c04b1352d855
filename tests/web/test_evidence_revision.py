"""Organisation.evidence_revision (tebiki.web.orgs.evidence): the database moves it on every change to devices,
workers, campaigns and answers, by whatever path; the dashboard's body is kept under it and so is never stale."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tebiki.agent.rules import CHECK_IDS
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.devices.models import Device, EnrolmentToken
from tebiki.web.incidents.models import Incident
from tebiki.web.orgs import evidence
from tebiki.web.orgs.models import Organisation
from tebiki.web.people import service
from tebiki.web.people.models import Answer, Campaign, PersonalLink, Worker
from tests.web.test_devices import post, report

DEADLINE = dt.date.today() + dt.timedelta(days=7)


@pytest.fixture
def token(cast):
    return EnrolmentToken.issue(cast.org, "PCs", cast.admin)[1]


def revision(org) -> int:
    return Organisation.objects.values_list("evidence_revision", flat=True).get(pk=org.pk)


def test_every_trigger_is_in_the_migrated_database(db):
    assert evidence.installed() == evidence.expected() and len(evidence.expected()) == 12


def worker(org, name="勤務者", department="sales") -> Worker:
    return Worker.objects.create(organisation=org, name=name, email=f"{name}@{org.id}.example", department=department)


def campaign(org, user) -> Campaign:
    c = service.create_campaign(org, "12月の点検", ["sales", "office"], DEADLINE, user)
    service.open_campaign(c, "http://testserver", send=False)
    return c


def answered(c, w, value="no"):
    link = PersonalLink.objects.current().get(campaign=c, worker=w)
    item = next(k for k, depts in c.items.items() if w.department in depts)
    service.save_answers(link, {item: (value, "")}, submit=True)
    return item


def send(token, body) -> None:
    r = post(token, body)
    assert r.status_code in (200, 201), r.content


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


CHANGES = {
    "a device reports first": lambda cast, token: send(token, report(key="a" * 16, device_key="dev-0009")),
    "a device reports a changed verdict": lambda cast, token: (
        send(token, report(key="b" * 16, device_key="dev-0001")),
        send(token, report(key="c" * 16, device_key="dev-0001", verdicts={"firewall": "fail"}))),
    "a device is renamed by the ORM": lambda cast, token: (
        send(token, report(key="d" * 16, device_key="dev-0001")),
        Device.objects.filter(organisation=cast.org).update(hostname="改名")),
    "a device's verdicts change in plain SQL": lambda cast, token: (
        send(token, report(key="e" * 16, device_key="dev-0001")),
        _sql(f"UPDATE {Device._meta.db_table} SET latest = %s", '{"firewall": "fail"}')),
    "a device is deleted": lambda cast, token: (
        send(token, report(key="f" * 16, device_key="dev-0001")), Device.objects.all().delete()),
    "a worker is added": lambda cast, token: worker(cast.org),
    "a worker is renamed": lambda cast, token: (worker(cast.org), Worker.objects.update(name="別名")),
    "a worker moves department": lambda cast, token: (worker(cast.org), Worker.objects.update(department="office")),
    "a campaign is opened": lambda cast, token: campaign(cast.org, cast.admin),
    "a worker answers": lambda cast, token: (w := worker(cast.org), answered(campaign(cast.org, cast.admin), w)),
    "an answer is changed in place": lambda cast, token: (
        w := worker(cast.org), answered(campaign(cast.org, cast.admin), w), Answer.objects.update(value="yes")),
    "a worker and their answers are deleted": lambda cast, token: (
        w := worker(cast.org), answered(campaign(cast.org, cast.admin), w), Worker.objects.all().delete()),
    "a campaign and its answers are deleted": lambda cast, token: (
        w := worker(cast.org), answered(campaign(cast.org, cast.admin), w), Campaign.objects.all().delete()),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_to_the_evidence_moves_the_revision_of_its_organisation_only(cast, token, change):
    before, other = revision(cast.org), revision(cast.other)
    CHANGES[change](cast, token)
    assert revision(cast.org) > before and revision(cast.other) == other


def test_the_last_step_of_each_change_moves_the_revision_by_itself(cast, token):
    send(token, report(key="g" * 16, device_key="dev-0001"))
    w = worker(cast.org)
    c = campaign(cast.org, cast.admin)
    answered(c, w, "no")
    for step in (lambda: Device.objects.update(hostname="別の名前"),
                 lambda: _sql(f"UPDATE {Device._meta.db_table} SET latest = %s", '{"firewall": "fail"}'),
                 lambda: Worker.objects.update(name="別名"),
                 lambda: Answer.objects.update(value="yes"),
                 lambda: Campaign.objects.update(title="改題"),
                 lambda: Answer.objects.all().delete(),
                 lambda: Device.objects.all().delete()):
        before = revision(cast.org)
        step()
        assert revision(cast.org) == before + 1


def test_a_report_that_changes_neither_name_nor_verdicts_moves_nothing(cast, token):
    send(token, report(key="h" * 16, device_key="dev-0001", hostname="PC-1"))
    before = revision(cast.org)
    send(token, report(key="i" * 16, device_key="dev-0001", hostname="PC-1"))  # a new report, the same state
    Device.objects.update(os_version="24H2")  # nor do the device's other fields
    assert revision(cast.org) == before
    assert Device.objects.get().os_version == "24H2"


def test_an_organisation_saved_from_an_older_copy_keeps_the_revision(cast, token):
    stale = Organisation.objects.get(pk=cast.org.pk)
    send(token, report(key="j" * 16, device_key="dev-0001"))
    moved = revision(cast.org)
    stale.name = "新しい名前"
    stale.save()
    assert revision(cast.org) == moved and Organisation.objects.get(pk=cast.org.pk).name == "新しい名前"


def test_an_organisation_loaded_in_part_saves_only_what_it_loaded(cast, django_assert_num_queries):
    part = Organisation.objects.only("name").get(pk=cast.org.pk)
    part.name = "一部だけ"
    with django_assert_num_queries(1):  # one UPDATE, no look-up of the fields it did not load
        part.save()
    saved = Organisation.objects.get(pk=cast.org.pk)
    assert saved.name == "一部だけ" and saved.profile == cast.org.profile


def test_migrate_drops_the_triggers_first_and_makes_them_again_after_moving_every_revision(cast):
    before = {o.pk: o.evidence_revision for o in Organisation.objects.all()}
    evidence.on_pre_migrate(None, using="default")
    assert evidence.installed() == set()
    worker(cast.org)  # a change while migrating moves nothing by itself …
    assert revision(cast.org) == before[cast.org.pk]
    evidence.on_post_migrate(None, using="default")
    assert evidence.installed() == evidence.expected()
    # … so every organisation's revision moves once afterwards
    assert {o.pk: o.evidence_revision for o in Organisation.objects.all()} == {k: v + 1 for k, v in before.items()}
    worker(cast.org, "二人目")
    assert revision(cast.org) == before[cast.org.pk] + 2


# ---------------------------------------------------------------- the dashboard, kept under the revision


def board(c, org) -> str:
    r = c.get(reverse("dashboard", args=[org.id]))
    assert r.status_code == 200
    return r.content.decode()


def contradictions(page: str) -> str:
    return page.split('id="contradictions">')[1].split("</section>")[0] if 'id="contradictions"' in page else ""


def test_the_dashboard_follows_a_renamed_device_a_fixed_device_and_a_new_failing_one(cast, token):
    save_item(cast.org, "mic-v5:admin:E-7", "office", {"status": "done"}, cast.admin)
    failing = {cid: "pass" for cid in CHECK_IDS} | {"disk_encryption": "fail"}
    send(token, report(key="k" * 16, device_key="dev-0001", hostname="PC-001", verdicts=failing))
    c = cast.client(cast.viewer)
    assert "PC-001" in contradictions(board(c, cast.org))
    assert "PC-001" in contradictions(board(c, cast.org))  # from the kept body
    Device.objects.filter(key="dev-0001").update(hostname="PC-改名")  # no report, no form: the ORM alone
    assert "PC-改名" in contradictions(board(c, cast.org)) and "PC-001" not in board(c, cast.org)
    send(token, report(key="l" * 16, device_key="dev-0002", hostname="PC-002", verdicts=failing))
    assert "PC-002" in contradictions(board(c, cast.org))
    Device.objects.filter(key="dev-0002").delete()
    send(token, report(key="m" * 16, device_key="dev-0001", hostname="PC-改名"))  # fixed
    assert contradictions(board(c, cast.org)) == ""


def test_the_dashboard_follows_workers_answers_and_names(cast):
    w = worker(cast.org, "佐藤")
    c = campaign(cast.org, cast.admin)
    row = next(r for r in plan_of(cast.org).rows if r.item in c.items and r.applies and r.role == "worker"
               and r.scope in ("organisation", "sales"))
    service.save_answers(PersonalLink.objects.current().get(campaign=c, worker=w), {row.item: ("no", "")}, submit=True)
    save_item(cast.org, row.item, row.scope, {"status": "done"}, cast.admin)
    client = cast.client(cast.viewer)
    assert "佐藤" in contradictions(board(client, cast.org))
    Worker.objects.filter(pk=w.pk).update(name="鈴木")
    assert "鈴木" in contradictions(board(client, cast.org))
    Answer.objects.filter(worker=w).update(value="yes")
    assert contradictions(board(client, cast.org)) == ""


def test_the_dashboard_follows_open_incidents_the_name_and_the_language(cast):
    c = cast.client(cast.admin)
    first = board(c, cast.org)
    n = Incident.objects.filter(organisation=cast.org).open().count()
    assert f'?status=open">{n}</a>' in first
    Incident.objects.create(organisation=cast.org, number=999, situation="lost", description="紛失",
                            reporter_name="佐藤", reporter_contact="内線 12")
    assert f'?status=open">{n + 1}</a>' in board(c, cast.org)
    Organisation.objects.filter(pk=cast.org.pk).update(name="改称商事")
    assert "<small>改称商事</small>" in board(c, cast.org)
    c.cookies["django_language"] = "en"
    english = board(c, cast.org)
    assert "What to do first" in english and "改称商事" in english
    assert 'id="open-incidents"' not in board(cast.client(cast.viewer), cast.org)  # readers do not see the count


def test_the_dashboard_follows_the_day_and_the_records(cast):
    row = next(r for r in plan_of(cast.org).rows if r.applies and r.scope != "organisation")
    save_item(cast.org, row.item, row.scope, {"status": "not_done", "decision": "will_do", "owner": "佐藤",
                                              "deadline": timezone.localdate()}, cast.admin)

    def overdue() -> str:  # a new sign-in each time: two days on, the session has expired
        return board(cast.client(cast.admin), cast.org).split('id="overdue"')[1].split("</section>")[0]

    assert "佐藤" not in overdue()  # due today: not yet overdue
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert "佐藤" in overdue()
    assert "佐藤" not in overdue()
    save_item(cast.org, row.item, row.scope, {"status": "done", "decision": "done"}, cast.admin)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert "佐藤" not in overdue()
