"""No raw code on a Japanese page: every GET page of the demo, as its admin, in Japanese.

The URLs come from the URLconf and the demo's own objects, so a new page is walked without being listed here.
A page fails on a vocabulary code shown as text (`open`, `will_do`, a role, an audit action …), a literal
backtick, or an English msgid that the Japanese catalogue translates but the page shows untranslated.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tebiki.core.vocabulary import SETS
from tebiki.web.accounts.models import User
from tebiki.web.incidents.models import ReportLink
from tebiki.web.orgs.models import Organisation
from tebiki.web.people.models import Campaign, PersonalLink, Worker

from .conftest import signed_in

SKIP_SUFFIXES = (".xlsx", ".docx", ".pdf", ".csv")  # files, not pages; the exports have their own tests
# Codes that are also ordinary text on a page (OS names, "OK", the ID prefixes shown as IDs).
NOT_CODES = {"ok", "pass", "fail", "unknown", "new", "low", "high", "medium", "may", "shall", "should", "basic",
             "advanced", "done", "closed", "company", "byod", "covered", "na", "accepted", "expired", "revoked"}
CODES = sorted({t.code for terms in SETS.values() for t in terms} - NOT_CODES, key=len, reverse=True)
CODE_RE = re.compile(r"(?<![\w.:/@-])(" + "|".join(map(re.escape, CODES)) + r")(?![\w.:/@-])")
SHOWN_ATTRS = ("title", "aria-label", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The text a person reads: element text and the attributes a browser shows, without scripts and styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in SHOWN_ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def untranslated_msgids() -> list[str]:
    """English msgids long enough to be unmistakable whose Japanese differs from them."""
    po = polib.pofile(str(settings.LOCALE_PATHS[0] / "ja" / "LC_MESSAGES" / "django.po"))
    return [e.msgid for e in po if e.msgstr and e.msgstr != e.msgid and " " in e.msgid and len(e.msgid) >= 12
            and "%" not in e.msgid and "{" not in e.msgid and "<" not in e.msgid]


def problems_of(html: str, msgids: list[str]) -> list[str]:
    return problems_in(visible_text(html), msgids)


def problems_in(texts: list[str], msgids: list[str]) -> list[str]:
    """What is wrong with these pieces of text a person reads (a page's, or an export's cells and paragraphs)."""
    out = []
    for text in texts:
        out += [f"code {m.group(1)!r} in {text[:80]!r}" for m in CODE_RE.finditer(text)]
        if "`" in text:
            out.append(f"backtick in {text[:80]!r}")
        out += [f"English {m!r}" for m in msgids if m in text]
    return out


def get_patterns(resolver=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    out = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) in ("admin/", "api/v1/", "i18n/"):
                continue
            out += get_patterns(entry, prefix + str(entry.pattern))
        else:
            out.append((prefix + str(entry.pattern), entry))
    return out


def sample_kwargs(org: Organisation) -> dict[str, object]:
    """One object of the demo for every URL parameter."""
    record = org.records.filter(status="done").first()
    _, token = ReportLink.issue(org, None)
    campaign = Campaign.objects.filter(organisation=org).first()
    worker = Worker.objects.filter(organisation=org).first()
    _, worker_token = PersonalLink.issue(campaign, worker)
    return {
        "org_id": org.id, "item_id": record.item, "scope": record.scope,
        "device_id": org.devices.first().id, "contact_id": org.incident_contacts.first().id,
        "incident_id": org.incidents.first().id, "worker_id": worker.id, "campaign_id": campaign.id,
        "token": token, "worker_token": worker_token,
    }


@pytest.fixture
def demo(db):
    call_command("demo", stdout=io.StringIO())
    return Organisation.objects.get(name="サンプル商事株式会社"), User.objects.get(email="demo@tebiki.example")


def demo_urls(org: Organisation) -> list[str]:
    kwargs = sample_kwargs(org)
    urls = []
    for route, pattern in get_patterns():
        names = set(pattern.pattern.converters) | ({"org_id"} if "<int:org_id>" in route else set())
        names |= set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if not pattern.name or any(n not in kwargs for n in names) or route.endswith(SKIP_SUFFIXES):
            continue
        given = {n: kwargs["worker_token" if n == "token" and route.startswith("w/") else n] for n in names}
        urls.append(reverse(pattern.name, kwargs=given))
    return urls


def test_no_page_of_the_demo_shows_a_code_or_english_in_japanese(demo):
    org, admin = demo
    client = signed_in(admin)
    msgids = untranslated_msgids()
    urls = demo_urls(org)
    assert len(urls) >= 40, urls
    seen, found = 0, {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        problems = problems_of(response.content.decode(), msgids)
        if problems:
            found[url] = problems[:5]
    assert seen >= 35
    assert found == {}


def test_the_check_sees_what_it_is_meant_to_see():
    msgids = ["Every entry is chained"]
    assert problems_of("<p>状態: will_do</p>", msgids) == ["code 'will_do' in '状態: will_do'"]
    assert problems_of('<span title="incident.status">x</span>', msgids) == [
        "code 'incident.status' in 'incident.status'"]
    assert problems_of("<p>`tebiki audit verify`</p>", msgids) == ["backtick in '`tebiki audit verify`'"]
    assert problems_of("<p>Every entry is chained to …</p>", msgids) == ["English 'Every entry is chained'"]
    assert problems_of('<script>var s = "open";</script><a href="/x/open/">開く</a><p>a@admin.example</p>',
                       msgids) == []
