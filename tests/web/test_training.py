"""Training through the worker's personal link: read, confirm, quiz; the manager sees who is overdue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from tebiki.catalog import get_catalog
from tebiki.core.training import modules
from tebiki.web.audit.models import AuditEntry
from tebiki.web.people import service
from tebiki.web.people.models import Answer, Campaign, TrainingAck, Worker

NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as t:
        yield t


@pytest.fixture
def setup(cast):
    workers = [Worker.objects.create(organisation=cast.org, name=f"勤務者{i}", email=f"w{i}@test.example",
                                     department="sales") for i in range(3)]
    c = service.create_campaign(cast.org, "研修つき点検", ["sales"], TODAY + dt.timedelta(days=3), cast.admin,
                                modules=["device", "mail"])
    urls = service.open_campaign(c, "http://testserver", send=False)
    links = {w: urls[w.id].removeprefix("http://testserver") for w in workers}
    return c, workers, links


def module_url(link, module_id):
    return link + f"training/{module_id}/"


def test_the_campaign_form_offers_the_modules_and_stores_the_choice(cast):
    r = cast.client(cast.admin).post(reverse("campaigns", args=[cast.org.id]), {
        "title": "点検", "departments": ["sales"], "deadline": "2026-12-15", "modules": ["rules", "incident"]})
    assert r.status_code == 302 and Campaign.objects.get().modules == ["rules", "incident"]
    r = cast.client(cast.admin).post(reverse("campaigns", args=[cast.org.id]), {
        "title": "点検", "departments": ["sales"], "deadline": "2026-12-15", "modules": ["made-up"]})
    assert r.status_code == 422 and "modules" in r.context["form"].errors and Campaign.objects.count() == 1


def test_the_worker_page_lists_the_campaigns_modules(cast, setup):
    c, workers, links = setup
    r = Client().get(links[workers[0]])
    assert [m.id for m, done in r.context["training"]] == ["device", "mail"]
    assert module_url(links[workers[0]], "device") in r.content.decode()


def test_a_module_shows_its_text_with_the_duties_and_education_from_the_catalog(cast, setup):
    c, workers, links = setup
    r = Client().get(module_url(links[workers[0]], "device"))
    body = r.content.decode()
    assert r.status_code == 200
    assert modules()["device"].title.ja in body
    worker_role = next(x for x in get_catalog().roles if x.id == "worker")
    assert worker_role.responsibilities[1].summary.ja in body  # duty ② from roles.yaml
    assert "パターンファイル" in body  # CSAJ education 10.3 from education.yaml
    definitions = next(e for e in get_catalog().glossary if e.id == "mic-v5:term:definitions")
    assert 'popovertarget="term-' in body and definitions.explanation.ja in body  # the term explained where it is


def test_a_worker_confirms_a_module_with_the_quiz_and_the_score_is_stored(cast, setup):
    c, workers, links = setup
    m = modules()["device"]
    right = {f"q-{n}": str(q.answer) for n, q in enumerate(m.quiz)}
    wrong_first = {**right, "q-0": str((m.quiz[0].answer + 1) % len(m.quiz[0].choices))}
    client = Client()
    r = client.post(module_url(links[workers[0]], "device"), {**wrong_first, "understood": "on"})
    assert r.status_code == 302
    ack = TrainingAck.objects.get()
    assert (ack.worker, ack.module, ack.score, ack.organisation) == (workers[0], "device", len(m.quiz) - 1, cast.org)
    page = client.get(r["Location"])
    assert page.context["results"][0][1] is False and page.context["results"][1][1] is True
    client.post(module_url(links[workers[0]], "device"), {**right, "understood": "on"})  # may redo it
    assert TrainingAck.objects.get().score == len(m.quiz)
    assert AuditEntry.objects.filter(action="training.ack", actor="worker:w0@test.example").count() == 2


def test_confirming_needs_the_tick_and_every_quiz_answer(cast, setup):
    c, workers, links = setup
    r = Client().post(module_url(links[workers[0]], "device"), {"q-0": "1"})
    assert r.status_code == 422
    assert "understood" in r.context["form"].errors and "q-1" in r.context["form"].errors
    r = Client().post(module_url(links[workers[0]], "device"), {"q-0": "9", "q-1": "1", "understood": "on"})
    assert r.status_code == 422 and "q-0" in r.context["form"].errors
    assert not TrainingAck.objects.exists()


def test_a_module_without_quiz_only_needs_the_tick(cast, monkeypatch):
    w = Worker.objects.create(organisation=cast.org, name="A", email="a@test.example", department="sales")
    c = service.create_campaign(cast.org, "点検", ["sales"], TODAY, cast.admin, modules=["rules"])
    link = service.open_campaign(c, "", send=False)[w.id]
    # the packaged modules all have a quiz; this one is given none (the loaded data, restored after the test)
    monkeypatch.setitem(modules(), "rules", modules()["rules"].model_copy(update={"quiz": []}))
    assert Client().post(module_url(link, "rules"), {"understood": "on"}).status_code == 302
    assert TrainingAck.objects.get().score is None


def test_a_module_not_in_the_campaign_is_404(cast, setup):
    c, workers, links = setup
    assert Client().get(module_url(links[workers[0]], "rules")).status_code == 404
    assert Client().get(module_url(links[workers[0]], "nope")).status_code == 404


def test_training_pages_refuse_closed_revoked_and_unknown_links(cast, setup):
    c, workers, links = setup
    assert Client().get(reverse("worker_training", args=["unknown-token", "device"])).status_code == 404
    service.issue_links(c, [workers[1]], "", send=False)  # replaces the link
    assert Client().post(module_url(links[workers[1]], "device"), {"understood": "on"}).status_code == 410
    service.close_campaign(c)
    assert Client().get(module_url(links[workers[0]], "device")).status_code == 410
    assert not TrainingAck.objects.exists()


def test_a_token_confirms_only_for_its_own_worker(cast, setup):
    c, workers, links = setup
    Client().post(module_url(links[workers[0]], "mail"), {"q-0": "2", "understood": "on"})
    assert list(TrainingAck.objects.values_list("worker", flat=True)) == [workers[0].id]


def test_the_manager_sees_who_is_overdue_after_the_deadline(cast, setup, frozen):
    c, workers, links = setup
    Client().post(module_url(links[workers[0]], "mail"), {"q-0": "2", "understood": "on"})
    client = cast.client(cast.consultant)
    r = client.get(reverse("training", args=[cast.org.id]))
    block = r.context["training"]
    assert block["overdue"] == 0
    states = {row["worker"].id: [s.state for s in row["statuses"]] for row in block["rows"]}
    assert states[workers[0].id] == ["pending", "done"]
    frozen.move_to(dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC))  # past the deadline (Dec 4)
    r = cast.client(cast.consultant).get(reverse("training", args=[cast.org.id]))
    block = r.context["training"]
    assert block["overdue"] == 3
    assert {row["worker"].id: [s.state for s in row["statuses"]] for row in block["rows"]}[workers[0].id] == \
        ["overdue", "done"]
    assert "overdue" in r.content.decode()


def test_the_manager_sees_a_wrong_quiz_answer_as_a_score_with_its_total_and_no_tick(cast, setup):
    c, workers, links = setup
    m = modules()["device"]
    right = {f"q-{n}": str(q.answer) for n, q in enumerate(m.quiz)}
    wrong = {f"q-{n}": str((q.answer + 1) % len(q.choices)) for n, q in enumerate(m.quiz)}
    Client().post(module_url(links[workers[0]], "device"), {**wrong, "understood": "on"})
    Client().post(module_url(links[workers[1]], "device"), {**right, "understood": "on"})
    r = cast.client(cast.admin).get(reverse("training", args=[cast.org.id]))
    block = r.context["training"]
    device = {row["worker"].id: row["statuses"][0] for row in block["rows"]}
    assert (device[workers[0].id].score, device[workers[0].id].quiz_total) == (0, len(m.quiz))
    assert not device[workers[0].id].quiz_passed and device[workers[1].id].quiz_passed
    body = r.content.decode()
    assert f"クイズ 0/{len(m.quiz)} 問正解" in body and f"クイズ {len(m.quiz)}/{len(m.quiz)} 問正解" in body
    assert body.count("✓") == 1  # only the worker who got every question right


def test_the_training_page_needs_an_editor_and_hides_other_organisations(cast, setup):
    assert cast.client(cast.viewer).get(reverse("training", args=[cast.org.id])).status_code == 403
    r = cast.client(cast.outsider).get(reverse("training", args=[cast.other.id]))
    assert r.status_code == 200 and r.context["training"] is None


def test_reminders_also_reach_those_who_answered_but_have_not_done_the_training(cast, setup):
    c, workers, links = setup
    for w in workers[:2]:
        Answer.objects.bulk_create([Answer(organisation=cast.org, campaign=c, worker=w, item=i, value="yes")
                                    for i in service.items_for(c.items, "sales")])
    for m in ("device", "mail"):
        TrainingAck.objects.create(organisation=cast.org, campaign=c, worker=workers[0], module=m)
    late = service.remind(c, "http://testserver")
    assert {w.id for w in late} == {workers[1].id, workers[2].id}
    assert sorted(m.to[0] for m in mail.outbox) == ["w1@test.example", "w2@test.example"]


def test_the_training_page_issues_the_same_number_of_queries_for_more_workers(cast, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c, workers, links = setup
    client = cast.client(cast.admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("training", args=[cast.org.id])).status_code == 200
        return len(ctx)

    few = count()
    for i in range(12):
        w = Worker.objects.create(organisation=cast.org, name=f"追加{i}", email=f"x{i}@test.example", department="sales")
        TrainingAck.objects.create(organisation=cast.org, campaign=c, worker=w, module="mail", score=1)
    assert count() == few
