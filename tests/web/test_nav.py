"""The organisation navigation shows each role the pages it may open, and nothing to a link holder."""

from __future__ import annotations

import pytest
from django.urls import reverse


def nav_links(cast, user) -> set[str]:
    html = cast.client(user).get(reverse("dashboard", args=[cast.org.id])).content.decode()
    nav = html[html.index('<nav class="orgnav"'):html.index("</nav>")]
    prefix = f'href="/o/{cast.org.id}/'
    return {part.split('"')[0].rstrip("/") for part in nav.split(prefix)[1:]}


def test_managers_see_every_page(cast):
    assert nav_links(cast, cast.admin) >= {"checklist", "campaigns", "incidents", "contacts", "policy", "members",
                                           "setup/profile", "audit"}


@pytest.mark.parametrize("role", ["worker", "viewer"])
def test_readers_see_no_page_that_would_refuse_them(cast, role):
    links = nav_links(cast, getattr(cast, role))
    assert {"checklist", "contacts", "policy", "incidents/report"} <= links
    assert not links & {"campaigns", "incidents", "members", "setup/profile", "audit"}
    c = cast.client(getattr(cast, role))
    for name in ("checklist", "contacts", "policy"):
        assert c.get(f"/o/{cast.org.id}/{name}/").status_code == 200, name


def test_consultants_do_not_see_the_managers_pages(cast):
    links = nav_links(cast, cast.consultant)
    assert {"campaigns", "incidents"} <= links and not links & {"members", "setup/profile", "audit"}
