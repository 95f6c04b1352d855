from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tebiki.catalog import get_catalog
from tebiki.core.plan import actions
from tebiki.web.assessments.checklist import PAGE_SIZE
from tebiki.web.assessments.models import ItemChange, ItemRecord
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.audit.models import AuditEntry

ITEM = "mic-v5:admin:A-1"


def status_url(org, item=ITEM, scope="organisation"):
    return reverse("item_status", args=[org.id, item, scope])


def item_url(org, item=ITEM, scope="organisation"):
    return reverse("item", args=[org.id, item, scope])


def checklist(client, org, **params):
    return client.get(reverse("checklist", args=[org.id]), params)


def multi_department_item(org) -> tuple[str, list[str]]:
    """A measure decided per department that applies to more than one department of the demo profile."""
    by_item: dict[str, list[str]] = {}
    for r in plan_of(org).rows:
        if r.applies and r.scope != "organisation":
            by_item.setdefault(r.item, []).append(r.scope)
    return next((item, scopes) for item, scopes in by_item.items() if len(scopes) > 1)


def anchor(item: str) -> str:
    return "m-" + re.sub(r"[^a-z0-9]", "-", item.lower())


def entry_html(client, org, item: str) -> str:
    """The checklist entry of *item*, found by filtering on its role and category so that it is on page 1."""
    m = get_catalog().by_id[item]
    html = checklist(client, org, role=m.role, category=m.category, show="all").content.decode()
    return html.split(f'<tr id="{anchor(item)}"')[1].split("</tr>")[0]


def not_applicable_row(org):
    """A row of a measure that applies in no scope."""
    rows = plan_of(org).rows
    applying = {r.item for r in rows if r.applies}
    return next(r for r in rows if r.item not in applying)


def test_it_lists_each_applicable_measure_once_with_filters(cast):
    c = cast.client(cast.viewer)
    page = checklist(c, cast.org, role="admin", category="A").content.decode()
    assert "A-1" in page and "entry na" not in page
    item, _ = multi_department_item(cast.org)
    page = checklist(c, cast.org, role=item.split(":")[1]).content.decode()
    assert page.count(f'<tr id="{anchor(item)}"') == 1  # one entry, not one per department
    workers = checklist(c, cast.org, role="worker").content.decode()
    assert "mic-v5:worker:" in workers and "mic-v5:admin:" not in workers
    assert "hx-post" not in page  # a viewer sees statuses but gets no edit controls


def test_showing_all_items_includes_those_that_do_not_apply_with_the_reason(cast):
    row = not_applicable_row(cast.org)
    entry = entry_html(cast.client(cast.admin), cast.org, row.item)
    assert row.reason["ja"] in entry and "対象外" in entry and "<select" not in entry


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


def test_one_control_sets_every_department_that_agrees(cast):
    item, scopes = multi_department_item(cast.org)
    c = cast.client(cast.admin)
    entry = entry_html(c, cast.org, item)
    assert entry.count("<select") == 1 and entry.count('name="scope"') == len(scopes) - 1
    r = c.post(status_url(cast.org, item, scopes[0]), {"status": "partly", "scope": scopes[1:]},
               headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert sorted(ItemRecord.objects.filter(item=item, status="partly").values_list("scope", flat=True)) == sorted(scopes)


def test_departments_that_differ_get_one_control_each(cast):
    item, scopes = multi_department_item(cast.org)
    c = cast.client(cast.admin)
    r = c.post(status_url(cast.org, item, scopes[0]), {"status": "done"}, headers={"HX-Request": "true"})
    fragment = r.content.decode()
    assert fragment.count("<select") == len(scopes)
    assert 'class="scope"' in fragment and "selected" in fragment
    assert 'name="scope"' not in fragment  # each control saves its own department
    for scope in scopes:  # each form posts to its own scope and names it to a screen reader
        assert f'action="{status_url(cast.org, item, scope)}"' in fragment
        assert re.search(rf'<select id="st-[a-z0-9-]+-{scope}" name="status" aria-label="実施状況: [^"]+"', fragment)


def test_an_unknown_status_is_refused_and_nothing_is_stored(cast):
    r = cast.client(cast.admin).post(status_url(cast.org), {"status": "maybe"}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert 'role="alert">' in r.content.decode()
    assert not ItemRecord.objects.exists() and not ItemChange.objects.exists()


def test_a_measure_that_does_not_apply_refuses_done_with_a_message(cast):
    row = not_applicable_row(cast.org)
    c = cast.client(cast.admin)
    r = c.post(status_url(cast.org, row.item, row.scope), {"status": "done"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "当てはまらない" in r.content.decode()
    r = c.post(item_url(cast.org, row.item, row.scope),
               {"status": "not_done", "decision": "will_do", "deadline": "2027-01-31", "owner": "佐藤"})
    assert r.status_code == 422 and "当てはまらない" in r.content.decode()
    assert not ItemRecord.objects.exists()


def test_a_scope_that_the_measure_does_not_have_is_404(cast):
    r = cast.client(cast.admin).post(status_url(cast.org), {"status": "done", "scope": "no-such-dept"})
    assert r.status_code == 404
    assert not ItemRecord.objects.exists()


def test_without_javascript_a_save_returns_to_the_measure_on_the_checklist(cast):
    r = cast.client(cast.admin).post(status_url(cast.org), {"status": "done"})
    assert r.status_code == 302 and r["Location"].endswith("#m-mic-v5-admin-a-1")
    assert ItemRecord.objects.get(item=ITEM).status == "done"


def test_the_checklist_is_paged_and_each_page_renders_without_one_template_per_row(cast):
    c = cast.client(cast.admin)
    first, second = checklist(c, cast.org, show="all"), checklist(c, cast.org, show="all", page=2)
    ids = [set(re.findall(r'<tr id="(m-[^"]+)"', p.content.decode())) for p in (first, second)]
    assert len(ids[0]) == PAGE_SIZE and ids[1] and not ids[0] & ids[1]
    ours = [t.name for t in first.templates if not t.name.startswith("django/")]  # form widgets are Django's
    assert ours == ["assessments/checklist.html", "base.html", "assessments/_rows.html", "_pager.html"]


def test_checklist_queries_do_not_grow_with_recorded_items(cast):
    c = cast.client(cast.admin)
    url = reverse("checklist", args=[cast.org.id])
    rows = [r for r in plan_of(cast.org).rows if r.applies]
    save_item(cast.org, rows[0].item, rows[0].scope, {"status": "done"}, cast.admin)
    c.get(url)  # the first request saves the session once (its expiry moves); later ones do not
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for r in rows[1:60]:
        save_item(cast.org, r.item, r.scope, {"status": "partly"}, cast.admin)
    with CaptureQueriesContext(connection) as many:
        c.get(url)
    assert len(many) == len(few)


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


def test_the_checklist_is_grouped_by_priority_or_by_role(cast):
    c = cast.client(cast.admin)
    html = checklist(c, cast.org).content.decode()
    headings = re.findall(r'scope="rowgroup">([^<]+)<', html)
    assert headings[0] == "最優先" and len(headings) == len(set(headings))
    html = checklist(c, cast.org, group="role").content.decode()
    assert re.findall(r'scope="rowgroup">([^<]+)<', html)[0] == "経営者"


def priority_url(org, item, scope="organisation"):
    return reverse("item_priority", args=[org.id, item, scope])


def test_an_organisation_can_raise_a_priority_and_the_action_list_follows(cast):
    last = actions(plan_of(cast.org))[-1]
    assert last.priority.rank > 1
    c = cast.client(cast.admin)
    r = c.post(priority_url(cast.org, last.item, last.scopes[0]),
               {"importance": "high", "difficulty": "low", "override_reason": "取引先から求められている"})
    assert r.status_code == 302
    moved = next(a for a in actions(plan_of(cast.org)) if a.item == last.item)
    assert moved.priority.rank == 1 and moved.rank < last.rank
    assert {rec.importance for rec in ItemRecord.objects.filter(item=last.item)} == {"high"}
    assert ItemRecord.objects.filter(item=last.item).count() == len(last.scopes)  # every scope of the measure
    entry = AuditEntry.objects.filter(action="item.change", target__startswith=last.item).first()
    assert entry.data["override_reason"] == "取引先から求められている" and entry.actor == cast.admin.email
    page = c.get(item_url(cast.org, last.item, last.scopes[0])).content.decode()
    assert "取引先から求められている" in page and "組織による変更" in page


def test_going_back_to_the_default_priority_clears_the_reason(cast):
    c = cast.client(cast.admin)
    c.post(priority_url(cast.org, ITEM), {"importance": "low", "override_reason": "外部委託先が対応済み"})
    assert c.post(priority_url(cast.org, ITEM), {"importance": "", "difficulty": "", "override_reason": "x"}
                  ).status_code == 302
    rec = ItemRecord.objects.get(item=ITEM)
    assert (rec.importance, rec.difficulty, rec.override_reason) == ("", "", "")


def test_a_changed_priority_needs_a_reason_and_nothing_is_stored_without(cast):
    r = cast.client(cast.admin).post(priority_url(cast.org, ITEM), {"importance": "high", "override_reason": " "})
    assert r.status_code == 422 and 'class="field-error"' in r.content.decode()
    assert not ItemRecord.objects.exists()


def test_readers_cannot_change_a_priority_and_it_rejects_get(cast):
    assert cast.client(cast.viewer).post(priority_url(cast.org, ITEM), {"importance": "high",
                                                                        "override_reason": "r"}).status_code == 403
    assert cast.client(cast.admin).get(priority_url(cast.org, ITEM)).status_code == 405
    assert cast.client(cast.outsider).post(priority_url(cast.org, ITEM), {"importance": "high",
                                                                          "override_reason": "r"}).status_code == 404
    assert not ItemRecord.objects.exists()


def test_a_save_without_javascript_passes_the_csrf_check(cast):
    c = cast.client(cast.admin)
    c.handler.enforce_csrf_checks = True
    html = entry_html(c, cast.org, ITEM)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    r = c.post(status_url(cast.org), {"status": "done", "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and ItemRecord.objects.get(item=ITEM).status == "done"


def test_the_count_line_says_how_many_are_shown_only_when_a_filter_hides_some(cast):
    import re

    c = cast.client(cast.viewer)

    def count_line(**filters) -> str:
        html = checklist(c, cast.org, **filters).content.decode()
        return re.search(r'<p class="hint" id="shown-count">(.*?)</p>', html).group(1)

    everything = count_line()
    total = int(re.search(r"当てはまる対策は全部で (\d+) 件", everything).group(1))
    assert "を表示" not in everything  # the same number twice said nothing
    filtered = count_line(role="worker")
    shown = int(re.search(r"(\d+) 件の対策を表示", filtered).group(1))
    assert 0 < shown < total and f"全部で {total} 件" in filtered
