"""`python -m tebiki.web demo`: the demo organisation a newcomer lands in after `make run`."""

from __future__ import annotations

import io
import re

from django.core.management import call_command

from tebiki.core.incidents import situations
from tebiki.web.accounts.models import User
from tebiki.web.assessments.models import ItemRecord
from tebiki.web.audit.log import verify
from tebiki.web.audit.models import AuditEntry
from tebiki.web.devices.models import CheckReport, Device
from tebiki.web.devices.service import fleet
from tebiki.web.incidents.models import Contact, Incident, IncidentEvent
from tebiki.web.incidents.views.contacts import sections_for
from tebiki.web.orgs.models import Organisation
from tebiki.web.people import service as people
from tebiki.web.people.models import Answer, Campaign, PersonalLink, Submission, TrainingAck, Worker


def signs_in(password: str) -> bool:
    return User.objects.get(email="demo@tebiki.example").check_password(password)


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_partly_filled_organisation_with_devices_and_prints_a_working_password(db):
    out = run_demo()
    password = re.search(r"password:\s+(\S+)", out).group(1)
    assert len(password) >= 12
    assert signs_in(password)

    org = Organisation.objects.get(name="サンプル商事株式会社")
    states = set(ItemRecord.objects.filter(organisation=org).values_list("status", flat=True))
    assert {"done", "partly", "not_done"} <= states
    assert 0 < org.summary["done"] < org.summary["applicable"]

    assert Device.objects.filter(organisation=org).count() == 5
    assert CheckReport.objects.filter(organisation=org).count() == 10
    summary = fleet(org)
    assert summary["disk_encryption"]["pass"] == 4 and summary["disk_encryption"].get("fail", 0) == 1


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (ItemRecord, Device, CheckReport, Worker, Campaign, PersonalLink, Answer,
                                             Submission, TrainingAck, Contact, Incident, IncidentEvent, AuditEntry))


def test_running_it_again_changes_nothing_and_shows_no_password(db):
    run_demo()
    before = counts()
    out = run_demo()
    assert "shown once" not in out and not re.search(r"password:\s+\S{12,}\s", out)
    assert counts() == before
    assert Organisation.objects.filter(name="サンプル商事株式会社").count() == 1


def test_reset_password_prints_a_new_one_that_works(db):
    first = re.search(r"password:\s+(\S+)", run_demo()).group(1)
    second = re.search(r"password:\s+(\S+)", run_demo("--reset-password")).group(1)
    assert first != second
    assert not signs_in(first)
    assert signs_in(second)


def demo_org() -> Organisation:
    run_demo()
    return Organisation.objects.get(name="サンプル商事株式会社")


def test_it_adds_workers_in_every_department_and_an_open_campaign_most_have_answered(db):
    org = demo_org()
    workers = list(Worker.objects.filter(organisation=org))
    assert len(workers) == 8
    assert {w.department for w in workers} == {d["id"] for d in org.profile["departments"]}
    assert all(w.email.endswith("@example.jp") for w in workers)

    campaign = Campaign.objects.get(organisation=org)
    assert campaign.is_open
    assert PersonalLink.objects.current().filter(campaign=campaign).count() == 8
    res = people.results(campaign)
    assert 0 < len(res.not_answered) < len(workers)
    assert any(0 < p.answered < p.asked for p in res.workers.values())  # one worker stopped halfway
    assert set(Answer.objects.filter(campaign=campaign).values_list("value", flat=True)) == {"yes", "no", "unknown", "na"}
    assert Answer.objects.filter(campaign=campaign).exclude(comment="").count() >= 3
    assert Submission.objects.filter(campaign=campaign).count() == len(workers) - len(res.not_answered)
    tally = res.tally("mic-v5:worker:C-2")
    assert 0 < tally.answered < tally.asked == len(workers)


def test_the_item_page_evidence_and_the_training_page_have_data(db):
    org = demo_org()
    evidence = people.evidence_for_measure(org, "mic-v5:worker:F-1", "organisation")
    assert 0 < evidence["answered"] < evidence["asked"]

    campaign = Campaign.objects.get(organisation=org)
    states = {s.state for s in people.training(campaign, list(Worker.objects.values_list("id", flat=True)))}
    assert states == {"done", "pending"}
    scores = TrainingAck.objects.filter(campaign=campaign).values_list("score", flat=True)
    assert all(s is not None for s in scores) and len(scores) >= 10


def test_every_situation_has_contacts_in_and_out_of_hours(db):
    org = demo_org()
    sections = sections_for(org)
    assert [s.situation.id for s in sections] == situations().ids
    assert all(s.business_hours and s.out_of_hours for s in sections)
    own = set(Contact.objects.filter(organisation=org).values_list("situation", flat=True))
    assert set(situations().ids) <= own


def test_it_records_a_closed_and_an_open_incident_with_timelines_and_a_sound_audit_chain(db):
    org = demo_org()
    incidents = {i.situation: i for i in Incident.objects.filter(organisation=org)}
    assert set(incidents) == {"phishing", "lost_device"}
    assert incidents["phishing"].status == "closed" and incidents["lost_device"].status == "investigating"
    for inc in incidents.values():
        events = list(inc.events.all())
        assert events[0].kind == "reported" and len(events) >= 3
        assert [e.at for e in events] == sorted(e.at for e in events) and events[0].at < events[-1].at
        assert all(e.actor is not None for e in events[1:])
        assert inc.trouble_cases and inc.measures
    assert incidents["phishing"].number == 1  # the older report comes first
    assert verify() == []
    assert AuditEntry.objects.filter(organisation_id=org.id, action="incident.status").count() == 3


def test_the_demo_admin_sees_the_data_on_the_campaign_contacts_incident_and_training_pages(db):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    org = demo_org()
    user = User.objects.get(email="demo@tebiki.example")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=user, name="test", confirmed=True).persistent_id
    session.save()
    campaign = Campaign.objects.get(organisation=org)
    lost = Incident.objects.get(organisation=org, situation="lost_device")
    for path, expect in [(f"campaigns/{campaign.id}/", "伊藤 さくら"), ("contacts/", "0120-000-456"),
                         ("incidents/", "高橋 健太"), (f"incidents/{lost.id}/", "遠隔ロック"), ("training/", "小林 翔太"),
                         ("items/mic-v5:worker:C-2/office/", campaign.title)]:
        response = client.get(f"/o/{org.id}/{path}")
        assert response.status_code == 200, path
        assert expect in response.content.decode(), path


def test_a_demo_worker_sees_their_own_devices_with_results_in_japanese_through_their_link(db):
    from django.test import Client

    org = demo_org()
    takahashi = Worker.objects.get(organisation=org, email="k.takahashi@example.jp")
    assert set(takahashi.devices.values_list("hostname", flat=True)) == {"EIGYO-NB05", "takahashi-mbp"}
    assert Worker.objects.get(organisation=org, email="i.suzuki@example.jp").devices.count() == 1
    assert AuditEntry.objects.filter(organisation_id=org.id, action="device.edit").count() == 3
    campaign = Campaign.objects.get(organisation=org)
    url = people.issue_links(campaign, [takahashi], "http://testserver", send=False)[takahashi.id]
    page = Client(HTTP_ACCEPT_LANGUAGE="ja").get(url.removeprefix("http://testserver") + "devices/")
    text = page.content.decode()
    assert page.status_code == 200 and "EIGYO-NB05" in text and "takahashi-mbp" in text and "SOUMU-PC01" not in text
    assert "要対応" in text
    assert "macos/xprotect.txt が取得されていません" in text  # an unknown check says why, in Japanese
    assert text.count("判定不可は不合格ではありません。") == 1  # advice once, on the device with an undecided check
    assert "not captured" not in text and "demo:" not in text
