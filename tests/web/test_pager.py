"""The one pager ({% pager page %}, _pager.html): named links that keep the filters, "page N of M", the last page.

Exercised through the worker roster (50 a page, with filters) and the audit log (100 a page, no filters)."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from tebiki.web.audit import log as audit
from tebiki.web.paging import PEOPLE_PER_PAGE
from tebiki.web.people.models import Worker


def add(org, n, department, prefix):
    Worker.objects.bulk_create(Worker(organisation=org, name=f"{prefix}{i:03d}", email=f"{prefix}{i:03d}@test.example",
                                      department=department) for i in range(n))


def pager(body: str) -> list[tuple[str, str, str]]:
    """The pager's links as (href, accessible name, text); the name is aria-label when there is one."""
    nav = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', body, re.S)
    assert nav, "no pager"
    return [(html.unescape(href), label or text.strip(), text.strip())
            for href, label, text in re.findall(r'<a href="([^"]*)"(?:[^>]*aria-label="([^"]*)")?[^>]*>([^<]*)</a>',
                                                nav.group(1))]


def roster(cast, **query):
    return cast.client(cast.admin).get(reverse("workers", args=[cast.org.id]), query)


def test_the_pager_names_its_links_keeps_the_filters_and_says_which_page(cast):
    add(cast.org, 2 * PEOPLE_PER_PAGE + 20, "sales", "営業")
    add(cast.org, 5, "office", "総務")
    r = roster(cast, department="sales", page=2)
    body = r.content.decode()
    links = pager(body)
    assert [name for _, name, _ in links] == ["‹ 前へ", "1 ページ", "3 ページ", "次へ ›"]
    assert all("department=sales" in href for href, _, _ in links)
    assert [re.search(r"page=(\d+)", href).group(1) for href, _, _ in links] == ["1", "1", "3", "3"]
    assert "3 ページ中 2 ページ目" in body and '<span aria-current="page">2</span>' in body
    shown = [w.name for w, _ in r.context["workers"]]
    assert len(shown) == PEOPLE_PER_PAGE and all(n.startswith("営業") for n in shown)
    assert "120 人を表示" in body  # counted over every page, not the one shown


def test_a_page_past_the_end_is_the_last_page_without_a_next_link(cast):
    add(cast.org, 2 * PEOPLE_PER_PAGE + 20, "sales", "営業")
    for page in ("3", "999"):
        r = roster(cast, page=page)
        assert r.status_code == 200 and r.context["page"].number == 3
        assert len(r.context["workers"]) == 20
        names = [name for _, name, _ in pager(r.content.decode())]
        assert names[0] == "‹ 前へ" and "次へ ›" not in names
    assert roster(cast, page="x").context["page"].number == 1  # not a number: the first page


def test_one_page_has_no_pager(cast):
    add(cast.org, 3, "sales", "営業")
    assert 'class="pager"' not in roster(cast).content.decode()


def test_the_roster_filters_by_name_or_email_and_a_bad_department_filters_nothing(cast):
    add(cast.org, 3, "sales", "営業")
    add(cast.org, 2, "office", "総務")
    assert [w.name for w, _ in roster(cast, q="総務001").context["workers"]] == ["総務001"]
    assert [w.name for w, _ in roster(cast, q="営業002@TEST").context["workers"]] == ["営業002"]
    r = roster(cast, department="nowhere")
    assert len(r.context["workers"]) == 5 and r.context["filter"].errors["department"]
    assert "この条件に当てはまる勤務者はいません。" in roster(cast, q="誰もいない").content.decode()


def test_the_audit_log_uses_the_same_named_pager(cast):
    for i in range(101):
        audit.record("worker.add", request=None, actor="test", organisation=cast.org, target=f"w{i}")
    r = cast.client(cast.admin).get(reverse("audit_log", args=[cast.org.id]))
    assert [name for _, name, _ in pager(r.content.decode())] == ["2 ページ", "次へ ›"]
    assert "2 ページ中 1 ページ目" in r.content.decode()
