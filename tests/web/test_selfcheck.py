"""The worker's self-check: 「該当しない」, answers saved one by one, the time shown up front, evidence per entry."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tebiki.core.worker_guide import guide, minutes
from tebiki.web.people import service
from tebiki.web.people.models import Answer, Submission
from tests.web.test_campaigns import add_workers, opened

NOON = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as t:
        yield t


@pytest.fixture
def one(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    return c, w, links[w.id], service.items_for(c.items, w.department)


def numbered(items, item):
    return items.index(item)


def test_the_page_says_how_long_it_takes_and_groups_the_questions_in_steps(one):
    c, w, link, items = one
    r = Client().get(link)
    body = r.content.decode()
    assert f"約{minutes(len(items))}分・{len(items)}問" in body
    steps = r.context["steps"]
    assert len(steps) >= 3 and all(s["entries"] for s in steps)
    assert [n for s in steps for n, *_ in s["entries"]] == list(range(1, len(items) + 1))
    assert "ステップ 1/" in body


def test_does_not_apply_is_offered_where_a_question_may_not_apply_and_stored_as_its_own_value(one):
    c, w, link, items = one
    usb = numbered(items, "mic-v5:worker:E-2")  # never uses USB sticks
    lock = numbered(items, "mic-v5:worker:B-1")  # everyone has a screen to lock
    body = Client().get(link).content.decode()
    assert f'name="item-{usb}" value="na"' in body and f'name="item-{lock}" value="na"' not in body
    assert "該当しない" in body
    r = Client().post(link, {f"item-{usb}": "na", "save": "1"})
    assert r.status_code == 302 and Answer.objects.get().value == "na"


def test_does_not_apply_is_refused_where_it_is_not_offered_and_nothing_is_stored(one):
    c, w, link, items = one
    lock = numbered(items, "mic-v5:worker:B-1")
    r = Client().post(link, {"item-0": "yes", f"item-{lock}": "na", "save": "1"})
    assert r.status_code == 422 and f"item-{lock}" in r.context["form"].errors
    assert not Answer.objects.exists()


def test_results_count_does_not_apply_apart_and_never_as_yes(cast, one):
    c, w, link, items = one
    usb = numbered(items, "mic-v5:worker:E-2")
    Client().post(link, {f"item-{usb}": "na", "item-0": "yes", "save": "1"})
    tally = service.results(c).tally("mic-v5:worker:E-2")
    assert (tally.yes, tally.na, tally.answered, tally.applicable) == (0, 1, 1, tally.asked - 1)
    assert service.item_tally(c, "mic-v5:worker:E-2") == tally


# ---------------------------------------------------------------- one answer at a time

def answer_url(link):
    return link + "answer/"


def test_one_answer_is_saved_as_it_is_given_and_the_progress_comes_back(one):
    c, w, link, items = one
    r = Client().post(answer_url(link), {"item-3": "no", "comment-3": "まだです"})
    assert r.status_code == 200 and r["X-Robots-Tag"] == "noindex"
    assert r.json()["saved"] is True and r.json()["answered"] == 1 and r.json()["total"] == len(items)
    a = Answer.objects.get()
    assert (a.item, a.value, a.comment, a.worker) == (items[3], "no", "まだです", w)
    r = Client().post(answer_url(link), {"item-3": "yes"})  # changed: still one answer
    assert Answer.objects.get().value == "yes" and r.json()["answered"] == 1
    assert not Submission.objects.exists()
    page = Client().get(link)  # reopening the link shows it
    assert page.context["form"]["item-3"].value() == "yes" and page.context["answered"] == 1


@pytest.mark.parametrize("data", [{"item-3": "maybe"}, {}, {"item-999": "yes"}, {"comment-3": "only a comment"}])
def test_a_bad_single_answer_is_refused_and_changes_nothing(one, data):
    c, w, link, items = one
    Client().post(answer_url(link), {"item-3": "no"})
    r = Client().post(answer_url(link), data)
    assert r.status_code == 422 and r.json()["saved"] is False
    assert list(Answer.objects.values_list("item", "value")) == [(items[3], "no")]


def test_the_answer_endpoint_refuses_get_unknown_revoked_and_closed_links(cast, one):
    c, w, link, items = one
    assert Client().get(answer_url(link)).status_code == 405
    assert Client().post("/w/" + "x" * 43 + "/answer/", {"item-0": "yes"}).status_code == 404
    service.issue_links(c, [w], "", send=False)  # replaces the link
    assert Client().post(answer_url(link), {"item-0": "yes"}).status_code == 410
    assert not Answer.objects.exists()


def test_the_answer_endpoint_needs_the_csrf_token(one):
    c, w, link, items = one
    client = Client(enforce_csrf_checks=True)
    assert client.post(answer_url(link), {"item-0": "yes"}).status_code == 403
    assert not Answer.objects.exists()


def test_a_token_saves_only_its_own_workers_answers(cast):
    a, b = add_workers(cast.org, 2)
    c, links = opened(cast.org, cast.admin)
    Client().post(answer_url(links[a.id]), {"item-0": "yes"})
    assert list(Answer.objects.values_list("worker", flat=True)) == [a.id]


# ---------------------------------------------------------------- evidence for every entry a question covers

def test_an_answer_counts_as_evidence_for_every_entry_its_question_covers(cast, one):
    c, w, link, items = one
    wifi = "mic-v5:worker:G-2"
    assert guide()[wifi].evidences == (wifi, "csaj-2018:5.2.2-1")
    Client().post(link, {f"item-{numbered(items, wifi)}": "no", "save": "1"})
    for entry in guide()[wifi].evidences:
        ev = service.evidence_for_measure(cast.org, entry, "organisation")
        assert ev is not None and ev["question"] == wifi and ev["no"] == 1 and ev["campaign"] == c, entry
    assert service.evidence_for_measure(cast.org, "csaj-2018:5.2.3-1", "organisation") is None  # not asked


def test_a_campaign_from_before_the_merge_still_counts_under_the_entrys_own_id(cast):
    w, = add_workers(cast.org, 1)
    c, links = opened(cast.org, cast.admin)
    c.items = {"csaj-2018:5.2.2-1": ["sales", "office"]}  # as campaigns were stored before
    c.save(update_fields=["items"])
    Answer.objects.create(organisation=cast.org, campaign=c, worker=w, item="csaj-2018:5.2.2-1", value="yes")
    ev = service.evidence_for_measure(cast.org, "csaj-2018:5.2.2-1", "organisation")
    assert ev["question"] == "csaj-2018:5.2.2-1" and ev["yes"] == 1
