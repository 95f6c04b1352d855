from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tebiki.core.plan import actions
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.assessments.views import TOP_ACTIONS
from tebiki.web.orgs.models import Membership, Role

from .conftest import make_org


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def set_items(org, user, n: int, **values) -> list:
    rows = [r for r in plan_of(org).rows if r.applies][:n]
    for r in rows:
        save_item(org, r.item, r.scope, values or {"status": "done"}, user)
    return rows


def test_the_dashboard_changes_when_items_are_done(cast):
    c = cast.client(cast.executive)
    url = reverse("dashboard", args=[cast.org.id])
    before = c.get(url).content.decode()
    assert 'aria-label="' in before and " 0%" in before
    set_items(cast.org, cast.admin, 3)
    after = c.get(url).content.decode()
    total = cast.org.summary["applicable"]
    assert f"3 / {total}" in after.replace("3/", "3 / ") or f"3 of {total}" in after or f"{total} 件中 3 件" in after
    assert before != after


def test_the_dashboard_lists_overdue_decisions(cast):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    (row,) = set_items(cast.org, cast.admin, 1, status="not_done", decision="will_do", deadline=yesterday, owner="佐藤")
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert "佐藤" in overdue and row.item.rsplit(":", 1)[-1] in overdue


def test_an_action_past_its_deadline_says_so_and_one_before_it_does_not(cast):
    today = timezone.localdate()
    late, soon = (a.item for a in actions(plan_of(cast.org))[:2])
    for item, deadline in ((late, today - dt.timedelta(days=7)), (soon, today + dt.timedelta(days=7))):
        for scope in next(a for a in actions(plan_of(cast.org)) if a.item == item).scopes:
            save_item(cast.org, item, scope, {"status": "not_done", "decision": "will_do", "deadline": deadline, "owner": "佐藤"},
                      cast.admin)
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    block = page.split('<ol class="action-list">')[1].split("</ol>")[0]
    entries = {re.search(r"/items/([^/]+)/", li).group(1): li for li in block.split("<li>")[1:]}
    past = (today - dt.timedelta(days=7)).strftime("%Y/%m/%d")
    assert f'<strong class="warn">期限 {past}（過ぎています）</strong>' in entries[late]
    assert "過ぎています" not in entries[soon] and (today + dt.timedelta(days=7)).strftime("%Y/%m/%d") in entries[soon]


def listed_actions(html: str) -> list[str]:
    """The measure IDs of the page's action list, in order."""
    block = html.split('<ol class="action-list">')[1].split("</ol>")[0]
    return re.findall(r'/items/([^/]+)/', block)


def test_the_dashboard_shows_the_organisations_first_actions_in_order_with_why(cast):
    page = cast.client(cast.executive).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    expected = actions(plan_of(cast.org))[:TOP_ACTIONS]
    assert listed_actions(page) == [a.item for a in expected]
    assert all(a.why_text["ja"] in page for a in expected)
    assert f"未対応の対策 {len(actions(plan_of(cast.org)))} 件" in page


def test_a_measure_done_everywhere_leaves_the_dashboards_action_list(cast):
    first = actions(plan_of(cast.org))[0]
    for scope in first.scopes:
        save_item(cast.org, first.item, scope, {"status": "done"}, cast.admin)
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    assert first.item not in listed_actions(page)


def test_dashboard_queries_do_not_grow_with_recorded_items(cast):
    c = cast.client(cast.admin)
    url = reverse("dashboard", args=[cast.org.id])
    queries(c, url)  # the first request saves the session once (its expiry moves); later ones do not
    set_items(cast.org, cast.admin, 2)
    few_built = queries(c, url)  # the first request after a change builds the plan once
    few = queries(c, url)  # later ones reuse it
    set_items(cast.org, cast.admin, 60)
    assert queries(c, url) == few_built
    assert queries(c, url) == few


def test_the_overview_shows_only_the_users_organisations(cast):
    page = cast.client(cast.consultant).get(reverse("overview")).content.decode()
    assert cast.org.name in page and cast.other.name not in page


def test_the_overview_sorts_by_open_items(cast):
    busy = make_org("いそがしい会社")
    Membership.objects.create(user=cast.consultant, organisation=busy, role=Role.CONSULTANT)
    set_items(cast.org, cast.admin, 40)
    page = cast.client(cast.consultant).get(reverse("overview"), {"sort": "open"}).content.decode()
    assert page.index("いそがしい会社") < page.index(cast.org.name)
    page = cast.client(cast.consultant).get(reverse("overview"), {"sort": "score"}).content.decode()
    assert page.index("いそがしい会社") < page.index(cast.org.name)  # lowest progress first


def test_overview_queries_do_not_grow_with_organisations(cast):
    c = cast.client(cast.consultant)
    url = reverse("overview")
    queries(c, url)  # the first request saves the session once (its expiry moves); later ones do not
    few = queries(c, url)
    for i in range(12):
        Membership.objects.create(user=cast.consultant, organisation=make_org(f"顧客{i}"), role=Role.CONSULTANT)
    assert queries(c, url) == few


def test_home_sends_a_single_organisation_member_to_its_dashboard(cast):
    assert cast.client(cast.admin).get("/")["Location"] == reverse("dashboard", args=[cast.org.id])
    assert cast.client(cast.consultant).get("/")["Location"] == reverse("overview")


def test_the_method_comparison_highlights_the_organisations_methods(cast):
    page = cast.client(cast.worker).get(reverse("methods", args=[cast.org.id])).content.decode()
    assert page.count('class="ours"') == len(cast.org.get_profile().methods)


def test_the_progress_says_how_partly_done_items_count_and_its_numbers_give_the_percentage(cast):
    before = cast.client(cast.executive).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    assert "一部実施の項目は 50% として数えます。" in before  # none yet: no "0 items … each"
    rows = [r for r in plan_of(cast.org).rows if r.applies][:10]
    for n, r in enumerate(rows):
        values = {"status": "done"} if n < 4 else {"status": "partly", "decision": "will_do", "owner": "佐藤",
                                                    "deadline": timezone.localdate() + dt.timedelta(days=30)}
        save_item(cast.org, r.item, r.scope, values, cast.admin)
    page = cast.client(cast.executive).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    how = re.search(r'id="overall-counts-how">([^<]*)<', page).group(1)
    partly, weight = map(int, re.search(r"一部実施の (\d+) 件は、それぞれ (\d+)% として数えます", how).groups())
    total, done = map(int, re.search(r"対象 (\d+) 件中 (\d+) 件が対応済み", page).groups())
    shown = int(re.search(r'class="donut"[^>]*aria-label="[^"]*?(\d+)%"', page).group(1))
    assert (done, partly, weight) == (4, 6, 50)
    assert shown == round(100 * (done + partly * weight / 100) / total)


def test_the_dashboard_names_the_first_overdue_decisions_and_links_to_all_of_them(cast):
    from tebiki.web.assessments.views import DASHBOARD_LIST

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = set_items(cast.org, cast.admin, DASHBOARD_LIST + 3, status="not_done", decision="will_do",
                     deadline=yesterday, owner="佐藤")
    c = cast.client(cast.admin)
    page = c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert overdue.count("<li") == DASHBOARD_LIST
    listed = re.findall(r'/items/([^/]+)/([^/]+)/', overdue)
    assert listed == [(r.item, r.scope) for r in late[:DASHBOARD_LIST]]  # the first ones, in the plan's order
    more = overdue.split('id="overdue-more">')[1].split("</p>")[0]
    assert "ほか 3 件" in more and "?show=overdue" in more
    checklist = c.get(reverse("checklist", args=[cast.org.id]) + "?show=overdue").content.decode()
    shown = set(re.findall(r'/items/([^/]+)/', checklist))
    assert shown == {r.item for r in late}


def test_a_dashboard_with_few_overdue_decisions_has_no_more_link(cast):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    set_items(cast.org, cast.admin, 2, status="not_done", decision="will_do", deadline=yesterday, owner="佐藤")
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    assert page.split('id="overdue"')[1].split("</section>")[0].count("<li") == 2
    assert 'id="overdue-more"' not in page


def test_the_overdue_filter_leaves_out_future_deadlines_and_closed_decisions(cast):
    today = timezone.localdate()
    rows = [r for r in plan_of(cast.org).rows if r.applies][:3]
    plan = {"status": "not_done", "decision": "will_do", "owner": "佐藤"}
    save_item(cast.org, rows[0].item, rows[0].scope, plan | {"deadline": today - dt.timedelta(days=1)}, cast.admin)
    save_item(cast.org, rows[1].item, rows[1].scope, plan | {"deadline": today}, cast.admin)
    save_item(cast.org, rows[2].item, rows[2].scope, {"status": "done", "deadline": today - dt.timedelta(days=9)},
              cast.admin)
    page = cast.client(cast.viewer).get(reverse("checklist", args=[cast.org.id]) + "?show=overdue").content.decode()
    assert set(re.findall(r'/items/([^/]+)/', page)) == {rows[0].item}


def test_an_overdue_department_row_names_its_department(cast):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    row = next(r for r in plan_of(cast.org).rows if r.applies and r.scope != "organisation")
    save_item(cast.org, row.item, row.scope, {"status": "not_done", "decision": "will_do", "deadline": yesterday,
                                              "owner": "佐藤"}, cast.admin)
    page = cast.client(cast.admin).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert f"{row.title['ja']}</a> ({row.scope_name}) —" in overdue  # the same measure may be late in two departments
