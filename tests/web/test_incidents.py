from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tebiki.web.audit.models import AuditEntry
from tebiki.web.incidents.models import AppendOnly, Contact, Incident, IncidentEvent, ReportLink
from tests.web.test_contacts import VALID
from tests.web.test_hostile import HOSTILE


def when(minutes_ago: int = 30) -> str:
    return timezone.localtime(timezone.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def report_data(**change) -> dict:
    return {"situation": "phishing", "occurred_at": when(), "device": "会社のノート PC",
            "description": "請求書を装ったメールのリンクを開いてしまいました。", "reporter_name": "鈴木 花子",
            "reporter_contact": "090-1111-2222", **change}


@pytest.fixture
def token(cast) -> str:
    _, secret = ReportLink.issue(cast.org, cast.admin)
    return secret


def send(token, client=None, **change):
    from django.test import Client

    return (client or Client()).post(reverse("public_report", args=[token]), report_data(**change))


def make_incident(org, **kw) -> Incident:
    number = Incident.objects.filter(organisation=org).count() + 1
    fields = {"situation": "malware", "occurred_at": timezone.now(), "description": "警告が出た", "reporter_name": "田中",
              "reporter_contact": "t@test.example", "trouble_cases": ["mic-v5:case-04"], "measures": ["mic-v5:worker:F-2"]}
    inc = Incident.objects.create(organisation=org, number=number, **{**fields, **kw})
    IncidentEvent.objects.create(incident=inc, actor_name="田中", kind="reported", to_status="new")
    return inc


# ---------------------------------------------------------------- the report link and its form


def test_the_link_stores_only_the_hash_of_its_token(cast, token):
    link = ReportLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and len(token) >= 40
    assert token not in str(list(ReportLink.objects.values()))


def test_a_worker_without_an_account_reports_through_the_link(cast, token):
    form = Client_get(reverse("public_report", args=[token]))
    assert form.status_code == 200 and "テスト商事" in form.content.decode()
    r = send(token)
    assert r.status_code == 302 and r["Location"].startswith(reverse("public_sent", args=[token]))
    inc = Incident.objects.get()
    assert (inc.organisation, inc.number, inc.situation, inc.status) == (cast.org, 1, "phishing", "new")
    assert inc.reported_by is None and inc.report_link == ReportLink.objects.get()
    assert "mic-v5:case-06" in inc.trouble_cases and "mic-v5:worker:F-1" in inc.measures
    assert [(e.kind, e.actor_name) for e in inc.events.all()] == [("reported", "鈴木 花子")]
    entry = AuditEntry.objects.get(action="incident.report")
    assert entry.organisation_id == cast.org.id and entry.data["via"] == "link"


def Client_get(url):
    from django.test import Client

    return Client().get(url)


def test_the_managers_are_emailed_about_a_new_report(cast, token):
    send(token)
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert sorted(msg.to) == ["admin@test.example", "exec@test.example"]  # executives and admins, nobody else
    inc = Incident.objects.get()
    assert "#1" in msg.subject and "テスト商事" in msg.subject
    assert f"/o/{cast.org.id}/incidents/{inc.id}/" in msg.body and "請求書を装った" in msg.body


def test_the_form_shows_first_steps_and_contacts_for_each_situation(cast, token):
    Contact.objects.create(organisation=cast.org, situation="phishing", name="情シス 山田", phone="03-1111-2222")
    page = Client_get(reverse("public_report", args=[token])).content.decode()
    phishing = page.split('data-situation="phishing"')[1].split("</section>")[0]
    assert "情シス 山田" in phishing and 'href="tel:0311112222"' in phishing
    assert "リンクや添付ファイルは開かず" in phishing
    assert "情シス 山田" not in page.split('data-situation="malware"')[1].split("</section>")[0]


def test_the_page_after_sending_repeats_the_first_steps_of_the_chosen_situation(cast, token):
    r = send(token, situation="malware")
    page = Client_get(r["Location"]).content.decode()
    assert "LAN ケーブルを抜き" in page and "請求書" not in page


@pytest.mark.parametrize("change,field", [
    ({"situation": ""}, "situation"),
    ({"situation": "alien_invasion"}, "situation"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"occurred_at": "2999-01-01T10:00"}, "occurred_at"),
    ({"occurred_at": "2001-01-01T10:00"}, "occurred_at"),
    ({"description": ""}, "description"),
    ({"description": "x" * 4001}, "description"),
    ({"description": "nul\x00byte here"}, "description"),
    ({"device": "x" * 101}, "device"),
    ({"occurred_about": "x" * 101}, "occurred_about"),
    ({"reporter_name": "   "}, "reporter_name"),
    ({"reporter_contact": ""}, "reporter_contact"),
    ({"reporter_name": "esc\x1b[31m"}, "reporter_name"),
])
def test_bad_input_gets_a_message_at_the_field_and_nothing_is_stored(cast, token, change, field):
    r = send(token, **change)
    assert r.status_code == 422
    assert field in r.context["form"].errors
    assert 'class="field-error"' in r.content.decode()
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists() and mail.outbox == []
    assert not AuditEntry.objects.filter(action="incident.report").exists()


def test_an_oversized_report_is_refused_unread(cast, token):
    r = send(token, description="x" * 40_000)
    assert r.status_code == 413
    assert not Incident.objects.exists()


def test_a_link_accepts_a_limited_number_of_reports_per_hour(cast, token):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(ReportLink.MAX_PER_HOUR):
            assert send(token).status_code == 302
        r = send(token)
        assert r.status_code == 429 and "1 時間" in r.content.decode()
        assert Incident.objects.count() == ReportLink.MAX_PER_HOUR
        clock.shift(timedelta(minutes=61))
        assert send(token, occurred_at=when(5)).status_code == 302
    assert Incident.objects.count() == ReportLink.MAX_PER_HOUR + 1
    assert sorted(Incident.objects.values_list("number", flat=True)) == list(range(1, ReportLink.MAX_PER_HOUR + 2))


@pytest.mark.parametrize("name", ["public_report", "public_sent", "public_contacts"])
def test_revoked_expired_and_made_up_tokens_are_refused(cast, token, name):
    assert Client_get(reverse(name, args=["not-a-token"])).status_code == 404
    ReportLink.objects.update(revoked_at=timezone.now())
    assert Client_get(reverse(name, args=[token])).status_code == 404
    ReportLink.objects.update(revoked_at=None)
    with time_machine.travel(timezone.now() + ReportLink.VALID_FOR + timedelta(days=1)):
        assert Client_get(reverse(name, args=[token])).status_code == 404


def test_a_revoked_link_stores_nothing(cast, token):
    cast.client(cast.admin).post(reverse("revoke_report_link", args=[cast.org.id]))
    assert ReportLink.objects.get().state == "revoked"
    assert send(token).status_code == 404
    assert not Incident.objects.exists() and mail.outbox == []
    assert AuditEntry.objects.filter(action="report_link.revoke", organisation_id=cast.org.id).exists()


def test_issuing_a_new_link_warns_keeps_the_old_one_for_the_grace_period_and_shows_the_new_one_once(cast, token):
    admin = cast.client(cast.admin)
    r = admin.post(reverse("issue_report_link", args=[cast.org.id]), follow=True)
    page = r.content.decode()
    assert "まで使えます。それまでに印刷したカード" in page  # the warning, with the date the old link stops
    new_url = page.split('id="new-report-link" readonly value="')[1].split('"')[0]
    new_token = new_url.rstrip("/").rsplit("/", 1)[1]
    again = admin.get(reverse("incidents", args=[cast.org.id])).content.decode()
    assert 'id="new-report-link"' not in again and f"以前のリンク {token[:6]}… は" in again
    assert send(token).status_code == 302 and send(new_token).status_code == 302  # printed cards still work
    entry = AuditEntry.objects.get(action="report_link.issue", target=new_token[:6])
    assert entry.data["earlier_in_grace"] == [token[:6]]
    with time_machine.travel(timezone.now() + ReportLink.GRACE + timedelta(minutes=1)):
        assert send(token).status_code == 404
        assert send(new_token, occurred_at="").status_code == 302
        assert "以前のリンク " not in admin.get(reverse("incidents", args=[cast.org.id])).content.decode()


def test_the_first_link_comes_without_a_warning(cast):
    page = cast.client(cast.admin).post(reverse("issue_report_link", args=[cast.org.id]), follow=True).content.decode()
    assert "以前のリンクは %s" not in page and "まで使えます。それまでに" not in page


def test_revoking_stops_the_links_in_their_grace_period_too(cast, token):
    admin = cast.client(cast.admin)
    admin.post(reverse("issue_report_link", args=[cast.org.id]))
    admin.post(reverse("revoke_report_link", args=[cast.org.id]))
    assert send(token).status_code == 404 and not ReportLink.objects.usable().exists()


def test_a_link_reaches_its_form_and_contacts_and_nothing_else_of_the_organisation(cast, token):
    from django.test import Client

    make_incident(cast.org)  # another report that must not show
    Contact.objects.create(organisation=cast.other, situation="phishing", name="よその窓口", phone="03-9999-9999")
    c = Client()
    r = c.get(reverse("public_report", args=[token]))
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    page = r.content.decode()
    assert "警告が出た" not in page and "よその窓口" not in page and "よその会社" not in page
    assert "admin@test.example" not in page and f"/o/{cast.org.id}/" not in page
    send(token, client=c)
    for name in ("dashboard", "incidents", "contacts", "checklist", "members", "audit_log"):
        r = c.get(reverse(name, args=[cast.org.id]))
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), name
    assert c.get(reverse("incident", args=[cast.org.id, Incident.objects.first().id])).status_code == 302
    assert Incident.objects.filter(organisation=cast.other).count() == 0


def test_the_link_of_one_organisation_files_reports_only_there(cast, token):
    _, other_token = ReportLink.issue(cast.other, cast.outsider)
    send(token)
    send(other_token, description="よその会社での出来事です")
    assert Incident.objects.get(organisation=cast.org).description.startswith("請求書")
    assert Incident.objects.get(organisation=cast.other).description.startswith("よその")
    assert [m.to for m in mail.outbox] == [["admin@test.example", "exec@test.example"], ["outsider@other.example"]]
    assert cast.client(cast.outsider).get(reverse("incidents", args=[cast.other.id])).content.decode().count(
        "請求書") == 0


@pytest.mark.parametrize("who", ["worker", "viewer", "consultant"])
def test_only_managers_issue_or_revoke_the_link(cast, token, who):
    client = cast.client(getattr(cast, who))
    assert client.post(reverse("issue_report_link", args=[cast.org.id])).status_code == 403
    assert client.post(reverse("revoke_report_link", args=[cast.org.id])).status_code == 403
    assert ReportLink.objects.get().state == "open"


def test_the_public_form_refuses_other_methods(cast, token):
    from django.test import Client

    assert Client().put(reverse("public_report", args=[token])).status_code == 405
    assert Client().post(reverse("public_contacts", args=[token])).status_code == 405


# ---------------------------------------------------------------- members report from their own pages


def test_a_signed_in_worker_reports_from_their_own_pages(cast):
    c = cast.client(cast.worker)
    form = c.get(reverse("incident_report", args=[cast.org.id]))
    assert form.status_code == 200 and 'value="worker@test.example"' in form.content.decode()
    r = c.post(reverse("incident_report", args=[cast.org.id]), report_data(situation="lost_device"))
    assert r.status_code == 302
    inc = Incident.objects.get()
    assert (inc.reported_by, inc.report_link, inc.situation) == (cast.worker, None, "lost_device")
    assert len(mail.outbox) == 1
    assert "PC・スマートフォンの紛失" in c.get(r["Location"]).content.decode()


def test_a_member_report_with_bad_input_stores_nothing(cast):
    r = cast.client(cast.worker).post(reverse("incident_report", args=[cast.org.id]), report_data(description=""))
    assert r.status_code == 422 and "description" in r.context["form"].errors
    assert not Incident.objects.exists() and mail.outbox == []


def test_the_navigation_leads_workers_to_the_form_and_editors_to_the_log(cast):
    worker = cast.client(cast.worker).get(reverse("contacts", args=[cast.org.id])).content.decode()
    nav = worker.split('class="orgnav"')[1].split("</nav>")[0]
    assert reverse("incident_report", args=[cast.org.id]) in nav and reverse("contacts", args=[cast.org.id]) in nav
    admin = cast.client(cast.admin).get(reverse("contacts", args=[cast.org.id])).content.decode()
    assert reverse("incidents", args=[cast.org.id]) in admin.split('class="orgnav"')[1].split("</nav>")[0]


# ---------------------------------------------------------------- the incident log


@pytest.mark.parametrize("who", ["worker", "viewer"])
def test_readers_cannot_see_the_log_or_change_an_incident(cast, who):
    inc = make_incident(cast.org)
    c = cast.client(getattr(cast, who))
    assert c.get(reverse("incidents", args=[cast.org.id])).status_code == 403
    assert c.get(reverse("incident", args=[cast.org.id, inc.id])).status_code == 403
    assert c.post(reverse("incident_status", args=[cast.org.id, inc.id]), {"status": "closed"}).status_code == 403
    assert c.post(reverse("incident_note", args=[cast.org.id, inc.id]), {"note": "x"}).status_code == 403
    assert c.post(reverse("incident_links", args=[cast.org.id, inc.id]), {"measures": []}).status_code == 403
    inc.refresh_from_db()
    assert inc.status == "new" and inc.events.count() == 1 and inc.measures == ["mic-v5:worker:F-2"]


def test_an_outsider_gets_404_for_another_organisations_incident(cast):
    inc = make_incident(cast.org)
    c = cast.client(cast.outsider)
    assert c.get(reverse("incident", args=[cast.other.id, inc.id])).status_code == 404
    assert c.post(reverse("incident_status", args=[cast.other.id, inc.id]), {"status": "closed"}).status_code == 404
    assert c.post(reverse("incident_note", args=[cast.other.id, inc.id]), {"note": "x"}).status_code == 404
    assert c.get(reverse("incident", args=[cast.org.id, inc.id])).status_code == 404
    inc.refresh_from_db()
    assert inc.status == "new" and inc.events.count() == 1


def test_wrong_methods_on_the_log_are_405(cast):
    inc = make_incident(cast.org)
    c = cast.client(cast.admin)
    assert c.get(reverse("incident_status", args=[cast.org.id, inc.id])).status_code == 405
    assert c.get(reverse("incident_note", args=[cast.org.id, inc.id])).status_code == 405
    assert c.get(reverse("issue_report_link", args=[cast.org.id])).status_code == 405
    assert c.post(reverse("incident", args=[cast.org.id, inc.id])).status_code == 405
    assert not ReportLink.objects.exists()


def test_an_editor_changes_the_status_and_the_timeline_grows(cast):
    inc = make_incident(cast.org)
    first = inc.events.get()
    c = cast.client(cast.consultant)
    r = c.post(reverse("incident_status", args=[cast.org.id, inc.id]), {"status": "investigating", "note": "端末を回収"})
    assert r.status_code == 302
    c.post(reverse("incident_status", args=[cast.org.id, inc.id]), {"status": "contained"})
    c.post(reverse("incident_note", args=[cast.org.id, inc.id]), {"note": "原因はマクロ付き添付"})
    inc.refresh_from_db()
    assert inc.status == "contained"
    events = list(inc.events.values_list("kind", "from_status", "to_status", "note", "actor_name"))
    assert events == [("reported", "", "new", "", "田中"),
                      ("status", "new", "investigating", "端末を回収", "consultant"),
                      ("status", "investigating", "contained", "", "consultant"),
                      ("note", "", "", "原因はマクロ付き添付", "consultant")]
    first_again = inc.events.first()
    assert (first_again.pk, first_again.at, first_again.note) == (first.pk, first.at, first.note)
    audit = list(AuditEntry.objects.filter(action="incident.status").values_list("data", flat=True))
    assert audit == [{"from": "new", "to": "investigating"}, {"from": "investigating", "to": "contained"}]
    page = c.get(reverse("incident", args=[cast.org.id, inc.id])).content.decode()
    assert "端末を回収" in page and "原因はマクロ付き添付" in page


def test_timeline_events_cannot_be_edited_or_deleted(cast):
    inc = make_incident(cast.org)
    event = inc.events.get()
    event.note = "書き換え"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert IncidentEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.parametrize("data,field", [({"status": "solved"}, "status"), ({"status": ""}, "status"),
                                        ({"status": "closed", "note": "x" * 4001}, "note")])
def test_a_bad_status_change_is_refused_at_the_field(cast, data, field):
    inc = make_incident(cast.org)
    r = cast.client(cast.admin).post(reverse("incident_status", args=[cast.org.id, inc.id]), data)
    assert r.status_code == 422 and field in r.context["status_form"].errors
    inc.refresh_from_db()
    assert inc.status == "new" and inc.events.count() == 1


def test_an_empty_note_is_refused(cast):
    inc = make_incident(cast.org)
    r = cast.client(cast.admin).post(reverse("incident_note", args=[cast.org.id, inc.id]), {"note": " "})
    assert r.status_code == 422 and inc.events.count() == 1


def test_related_cases_and_measures_are_edited_and_unknown_ids_refused(cast):
    inc = make_incident(cast.org)
    c = cast.client(cast.admin)
    url = reverse("incident_links", args=[cast.org.id, inc.id])
    r = c.post(url, {"trouble_cases": ["mic-v5:case-99"], "measures": ["mic-v5:worker:F-2"]})
    assert r.status_code == 422 and "trouble_cases" in r.context["links_form"].errors
    inc.refresh_from_db()
    assert inc.trouble_cases == ["mic-v5:case-04"]
    r = c.post(url, {"trouble_cases": ["mic-v5:case-05", "mic-v5:case-04"],
                     "measures": ["mic-v5:admin:F-3", "mic-v5:worker:F-2"]})
    assert r.status_code == 302
    inc.refresh_from_db()
    assert inc.trouble_cases == ["mic-v5:case-04", "mic-v5:case-05"]
    assert set(inc.measures) == {"mic-v5:admin:F-3", "mic-v5:worker:F-2"}
    assert inc.events.last().kind == "links"


def test_the_log_filters_by_status(cast):
    make_incident(cast.org, description="まだ新しい件")
    make_incident(cast.org, description="終わった件", status="closed")
    make_incident(cast.other, description="よその件")
    c = cast.client(cast.executive)
    url = reverse("incidents", args=[cast.org.id])
    everything = c.get(url).content.decode()
    assert "まだ新しい件" in everything and "終わった件" in everything and "よその件" not in everything
    open_only = c.get(url, {"status": "open"}).content.decode()
    assert "まだ新しい件" in open_only and "終わった件" not in open_only
    closed = c.get(url, {"status": "closed"}).content.decode()
    assert "終わった件" in closed and "まだ新しい件" not in closed
    assert c.get(url, {"status": "bogus"}).status_code == 200


def test_the_dashboard_counts_open_incidents_for_editors(cast):
    make_incident(cast.org)
    make_incident(cast.org)
    make_incident(cast.org, status="closed")
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    card = page.split('id="open-incidents"')[1].split("</section>")[0]
    assert ">2<" in card
    assert 'id="open-incidents"' not in cast.client(cast.worker).get(reverse("dashboard", args=[cast.org.id])).content.decode()


# ---------------------------------------------------------------- hostile input (the strings of test_hostile.py)

REPORT_FIELDS = ["situation", "occurred_at", "device", "description", "reporter_name", "reporter_contact"]


@pytest.mark.parametrize("field", REPORT_FIELDS)
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_the_report_form_survives_hostile_text(cast, token, field, hostile):
    r = send(token, **{field: hostile})
    assert r.status_code < 500
    if r.status_code >= 400:
        assert not Incident.objects.exists() and mail.outbox == []
    else:
        inc = Incident.objects.get()
        page = cast.client(cast.admin).get(reverse("incident", args=[cast.org.id, inc.id])).content.decode()
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        log = cast.client(cast.admin).get(reverse("incidents", args=[cast.org.id])).content.decode()
        assert "<script>alert(1)</script>" not in log
    assert "<script>alert(1)</script>" not in r.content.decode()


@pytest.mark.parametrize("field", ["name", "phone", "email", "notes", "position"])
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_the_contact_form_survives_hostile_text(cast, token, field, hostile):
    r = cast.client(cast.admin).post(reverse("contact_new", args=[cast.org.id]), {**VALID, field: hostile})
    assert r.status_code < 500
    if r.status_code >= 400:
        assert not Contact.objects.exists()
    for url in (reverse("public_report", args=[token]), reverse("public_contacts", args=[token])):
        assert "<script>alert(1)</script>" not in Client_get(url).content.decode()


def test_deleting_an_organisation_takes_its_incidents_and_timeline_with_it(cast, token):
    send(token)
    make_incident(cast.other)
    cast.org.delete()
    assert list(Incident.objects.values_list("organisation", flat=True)) == [cast.other.id]
    assert IncidentEvent.objects.count() == 1 and not ReportLink.objects.exists()


# ---------------------------------------------------------------- what the reporter said, and what to do first


def test_the_time_is_not_filled_in_for_the_reporter(cast, token):
    page = Client_get(reverse("public_report", args=[token])).content.decode()
    field = page.split('name="occurred_at"')[1].split(">")[0]
    assert "value=" not in field


def test_a_report_without_a_time_records_none_and_says_so(cast, token):
    assert send(token, occurred_at="", occurred_about="").status_code == 302
    inc = Incident.objects.get()
    assert inc.occurred_at is None and inc.occurred_about == ""
    page = cast.client(cast.admin).get(reverse("incident", args=[cast.org.id, inc.id])).content.decode()
    assert "報告者からの記載なし" in page
    assert "報告者からの記載なし" in mail.outbox[0].body


def test_about_when_is_kept_in_the_reporters_words(cast, token):
    assert send(token, occurred_at="", occurred_about="午後6時ごろ").status_code == 302
    inc = Incident.objects.get()
    assert (inc.occurred_at, inc.occurred_about) == (None, "午後6時ごろ")
    page = cast.client(cast.admin).get(reverse("incident", args=[cast.org.id, inc.id])).content.decode()
    assert "「午後6時ごろ」" in page


@pytest.mark.parametrize("situation, expected, absent", [
    ("lost_device", ["遺失届", "忘れ物窓口", "「探す」", "「デバイスを探す」"], ["被害届"]),
    ("stolen_device", ["被害届", "110 番", "遠隔ロック"], ["忘れ物窓口", "「探す」"]),
    ("lost_media", ["忘れ物窓口", "個人情報"], ["「探す」"]),
])
def test_lost_and_stolen_devices_get_their_own_first_steps(cast, token, situation, expected, absent):
    page = Client_get(reverse("public_report", args=[token])).content.decode()
    guide = page.split(f'data-situation="{situation}"')[1].split("</section>")[0]
    assert all(word in guide for word in expected), [w for w in expected if w not in guide]
    assert not any(word in guide for word in absent)


@pytest.mark.parametrize("situation, cases", [
    ("lost_device", ["mic-v5:case-02"]), ("stolen_device", ["mic-v5:case-02"]),
    ("lost_media", ["mic-v5:case-08", "mic-v5:case-02"]),
])
def test_the_suggested_trouble_cases_fit_the_situation(cast, token, situation, cases):
    send(token, situation=situation)
    assert Incident.objects.get().trouble_cases == cases  # a lost phone is not case 8, the USB memory


def _contact_order(page: str, situation: str) -> list[str]:
    guide = page.split(f'data-situation="{situation}"')[1].split("</section>")[0]
    return [h.split("</h4>")[0] for h in guide.split("<h4>")[1:]]


@pytest.mark.parametrize("moment, first", [("2026-12-02 10:30", "営業時間内"), ("2026-12-02 04:32", "時間外・休日"),
                                           ("2026-12-05 11:00", "時間外・休日")])  # a Wednesday; a Saturday
def test_contacts_come_in_the_order_that_answers_now(cast, token, moment, first):
    Contact.objects.create(organisation=cast.org, situation="lost_device", availability="business_hours",
                           name="総務 鈴木", phone="03-1111-2222")
    Contact.objects.create(organisation=cast.org, situation="lost_device", availability="out_of_hours",
                           name="当番 佐藤", phone="090-1111-2222")
    at = timezone.make_aware(timezone.datetime.fromisoformat(moment))
    with time_machine.travel(at, tick=False):
        page = Client_get(reverse("public_report", args=[token])).content.decode()
        sent = Client_get(send(token, situation="lost_device", occurred_at="")["Location"]).content.decode()
    assert _contact_order(page, "lost_device")[0] == first
    assert sent.index(first) < sent.index("営業時間内" if first != "営業時間内" else "時間外・休日")
    assert ("いまは営業時間外です" in page) == (first != "営業時間内")
