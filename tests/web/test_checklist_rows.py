"""The checklist's rows as one tag builds them (tebiki_tags.checklist_rows): every value escaped, links, controls."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from tebiki.web.assessments.service import save_item

from .test_checklist import anchor, checklist, entry_html, multi_department_item, not_applicable_row, status_url

HOSTILE = 'R&D <b>"x\'</b>'


def rename_department(org, scope: str, name: str) -> None:
    profile = org.profile
    for department in profile["departments"]:
        if department["id"] == scope:
            department["name"] = name
    org.profile = profile
    org.revision += 1
    org.save(update_fields=["profile", "revision"])


def test_department_names_and_owners_are_escaped_in_every_cell(cast):
    item, scopes = multi_department_item(cast.org)
    rename_department(cast.org, scopes[0], HOSTILE)
    save_item(cast.org, item, scopes[0], {"status": "partly", "decision": "will_do", "deadline": "2027-02-28",
                                          "owner": "<i>佐藤</i>"}, cast.admin)
    for user in (cast.admin, cast.viewer):  # the control's label for one, the status words for the other
        entry = entry_html(cast.client(user), cast.org, item)
        assert HOSTILE not in entry and "<i>" not in entry
        assert html.escape(HOSTILE) + ": " in entry  # the department that differs is named before its value
        assert "&lt;i&gt;佐藤&lt;/i&gt;" in entry and "2027/02/28" in entry  # will_do shows deadline and owner


def test_a_row_links_to_the_item_page_of_its_first_scope_and_shows_why(cast):
    item, scopes = multi_department_item(cast.org)
    entry = entry_html(cast.client(cast.viewer), cast.org, item)
    link = reverse("item", args=[cast.org.id, item, scopes[0]])
    assert f'<a href="{link}"><strong>' in entry
    assert "<select" not in entry and "<form" not in entry  # a reader gets words, not controls
    assert re.search(r'<span class="status status-[a-z_]+">[^<]+</span>', entry)


def test_a_measure_that_applies_nowhere_is_marked_and_has_no_control(cast):
    row = not_applicable_row(cast.org)
    entry = entry_html(cast.client(cast.admin), cast.org, row.item)
    assert entry.startswith(' class="entry na"') and 'class="status status-na"' in entry and "<form" not in entry


def test_a_refused_save_answers_with_the_row_and_its_escaped_error(cast):
    row = not_applicable_row(cast.org)
    r = cast.client(cast.admin).post(status_url(cast.org, row.item, row.scope), {"status": "done"},
                                     headers={"HX-Request": "true"})
    fragment = r.content.decode()
    assert r.status_code == 422 and fragment.lstrip().startswith(f'<tr id="{anchor(row.item)}"')
    assert 'class="group"' not in fragment  # a fragment is the row alone, without its section heading
    error = fragment.split('role="alert">')[1].split("</div>")[0]
    assert error and "<" not in error


def test_a_saved_row_says_so_and_the_page_does_not(cast):
    c = cast.client(cast.admin)
    r = c.post(status_url(cast.org), {"status": "done"}, headers={"HX-Request": "true"})
    assert 'class="saved" data-fresh' in r.content.decode()
    assert 'class="saved"' not in checklist(c, cast.org).content.decode()


def test_each_section_heading_comes_once_before_its_rows(cast):
    page = checklist(cast.client(cast.admin), cast.org, group="role", show="all").content.decode()
    headings = re.findall(r'<tr class="group"><th colspan="5" scope="rowgroup">([^<]+)</th></tr>', page)
    assert headings and len(headings) == len(set(headings))


def test_filters_that_match_nothing_say_so(cast):
    c = cast.client(cast.admin)
    assert "<tr id=" in checklist(c, cast.org).content.decode()
    page = checklist(c, cast.org, status="done").content.decode()  # nothing is done yet
    assert "<tr id=" not in page and '<tr><td colspan="5">' in page


def test_a_passed_deadline_of_an_open_row_is_marked_and_a_future_or_closed_one_is_not(cast):
    import datetime as dt

    from django.utils import timezone

    item, scopes = multi_department_item(cast.org)
    today = timezone.localdate()
    past, future = today - dt.timedelta(days=3), today + dt.timedelta(days=3)
    save_item(cast.org, item, scopes[0], {"status": "not_done", "decision": "will_do", "deadline": past,
                                          "owner": "佐藤"}, cast.admin)
    save_item(cast.org, item, scopes[1], {"status": "partly", "decision": "will_do", "deadline": future,
                                          "owner": "鈴木"}, cast.admin)
    entry = entry_html(cast.client(cast.viewer), cast.org, item)
    assert f'<strong class="warn">期限 {past:%Y/%m/%d}（過ぎています）</strong> 佐藤' in entry
    assert f"{future:%Y/%m/%d} 鈴木" in entry and entry.count("過ぎています") == 1
    save_item(cast.org, item, scopes[0], {"status": "done", "decision": "done"}, cast.admin)  # done: no deadline to pass
    assert "過ぎています" not in entry_html(cast.client(cast.viewer), cast.org, item)
