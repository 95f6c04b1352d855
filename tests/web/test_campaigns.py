"""Worker roster, self-check campaigns, personal links, the worker's form and the results."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tebiki.core.worker_guide import guide
from tebiki.web.audit.models import AuditEntry
from tebiki.web.people import service
from tebiki.web.people.models import Answer, Campaign, PersonalLink, Submission, Worker, token_hash
from tests.web.test_hostile import HOSTILE

TODAY = dt.date(2026, 12, 1)
NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)  # 12:00 in Tokyo


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as t:
        yield t


def add_workers(org, n=3, department="sales"):
    return [Worker.objects.create(organisation=org, name=f"勤務者{i}", email=f"w{i}.{department}@{org.id}.example",
                                  department=department) for i in range(n)]


def opened(org, user, departments=("sales", "office"), deadline=TODAY + dt.timedelta(days=7)):
    c = service.create_campaign(org, "12月の点検", list(departments), deadline, user)
    urls = service.open_campaign(c, "http://testserver", send=False)
    return c, {wid: url.removeprefix("http://testserver") for wid, url in urls.items()}


def url(name, org, *args):
    return reverse(name, args=[org.id, *args])


# ---------------------------------------------------------------- roster


def test_a_manager_adds_a_worker(cast):
    r = cast.client(cast.admin).post(url("workers", cast.org), {"name": " 山田 花子 ", "email": "Hanako@Example.jp",
                                                                "department": "sales"})
    assert r.status_code == 302
    w = Worker.objects.get()
    assert (w.organisation, w.name, w.email, w.department) == (cast.org, "山田 花子", "hanako@example.jp", "sales")
    assert AuditEntry.objects.filter(action="worker.add", target="hanako@example.jp").exists()


@pytest.mark.parametrize("data,field", [
    ({"name": "A", "email": "not-mail", "department": "sales"}, "email"),
    ({"name": "A", "email": "a@example.jp", "department": "nowhere"}, "department"),
    ({"name": "", "email": "a@example.jp", "department": "sales"}, "name"),
])
def test_a_bad_worker_is_refused_at_the_field(cast, data, field):
    r = cast.client(cast.admin).post(url("workers", cast.org), data)
    assert r.status_code == 422 and field in r.context["form"].errors
    assert not Worker.objects.exists()


def test_the_same_email_cannot_be_added_twice(cast):
    add_workers(cast.org, 1)
    r = cast.client(cast.admin).post(url("workers", cast.org), {"name": "X", "email": f"w0.sales@{cast.org.id}.example",
                                                                "department": "office"})
    assert r.status_code == 422 and Worker.objects.count() == 1


def test_bulk_add_stores_every_line(cast):
    lines = "山田 花子,hanako@example.jp,営業部\n\n佐藤 一郎,ichiro@example.jp,office\n"
    r = cast.client(cast.admin).post(url("workers_bulk", cast.org), {"lines": lines})
    assert r.status_code == 302
    assert sorted(Worker.objects.values_list("email", "department")) == [("hanako@example.jp", "sales"),
                                                                         ("ichiro@example.jp", "office")]


def test_bulk_add_stores_nothing_if_one_line_is_bad_and_names_the_line(cast):
    lines = "山田 花子,hanako@example.jp,営業部\n佐藤 一郎,ichiro@example.jp,宇宙部\n鈴木,bad-mail,営業部\n田中,t@example.jp"
    r = cast.client(cast.admin).post(url("workers_bulk", cast.org), {"lines": lines})
    assert r.status_code == 422
    errors = r.context["bulk_form"].errors["lines"]
    assert any("2" in e and "宇宙部" in e for e in errors)
    assert any("3" in e and "bad-mail" in e for e in errors)
    assert any("4" in e for e in errors)
    assert not Worker.objects.exists()


def test_bulk_add_refuses_an_email_twice_in_the_paste(cast):
    r = cast.client(cast.admin).post(url("workers_bulk", cast.org), {"lines": "A,a@example.jp,sales\nB,A@example.jp,it"})
    assert r.status_code == 422 and not Worker.objects.exists()


def test_a_manager_edits_and_removes_a_worker(cast):
    w, = add_workers(cast.org, 1)
    c = cast.client(cast.executive)
    r = c.post(url("worker_edit", cast.org, w.id), {"name": "新しい名前", "email": w.email, "department": "it"})
    assert r.status_code == 302
    w.refresh_from_db()
    assert (w.name, w.department) == ("新しい名前", "it")
    assert c.post(url("worker_delete", cast.org, w.id)).status_code == 302
    assert not Worker.objects.exists()
    assert AuditEntry.objects.filter(action="worker.remove").exists()


@pytest.mark.parametrize("role", ["consultant", "worker", "viewer"])
def test_only_managers_change_the_roster(cast, role):
    w, = add_workers(cast.org, 1)
    c = cast.client(getattr(cast, role))
    assert c.post(url("workers", cast.org), {"name": "A", "email": "a@example.jp", "department": "sales"}).status_code == 403
    assert c.post(url("workers_bulk", cast.org), {"lines": "A,a@example.jp,sales"}).status_code == 403
    assert c.post(url("worker_delete", cast.org, w.id)).status_code == 403
    assert Worker.objects.count() == 1


@pytest.mark.parametrize("role", ["worker", "viewer"])
def test_readers_do_not_see_the_roster_or_campaigns(cast, role):
    add_workers(cast.org, 1)
    c = cast.client(getattr(cast, role))
    assert c.get(url("workers", cast.org)).status_code == 403
    assert c.get(url("campaigns", cast.org)).status_code == 403


def test_another_organisations_worker_is_404(cast):
    w, = add_workers(cast.other, 1)
    c = cast.client(cast.admin)
    assert c.get(url("worker_edit", cast.org, w.id)).status_code == 404
    assert c.post(url("worker_delete", cast.org, w.id)).status_code == 404
    assert Worker.objects.filter(id=w.id).exists()


# ---------------------------------------------------------------- campaigns


def test_a_manager_creates_a_campaign_over_the_items_that_apply(cast):
    r = cast.client(cast.admin).post(url("campaigns", cast.org), {
        "title": "12月の点検", "departments": ["office", "sales"], "deadline": "2026-12-15"})
    c = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == url("campaign", cast.org, c.id)
    assert c.state == "draft" and c.departments == ["office", "sales"]
    assert c.items["mic-v5:worker:C-3"] == ["sales"]  # phones only in sales
    assert "mic-v5:worker:E-1" in c.items and "mic-v5:admin:A-1" not in c.items
    assert "csaj-2018:5.1.2-1" not in c.items  # an administrator task: on the checklist, not asked of workers
    assert c.closes_at == dt.datetime(2026, 12, 16, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.mark.parametrize("data,field", [
    ({"title": "x", "departments": ["nowhere"], "deadline": "2026-12-15"}, "departments"),
    ({"title": "x", "departments": ["sales"], "deadline": "2026-11-30"}, "deadline"),
    ({"title": "", "departments": ["sales"], "deadline": "2026-12-15"}, "title"),
])
def test_a_bad_campaign_is_refused_at_the_field(cast, data, field):
    r = cast.client(cast.admin).post(url("campaigns", cast.org), data)
    assert r.status_code == 422 and field in r.context["form"].errors
    assert not Campaign.objects.exists()


def test_opening_mails_one_personal_link_per_worker_and_stores_only_hashes(cast):
    workers = add_workers(cast.org, 2) + add_workers(cast.org, 1, "office") + add_workers(cast.org, 1, "it")
    c = service.create_campaign(cast.org, "点検", ["sales", "office"], TODAY, cast.admin)
    r = cast.client(cast.admin).post(url("campaign_open", cast.org, c.id), {"send": "1"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == "open"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(w.email for w in workers[:3])
    tokens = [re.search(r"/w/([\w-]+)/", m.body).group(1) for m in mail.outbox]
    assert len(set(tokens)) == 3
    stored = set(PersonalLink.objects.values_list("token_hash", flat=True))
    assert stored == {token_hash(t) for t in tokens}
    assert not any(t in stored for t in tokens)
    assert all(link.sent_at for link in PersonalLink.objects.all())
    assert AuditEntry.objects.filter(action="campaign.open").exists()


def test_opening_without_mail_shows_the_links_once(cast):
    add_workers(cast.org, 2)
    c = service.create_campaign(cast.org, "点検", ["sales"], TODAY, cast.admin)
    client = cast.client(cast.admin)
    client.post(url("campaign_open", cast.org, c.id), {"send": "0"})
    first = client.get(url("campaign", cast.org, c.id)).content.decode()
    again = client.get(url("campaign", cast.org, c.id)).content.decode()
    assert first.count("http://testserver/w/") == 2 and "/w/" not in again
    assert mail.outbox == []


def test_a_campaign_cannot_be_opened_twice(cast):
    add_workers(cast.org, 1)
    c, _ = opened(cast.org, cast.admin)
    cast.client(cast.admin).post(url("campaign_open", cast.org, c.id))
    assert PersonalLink.objects.count() == 1


@pytest.mark.parametrize("role", ["consultant", "worker", "viewer"])
def test_only_managers_run_campaigns(cast, role):
    add_workers(cast.org, 1)
    c = service.create_campaign(cast.org, "点検", ["sales"], TODAY, cast.admin)
    client = cast.client(getattr(cast, role))
    for name in ("campaign_open", "campaign_close", "campaign_remind"):
        assert client.post(url(name, cast.org, c.id)).status_code == 403
    assert client.post(url("campaigns", cast.org), {"title": "x", "departments": ["sales"],
                                                    "deadline": "2026-12-15"}).status_code == 403
    c.refresh_from_db()
    assert c.state == "draft" and Campaign.objects.count() == 1


def test_another_organisations_campaign_is_404(cast):
    w, = add_workers(cast.other, 1)
    c, _ = opened(cast.other, cast.outsider, departments=["sales"])
    client = cast.client(cast.admin)
    assert client.get(url("campaign", cast.org, c.id)).status_code == 404
    assert client.post(url("campaign_close", cast.org, c.id)).status_code == 404
    assert client.post(url("link_reissue", cast.org, c.id, w.id)).status_code == 404
    assert client.post(url("link_revoke", cast.org, c.id, w.id)).status_code == 404
    c.refresh_from_db()
    assert c.state == "open" and PersonalLink.objects.current().count() == 1


# ---------------------------------------------------------------- the worker's form


def answers_for(c, worker, value="yes", **extra):
    items = service.items_for(c.items, worker.department)
    return {**{f"item-{n}": value for n in range(len(items))}, **extra}, items


def test_the_worker_form_shows_the_items_with_guidance_and_no_organisation_navigation(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    r = Client().get(links[w.id])
    body = r.content.decode()
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    assert guide()["mic-v5:worker:C-3"].question["ja"] in body  # phones in sales
    assert "iPhone" in body and "capture.ps1" in body
    assert url("dashboard", cast.org) not in body and "orgnav" not in body
    assert sum(len(s["entries"]) for s in r.context["steps"]) == len(service.items_for(c.items, "sales"))


def test_a_worker_saves_part_comes_back_changes_and_submits(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    client = Client()
    r = client.post(links[w.id], {"item-0": "no", "comment-0": "まだ設定していません", "save": "1"})
    assert r.status_code == 302
    a = Answer.objects.get()
    assert (a.worker, a.value, a.comment, a.organisation) == (w, "no", "まだ設定していません", cast.org)
    assert not Submission.objects.exists()
    data, items = answers_for(c, w)
    r = client.post(links[w.id], {**data, "submit": "1"})
    assert r.status_code == 302 and "submitted=1" in r["Location"]
    assert Answer.objects.count() == len(items) and set(Answer.objects.values_list("value", flat=True)) == {"yes"}
    assert Submission.objects.filter(worker=w).exists()
    assert AuditEntry.objects.filter(action="campaign.submit", actor=f"worker:{w.email}").exists()


def test_submitting_with_a_missing_answer_marks_it_saves_the_rest_and_says_so(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    data, items = answers_for(c, w)
    del data["item-2"]
    r = Client().post(links[w.id], {**data, "submit": "1"})
    assert r.status_code == 422 and "item-2" in r.context["form"].errors and r.context["gaps"] == [3]
    assert Answer.objects.count() == len(items) - 1 and not Submission.objects.exists()
    body = r.content.decode()
    assert "まだ答えていない質問が 1 問あります" in body and 'href="#q-3"' in body
    assert "ほかの答えは保存されています" in body


def test_a_bad_answer_value_is_refused(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    r = Client().post(links[w.id], {"item-0": "maybe", "save": "1"})
    assert r.status_code == 422 and not Answer.objects.exists()


def test_an_unknown_token_is_404(cast):
    r = Client().get(reverse("worker_form", args=["not-a-token"]))
    assert r.status_code == 404 and r.context["reason"] == "unknown"
    assert Client().get(reverse("worker_form", args=["x" * 500])).status_code == 404


def test_a_revoked_link_is_410_and_a_new_one_works(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    client = cast.client(cast.admin)
    assert client.post(url("link_revoke", cast.org, c.id, w.id)).status_code == 302
    r = Client().get(links[w.id])
    assert r.status_code == 410 and r.context["reason"] == "revoked"
    assert Client().post(links[w.id], {"item-0": "yes", "save": "1"}).status_code == 410
    client.post(url("link_reissue", cast.org, c.id, w.id), {"send": "1"})
    new = re.search(r"/w/[\w-]+/", mail.outbox[-1].body).group(0)
    assert new != links[w.id] and Client().get(new).status_code == 200
    assert Client().get(links[w.id]).status_code == 410
    assert not Answer.objects.exists()


def test_links_expire_when_the_campaign_closes(cast, frozen):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin, deadline=TODAY)
    Client().post(links[w.id], {"item-0": "yes", "save": "1"})
    frozen.move_to(dt.datetime(2026, 12, 1, 14, 59, tzinfo=dt.UTC))  # 23:59 in Tokyo on the deadline
    assert Client().get(links[w.id]).status_code == 200
    frozen.move_to(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC))
    r = Client().post(links[w.id], {"item-0": "no", "save": "1"})
    assert r.status_code == 410 and Answer.objects.get().value == "yes"


def test_a_closed_campaign_refuses_its_links(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    assert cast.client(cast.admin).post(url("campaign_close", cast.org, c.id)).status_code == 302
    r = Client().get(links[w.id])
    assert r.status_code == 410 and r.context["reason"] == "closed"
    assert AuditEntry.objects.filter(action="campaign.close").exists()


def test_a_draft_campaign_has_no_working_links(cast):
    w, = add_workers(cast.org, 1)
    c = service.create_campaign(cast.org, "点検", ["sales"], TODAY, cast.admin)
    link, token = PersonalLink.issue(c, w)
    assert Client().get(reverse("worker_form", args=[token])).status_code == 410


def test_a_token_reaches_only_its_own_workers_answers(cast):
    me, other_worker = add_workers(cast.org, 2)
    foreign, = add_workers(cast.other, 1)
    c, links = opened(cast.org, cast.admin)
    c2, links2 = opened(cast.other, cast.outsider, departments=["sales"])
    Answer.objects.create(organisation=cast.org, campaign=c, worker=other_worker, item="mic-v5:worker:A-1",
                          value="no", comment="同僚の秘密のコメント")
    Answer.objects.create(organisation=cast.other, campaign=c2, worker=foreign, item="mic-v5:worker:A-1",
                          value="no", comment="よその会社のコメント")
    body = Client().get(links[me.id]).content.decode()
    assert "同僚の秘密のコメント" not in body and "よその会社のコメント" not in body
    assert other_worker.email not in body and other_worker.name not in body and cast.other.name not in body
    Client().post(links[me.id], {"item-0": "yes", "save": "1"})
    assert Answer.objects.get(worker=other_worker).value == "no" and Answer.objects.get(worker=foreign).value == "no"
    assert Answer.objects.filter(worker=me).count() == 1


def test_a_token_opens_nothing_else_of_the_organisation(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    client = Client()
    assert client.get(links[w.id]).status_code == 200
    for name in ("dashboard", "workers", "campaigns", "checklist"):
        r = client.get(url(name, cast.org))
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert client.get(url("campaign", cast.org, c.id)).status_code == 302
    assert client.get(links[w.id].rstrip("/") + "x/").status_code == 404


# ---------------------------------------------------------------- results, reminders, checklist evidence


def answer(c, worker, value="yes", upto=None):
    items = service.items_for(c.items, worker.department)[:upto]
    Answer.objects.bulk_create([Answer(organisation=c.organisation, campaign=c, worker=worker, item=i, value=value)
                                for i in items])


def test_the_results_page_counts_per_item_and_department_and_lists_who_has_not_answered(cast):
    a, b = add_workers(cast.org, 2)
    o, = add_workers(cast.org, 1, "office")
    c, _ = opened(cast.org, cast.admin)
    answer(c, a, "yes")
    answer(c, o, "no", upto=3)
    r = cast.client(cast.consultant).get(url("campaign", cast.org, c.id))
    assert r.status_code == 200
    rows = {row["id"]: row["tally"] for row in r.context["items"]}
    t = rows["mic-v5:worker:A-1"]
    assert (t.asked, t.yes, t.no, t.answered) == (3, 1, 1, 2)
    late = [p["worker"] for p in r.context["people"] if p["late"]]
    assert set(late) == {o, b}
    depts = {d["id"]: d["result"] for d in r.context["departments"]}
    assert depts["sales"].complete == 1 and depts["office"].complete == 0


def test_the_results_page_shows_the_workers_comments_in_item_order(cast):
    a, b = add_workers(cast.org, 2)
    c, _ = opened(cast.org, cast.admin)
    answer(c, a, "yes")
    answer(c, b, "no")
    first, later = service.items_for(c.items, "sales")[0], service.items_for(c.items, "sales")[5]
    Answer.objects.filter(worker=b, item=later).update(comment="自宅のルーターの<b>管理画面</b>が分かりません")
    Answer.objects.filter(worker=a, item=first).update(comment="毎朝確認しています")
    html = cast.client(cast.admin).get(url("campaign", cast.org, c.id)).content.decode()
    section = html[html.index('id="comments"'):]
    assert section.index("毎朝確認しています") < section.index("管理画面")
    assert "&lt;b&gt;管理画面&lt;/b&gt;" in section and "<b>管理画面" not in html
    assert "勤務者1" in section and "いいえ" in section


def test_the_results_page_issues_the_same_number_of_queries_for_more_workers(cast):
    add_workers(cast.org, 2)
    c, _ = opened(cast.org, cast.admin)
    client = cast.client(cast.admin)
    for w in Worker.objects.all():
        answer(c, w)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("campaign", cast.org, c.id)).status_code == 200
        return len(ctx)

    few = count()
    for w in add_workers(cast.org, 15, "office"):
        PersonalLink.issue(c, w)
        answer(c, w, "no", upto=2)
    Answer.objects.filter(campaign=c).update(comment="コメント")
    assert count() == few


def fresh(c) -> Campaign:
    return Campaign.objects.get(pk=c.pk)  # as a request loads it


def test_results_are_counted_once_until_something_they_count_changes(cast):
    a, b = add_workers(cast.org, 2)
    c, _ = opened(cast.org, cast.admin)
    answer(c, a, "yes")
    first, loaded = service.results(fresh(c)), fresh(c)
    with CaptureQueriesContext(connection) as ctx:
        again = service.results(loaded)
    assert again is first and len(ctx) == 2  # the workers and the answers' stamp; nothing counted again
    answer(c, b, "no", upto=1)  # a write that did not come through save_answers: a new count
    item = service.items_for(c.items, "sales")[0]
    assert service.results(fresh(c)).items[item].no == 1


def test_an_answer_changed_in_the_same_instant_is_counted_again(cast, frozen):
    w, = add_workers(cast.org, 1)
    c, _ = opened(cast.org, cast.admin)
    link = PersonalLink.objects.get(worker=w, campaign=c)
    item = service.items_for(c.items, "sales")[0]
    service.save_answers(link, {item: ("yes", "")}, submit=False)
    assert service.results(fresh(c)).items[item].yes == 1
    service.save_answers(link, {item: ("no", "")}, submit=False)  # same count, same time (the clock is frozen)
    counted = service.results(fresh(c)).items[item]
    assert (counted.yes, counted.no) == (0, 1)
    assert fresh(c).revision == 2


def test_a_worker_who_moves_department_is_counted_in_the_new_one(cast):
    w, = add_workers(cast.org, 1)
    c, _ = opened(cast.org, cast.admin)
    answer(c, w, "yes", upto=1)
    assert service.results(fresh(c)).departments["sales"].workers == 1
    Worker.objects.filter(pk=w.pk).update(department="office")
    moved = service.results(fresh(c))
    assert "sales" not in moved.departments and moved.departments["office"].workers == 1
    Worker.objects.filter(pk=w.pk).update(name="改名")
    assert [r.name for r in service.results(fresh(c)).not_answered] == ["改名"]


def test_each_workers_link_actions_on_the_results_page_post_to_that_workers_urls(cast):
    a, b = add_workers(cast.org, 2)
    c, _ = opened(cast.org, cast.admin)
    html = cast.client(cast.admin).get(url("campaign", cast.org, c.id)).content.decode()
    for w in (a, b):
        assert f'action="{url("link_reissue", cast.org, c.id, w.id)}"' in html
        assert f'action="{url("link_revoke", cast.org, c.id, w.id)}"' in html


def people_rows(html: str) -> dict[str, str]:
    """The results page's worker rows by the worker's (escaped) name."""
    table = html.split('id="people"')[1].split("</tbody>")[0]
    return {re.search(r"<td>(.*?)<br>", row).group(1): row for row in table.split("<tr")[2:]}


def test_a_workers_row_shows_progress_dates_and_the_link_and_escapes_the_name(cast, frozen):
    done, late = add_workers(cast.org, 2)
    late.name = '<b>"遅"</b> & co'
    late.save()
    c, _ = opened(cast.org, cast.admin)
    answer(c, done, "yes")
    Submission.objects.create(organisation=cast.org, campaign=c, worker=done, submitted_at=NOON)
    PersonalLink.objects.filter(worker=late).update(sent_at=NOON, reminded_at=NOON + dt.timedelta(days=1))
    admin = cast.client(cast.admin)
    rows = people_rows(admin.get(url("campaign", cast.org, c.id)).content.decode())
    named = "&lt;b&gt;&quot;遅&quot;&lt;/b&gt; &amp; co"
    assert set(rows) == {"勤務者0", named} and "<b>" not in "".join(rows.values())
    n = len(service.items_for(c.items, "sales"))
    assert f'<td class="num">{n} / {n}<br><small>提出 2026/12/01 12:00</small></td>' in rows["勤務者0"]
    assert rows[named].startswith(' class="late">') and f"0 / {n} <span" in rows[named]
    assert "<td>2026/12/01 12:00<br><small>催促 2026/12/02 12:00</small></td>" in rows[named]
    assert rows[named].count('name="csrfmiddlewaretoken"') == 2  # a new link, and revoke
    admin.post(url("link_reissue", cast.org, c.id, late.id), {"send": "0"})
    shown = people_rows(admin.get(url("campaign", cast.org, c.id)).content.decode())[named]
    assert f'id="link-{late.id}" aria-label="{named} さんの個人用リンク"' in shown and 'value="http://testserver/w/' in shown
    consultant = people_rows(cast.client(cast.consultant).get(url("campaign", cast.org, c.id)).content.decode())
    assert "<form" not in "".join(consultant.values())
    service.close_campaign(c)
    closed = people_rows(admin.get(url("campaign", cast.org, c.id)).content.decode())
    assert "<form" not in "".join(closed.values())  # a closed campaign's links can no longer be changed


def test_reminders_mail_a_new_link_to_those_who_have_not_answered(cast):
    done, late = add_workers(cast.org, 2)
    c, links = opened(cast.org, cast.admin)
    answer(c, done)
    r = cast.client(cast.admin).post(url("campaign_remind", cast.org, c.id))
    assert r.status_code == 302
    assert [m.to for m in mail.outbox] == [[late.email]]
    new = re.search(r"/w/[\w-]+/", mail.outbox[0].body).group(0)
    assert Client().get(new).status_code == 200 and Client().get(links[late.id]).status_code == 410
    assert Client().get(links[done.id]).status_code == 200
    assert PersonalLink.objects.current().get(worker=late).reminded_at is not None
    entry = AuditEntry.objects.get(action="campaign.remind")
    assert entry.data["workers"] == [late.id]


def test_the_reminder_command_reminds_open_campaigns_only(cast):
    w, = add_workers(cast.org, 1)
    c, _ = opened(cast.org, cast.admin)
    closed, _ = opened(cast.org, cast.admin)
    service.close_campaign(closed)
    call_command("remind_campaigns", "--base-url", "https://tebiki.example.jp")
    assert len(mail.outbox) == 1 and "https://tebiki.example.jp/w/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="campaign.remind", actor="command:remind_campaigns").count() == 1


def test_the_reminder_command_dry_run_sends_nothing(cast, capsys):
    add_workers(cast.org, 1)
    opened(cast.org, cast.admin)
    call_command("remind_campaigns", "--base-url", "https://tebiki.example.jp", "--dry-run")
    assert mail.outbox == [] and "would remind 1" in capsys.readouterr().out


def test_the_checklist_item_shows_what_workers_answered(cast):
    workers = add_workers(cast.org, 4)
    c, _ = opened(cast.org, cast.admin)
    for w in workers[:3]:
        answer(c, w, "yes")
    Answer.objects.create(organisation=cast.org, campaign=c, worker=workers[3], item="mic-v5:worker:B-1", value="no")
    r = cast.client(cast.viewer).get(reverse("item", args=[cast.org.id, "mic-v5:worker:B-1", "sales"]))
    ev = r.context["self_check"]
    assert (ev["yes"], ev["no"], ev["asked"]) == (3, 1, 4)
    assert "3/4" in r.content.decode()
    r = cast.client(cast.viewer).get(reverse("item", args=[cast.org.id, "mic-v5:worker:B-1", "office"]))
    assert r.context["self_check"] is None  # nobody in office was asked


def test_the_navigation_links_the_campaigns_for_editors_only(cast):
    assert url("campaigns", cast.org) in cast.client(cast.admin).get(url("dashboard", cast.org)).content.decode()
    assert url("campaigns", cast.org) not in cast.client(cast.viewer).get(url("dashboard", cast.org)).content.decode()


# ---------------------------------------------------------------- hostile input


def _people_counts():
    return (Worker.objects.count(), Campaign.objects.count(), Answer.objects.count(), Submission.objects.count())


MANAGER_FORMS = [
    ("workers", {"name": "A", "email": "a@example.jp", "department": "sales"}, ["name", "email", "department"]),
    ("workers_bulk", {"lines": "A,a@example.jp,sales"}, ["lines"]),
    ("campaigns", {"title": "t", "departments": ["sales"], "deadline": "2026-12-15"}, ["title", "departments",
                                                                                      "deadline"]),
]


@pytest.mark.parametrize("name,base,field,hostile", [(n, b, f, h) for n, b, fs in MANAGER_FORMS for f in fs
                                                     for h in HOSTILE])
def test_manager_forms_survive_hostile_text(cast, name, base, field, hostile):
    client = cast.client(cast.admin)
    before = _people_counts()
    r = client.post(url(name, cast.org), {**base, field: hostile})
    assert r.status_code in (302, 422), r.status_code
    if r.status_code == 422:
        assert _people_counts() == before
    page = client.get(url("workers", cast.org)).content.decode() + client.get(url("campaigns", cast.org)).content.decode()
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("field", ["item-0", "comment-0"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_worker_form_survives_hostile_text(cast, field, hostile):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    r = Client().post(links[w.id], {"item-0": "yes", "save": "1", field: hostile})
    assert r.status_code in (302, 422), r.status_code
    if r.status_code == 422:
        assert not Answer.objects.exists()
    assert "<script>alert(1)</script>" not in Client().get(links[w.id]).content.decode()


@pytest.fixture
def mail_server_down(settings):
    """A real SMTP connection to a port where nothing listens: the mail server is down."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2


def test_when_mail_fails_the_links_are_kept_and_shown_to_copy(cast, mail_server_down):
    add_workers(cast.org, 2)
    c = service.create_campaign(cast.org, "点検", ["sales"], TODAY, cast.admin)
    client = cast.client(cast.admin)
    r = client.post(url("campaign_open", cast.org, c.id), {"send": "1"}, follow=True)
    assert r.status_code == 200
    c.refresh_from_db()
    assert c.state == "open" and PersonalLink.objects.current().count() == 2
    assert not PersonalLink.objects.filter(sent_at__isnull=False).exists()
    assert r.content.decode().count("http://testserver/w/") == 2
    assert any(m.level_tag == "error" for m in r.context["messages"])


def test_the_reminder_command_fails_clearly_when_mail_is_down(cast, mail_server_down):
    from django.core.management.base import CommandError

    add_workers(cast.org, 1)
    opened(cast.org, cast.admin)
    with pytest.raises(CommandError, match="mail server"):
        call_command("remind_campaigns", "--base-url", "https://tebiki.example.jp")


def test_the_counted_results_are_those_of_every_answer_read_one_by_one(cast):
    from tebiki.core.campaign import AnswerRef, WorkerRef, aggregate

    sales = add_workers(cast.org, 4)
    office = add_workers(cast.org, 3, "office")
    c, _ = opened(cast.org, cast.admin)
    for n, w in enumerate(sales[:3] + office):
        answer(c, w, ("yes", "no", "unknown", "na")[n % 4], upto=n * 3)  # from none to everything
    moved = sales[3]  # answered as sales, now in office: answers to items office is not asked no longer count
    answer(c, moved, "no")
    assert set(service.items_for(c.items, "sales")) - set(service.items_for(c.items, "office"))
    Worker.objects.filter(pk=moved.pk).update(department="office")
    gone = add_workers(cast.org, 1, "other")[0]  # not in the campaign's departments: not counted
    Answer.objects.create(organisation=cast.org, campaign=c, worker=gone, item=next(iter(c.items)), value="no")
    workers = list(service.campaign_workers(c))
    one_by_one = aggregate(c.items, [WorkerRef(w.id, w.name, w.department) for w in workers],
                           [AnswerRef(*a) for a in Answer.objects.filter(campaign=c).values_list("worker_id", "item",
                                                                                                  "value")])
    counted = service.results(c)
    assert counted == one_by_one
    assert counted.workers[moved.id].answered < len(service.items_for(c.items, "sales"))
    assert {w.id for w in counted.not_answered} and counted.items


def test_the_results_page_filtered_to_a_department_counts_its_items_and_lists_its_workers_only(cast):
    a, b = add_workers(cast.org, 2)
    o, = add_workers(cast.org, 1, "office")
    c, _ = opened(cast.org, cast.admin)
    answer(c, a, "yes")
    answer(c, o, "no")
    r = cast.client(cast.admin).get(url("campaign", cast.org, c.id), {"department": "office"})
    assert [p["worker"] for p in r.context["people"]] == [o]
    t = {row["id"]: row["tally"] for row in r.context["items"]}["mic-v5:worker:A-1"]
    assert (t.asked, t.yes, t.no) == (1, 0, 1)
    body = r.content.decode()
    assert "組織全体で数える" in body and 'href="?department=sales#items"' in body
    whole = {row["id"]: row["tally"] for row in cast.client(cast.admin).get(url("campaign", cast.org, c.id))
             .context["items"]}["mic-v5:worker:A-1"]
    assert (whole.asked, whole.yes, whole.no) == (3, 1, 1)
