"""WCAG 2.1 A/AA on every page of the demo, checked by axe-core in Chromium, at desktop and phone size, in Japanese.

The pages come from the URLconf and the demo's own objects (tests/web/test_vocabulary_pages.demo_urls), so a new
page is checked without being listed here; the pages a signed-in admin does not reach (the consultant overview, a
worker's personal link, the incident report link, sign-in, start, the two-step pages, error pages) are added by
role below. Each page is also loaded at 320 CSS px wide (400 % zoom of a 1280 px window): the page itself must not
scroll sideways (WCAG 1.4.10); a wide table scrolls inside its own named container instead.

axe-core is vendored for the tests only (tests/e2e/vendor/README.md) and loaded into every page as a Playwright
init script: it comes through the browser's DevTools channel, not the page, so the pages run under the app's real
CSP (script-src 'self', no inline script or style) with no bypass, and a page that needs a CSP exception fails here.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from tebiki.web.accounts.models import User
from tebiki.web.orgs.models import Invitation, Membership, Organisation, Role
from tebiki.web.people.models import Campaign, PersonalLink, Worker
from tests.web.conftest import make_user, signed_in
from tests.web.test_vocabulary_pages import demo_urls

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
REFLOW = {"width": 320, "height": 640}
RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     targets: v.nodes.map(n => n.target.join(' '))})))"""
# How far the page scrolls sideways: the document's width beyond the viewport's.
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it stands, one readable line each."""
    found = page.evaluate(RUN_AXE, WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['targets'])}× e.g. {', '.join(v['targets'][:3])}"
            for v in found]


def context_for(browser, live_server, user: User | None = None, verified: bool = True):
    """A Japanese browser context with axe-core loaded into every page, signed in as *user* (the session cookie of
    a test client, *verified* past the second step) or anonymous."""
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport=SIZES["desktop"])
    context.add_init_script(path=str(AXE))
    if user is not None:
        session = signed_in(user, verified).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    context.set_default_timeout(30_000)
    return context


def audit(page, url: str, found: dict[str, list[str]], expect: int | None = 200) -> str:
    """Load *url* and record its problems at each size under found[url].

    expect=None is for addresses taken from the URLconf: one that is not a page of its own (a POST-only address,
    a download, a redirect to another listed page) is skipped, and the reason returned; "" when it was checked.
    It is asked first without the browser, whose error page for an empty 405 would cut into the next navigation."""
    if expect is None:
        first = page.request.get(url, max_redirects=0)
        kind = first.headers.get("content-type", "")
        if first.status != 200 or not kind.startswith("text/html"):
            return f"{first.status} {kind} {first.headers.get('location', '')}".strip()
    page.set_viewport_size(SIZES["desktop"])
    response = page.goto(url)
    status = response.status if response else None
    problems = [] if expect is None or status == expect else [f"status {status}, expected {expect}"]
    check_sizes(page, problems)
    if problems:
        found[url] = problems
    return ""


def check_sizes(page, problems: list[str]) -> None:
    """axe at desktop and phone size, then reflow at 320 px, on the page already loaded."""
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        problems += [f"{name}: {line}" for line in violations(page)]
    page.set_viewport_size(REFLOW)
    if (extra := page.evaluate(OVERFLOW)) > 0:
        problems.append(f"320px: the page scrolls sideways by {extra}px")


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in found.items())


@pytest.fixture
def demo(db):
    call_command("demo", stdout=io.StringIO())
    return Organisation.objects.get(name="サンプル商事株式会社"), User.objects.get(email="demo@tebiki.example")


def test_every_page_of_the_demo_passes_axe_as_its_admin(browser, live_server, demo):
    org, admin = demo
    urls = demo_urls(org)
    assert len(urls) >= 40, urls
    context = context_for(browser, live_server, admin)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    skipped = {url: why for url in urls if (why := audit(page, url, found, expect=None))}
    context.close()
    assert len(urls) - len(skipped) >= 35, "\n".join(f"{url}: {why}" for url, why in skipped.items())
    assert found == {}, report(found)


def worker_pages(org: Organisation) -> list[str]:
    """A worker's personal link of the demo's open self-check, each training module it asks for, and the "my
    devices" page of a worker the demo gave devices (with their check results)."""
    campaign = Campaign.objects.filter(organisation=org).exclude(modules=[]).first()
    worker = Worker.objects.filter(organisation=org, department__in=campaign.departments).first()
    _, token = PersonalLink.issue(campaign, worker)
    user = Worker.objects.filter(organisation=org, devices__isnull=False).exclude(pk=worker.pk).first()
    _, own = PersonalLink.issue(campaign, user)
    return [f"/w/{token}/", *(f"/w/{token}/training/{m}/" for m in campaign.modules), f"/w/{own}/devices/"]


def test_the_pages_of_other_roles_and_of_no_one_pass_axe(browser, live_server, demo):
    from tebiki.web.incidents.models import ReportLink

    org, admin = demo
    found: dict[str, list[str]] = {}
    consultant = make_user("consultant@test.example", org, Role.CONSULTANT)
    client = Organisation.objects.create(name="うみの会計", profile=org.profile)
    Membership.objects.create(user=consultant, organisation=client, role=Role.CONSULTANT)
    _, report_token = ReportLink.issue(org, None)
    _, invitation = Invitation.issue(org, "new@test.example", "worker", admin)

    with_consultant = context_for(browser, live_server, consultant)
    page = with_consultant.new_page()
    audit(page, "/orgs/", found)
    audit(page, f"/o/{org.id}/profile/", found)
    audit(page, f"/o/{org.id}/audit/", found, expect=403)  # the error page a signed-in member sees
    with_consultant.close()

    anonymous = context_for(browser, live_server)
    page = anonymous.new_page()
    for url in (*worker_pages(org), f"/r/{report_token}/", f"/r/{report_token}/contacts/", "/accounts/login/",
                "/start/", f"/invite/{invitation}/"):
        audit(page, url, found)
    audit(page, "/w/not-a-link/", found, expect=404)
    audit(page, "/nowhere/", found, expect=404)
    # The form pages again after sending them empty or wrong: the errors must be named, linked and announced.
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "nobody@test.example")
    page.fill("input[name=password]", "wrong password 123")
    page.click("main form button.primary")
    page.wait_for_load_state()
    check_sizes(page, problems := [])
    if problems:
        found["/accounts/login/ (wrong password)"] = problems
    page.goto(f"/r/{report_token}/")
    page.click("main form button.primary")
    page.wait_for_load_state()
    check_sizes(page, problems := [])
    if problems:
        found["/r/… (sent empty)"] = problems
    # The 500 page is rendered without a request (Django's server_error view); shown here as the browser gets it.
    with translation.override("ja"):
        body = render_to_string("500.html")
    page.route("**/server-error/", lambda route: route.fulfill(status=500, body=body, content_type="text/html"))
    audit(page, "/server-error/", found, expect=500)
    anonymous.close()

    newcomer = make_user("newcomer@test.example")  # signed in, no authenticator yet: the enrolment page
    enrolled = make_user("enrolled@test.example")  # has an authenticator, not yet verified in this session
    signed_in(enrolled, verified=True)
    for user, verified, url in ((newcomer, False, "/accounts/mfa/setup/"), (enrolled, False, "/accounts/mfa/verify/"),
                                (enrolled, True, "/accounts/mfa/replace/"), (admin, True, "/accounts/password/")):
        context = context_for(browser, live_server, user, verified)
        audit(context.new_page(), url, found)
        context.close()
    assert found == {}, report(found)


def test_the_check_finds_what_it_is_meant_to_find(browser, live_server):
    """An unlabelled field, white on orange, an unnamed chart and a wide table outside a scroll box are caught."""
    context = context_for(browser, live_server)
    page = context.new_page()
    bad = ('<!doctype html><html lang="ja"><title>t</title><main><h1>t</h1><input name="x">'
           '<p style="color:#fff;background:#ef6c00">優先</p><svg role="img"><rect width="9" height="9"/></svg>'
           '<table><tr><td style="min-width:900px">広い表</td></tr></table></main></html>')
    page.route("**/axe-self-test/", lambda route: route.fulfill(body=bad, content_type="text/html"))
    page.goto("/axe-self-test/")
    problems: list[str] = []
    check_sizes(page, problems)
    context.close()
    ids = {line.split(": ", 1)[1].split(" ", 1)[0] for line in problems if line.startswith("desktop")}
    assert {"label", "color-contrast", "svg-img-alt"} <= ids, problems
    assert any(line.startswith("320px: the page scrolls sideways") for line in problems), problems
    assert any(line.startswith("phone: label (critical)") for line in problems), problems

