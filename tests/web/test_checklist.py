from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tebiki.catalog import get_catalog
from tebiki.web.assessments.models import ItemChange, ItemRecord

ITEM = "mic-v5:admin:A-1"


def status_url(org, item=ITEM, scope="organisation"):
    return reverse("item_status", args=[org.id, item, scope])


def item_url(org, item=ITEM, scope="organisation"):
    return reverse("item", args=[org.id, item, scope])


def test_it_lists_applicable_items_with_filters(cast):
    c = cast.client(cast.viewer)
    page = c.get(reverse("checklist", args=[cast.org.id])).content.decode()
    assert "A-1" in page and 'class="na"' not in page
    workers = c.get(reverse("checklist", args=[cast.org.id]), {"role": "worker"}).content.decode()
    assert "mic-v5:worker:" in workers and "mic-v5:admin:" not in workers
    assert "hx-post" not in page  # a viewer sees statuses but gets no edit controls


def test_showing_all_items_includes_those_that_do_not_apply_with_the_reason(cast):
    page = cast.client(cast.admin).get(reverse("checklist", args=[cast.org.id]), {"show": "all"}).content.decode()
    assert 'class="na"' in page and 'class="why"' in page


@pytest.mark.parametrize("role", ["admin", "executive", "consultant"])
def test_it_changes_the_status_inline_and_keeps_history(cast, role):
    c = cast.client(getattr(cast, role))
    r = c.post(status_url(cast.org), {"status": "done"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.content.decode().lstrip().startswith("<tr")  # a row fragment for htmx to swap in
    rec = ItemRecord.objects.get(organisation=cast.org, item=ITEM)
    assert rec.status == "done" and rec.updated_by == getattr(cast, role)
    assert ItemChange.objects.filter(organisation=cast.org, item=ITEM).count() == 1
    cast.org.refresh_from_db()
    assert cast.org.summary["done"] == 1


def test_an_unknown_status_is_refused_and_nothing_is_stored(cast):
    r = cast.client(cast.admin).post(status_url(cast.org), {"status": "maybe"})
    assert r.status_code == 422
    assert not ItemRecord.objects.exists() and not ItemChange.objects.exists()


def test_an_item_that_is_not_in_the_catalog_is_404(cast):
    c = cast.client(cast.admin)
    assert c.post(status_url(cast.org, "mic-v5:admin:Z-9"), {"status": "done"}).status_code == 404
    assert c.get(item_url(cast.org, scope="no-such-dept")).status_code == 404


def test_status_rejects_get(cast):
    assert cast.client(cast.admin).get(status_url(cast.org)).status_code == 405


def test_the_item_page_explains_why_it_applies_and_links_cases_and_policies(cast):
    catalog = get_catalog()
    measure = next(m for m in catalog.measures
                   if m.scope == "department" and catalog.cases_for_measure[m.id] and catalog.policies_for_measure[m.id])
    page = cast.client(cast.worker).get(item_url(cast.org, measure.id, "office")).content.decode()
    assert 'class="why"' in page and "総務・経理部" in page
    assert catalog.cases_for_measure[measure.id][0].title.ja in page
    assert catalog.policies_for_measure[measure.id][0].title.ja in page
    assert f"p.{measure.ref.page}" in page


def test_a_decision_to_do_it_needs_deadline_and_owner_shown_next_to_the_fields(cast):
    c = cast.client(cast.admin)
    r = c.post(item_url(cast.org), {"status": "not_done", "decision": "will_do", "deadline": "", "owner": ""})
    assert r.status_code == 422
    page = r.content.decode()
    assert page.count('class="field-error"') == 2
    assert not ItemRecord.objects.exists()


def test_a_complete_decision_is_saved_with_history(cast):
    c = cast.client(cast.admin)
    data = {"status": "partly", "decision": "will_do", "deadline": "2027-03-31", "owner": "佐藤", "reason": "予算待ち"}
    r = c.post(item_url(cast.org), data)
    assert r.status_code == 302
    rec = ItemRecord.objects.get(item=ITEM)
    assert (rec.decision, rec.deadline, rec.owner) == ("will_do", dt.date(2027, 3, 31), "佐藤")
    page = c.get(item_url(cast.org)).content.decode()
    assert "予算待ち" in page  # in the form and in the history table


def test_the_item_form_answers_htmx_with_the_fragment(cast):
    r = cast.client(cast.admin).post(item_url(cast.org), {"status": "done", "decision": "done"},
                                     headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.content.decode().startswith('<div id="item-form">')


def test_not_needed_without_a_reason_is_refused(cast):
    r = cast.client(cast.admin).post(item_url(cast.org), {"status": "not_done", "decision": "not_needed"})
    assert r.status_code == 422
    assert not ItemRecord.objects.exists()


def test_hostile_text_is_escaped(cast):
    c = cast.client(cast.admin)
    c.post(item_url(cast.org), {"status": "done", "decision": "done", "reason": "<script>alert(1)</script>"})
    page = c.get(item_url(cast.org)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_checklist_is_grouped_under_each_role(cast):
    html = cast.client(cast.admin).get(reverse("checklist", args=[cast.org.id])).content.decode()
    headers = [h for h in ("経営者", "システム・セキュリティ管理者", "テレワーク勤務者") if f'scope="rowgroup">{h}<' in html]
    assert len(headers) == 3
    assert html.index('rowgroup">システム・セキュリティ管理者') < html.index("A-1")
