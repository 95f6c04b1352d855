"""The policy choices in a real browser: an index with progress, then one short form per section.

Each section fits in a few screens at desktop and phone size and never scrolls sideways; saving one goes on to the
next section and the index counts it. Screenshots: artifacts/screenshots/policy-*.png.
"""

from __future__ import annotations

import pytest

from tebiki.web.policy.forms import SECTIONS
from tebiki.web.policy.models import PolicySettings

from .conftest import SCREENSHOTS
from .test_checklist_phone import signed_in_admin

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# CSS px; the single form was 6,268 px high at desktop size. The optional impact ratings (up to 16 policies in a
# section) fold away until opened.
MAX_HEIGHT = {"desktop": 1600, "phone": 2800}
MAX_HEIGHT_RATED = {"desktop": 3300, "phone": 7000}


def test_each_section_is_short_and_fits_the_screen(page):
    org, _user = signed_in_admin(page)
    heights = {}
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"/o/{org.id}/policy/")
        page.screenshot(path=str(SCREENSHOTS / f"policy-index-{size}.png"), full_page=True)
        for s in SECTIONS:
            page.goto(f"/o/{org.id}/policy/{s.id}/")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{s.id} is {width} px wide at {size} size"
            heights[size, s.id] = page.evaluate("document.documentElement.scrollHeight")
            page.screenshot(path=str(SCREENSHOTS / f"policy-{s.id}-{size}.png"), full_page=True)
            if page.locator("details.impacts").count():  # the optional ratings, opened
                page.click("details.impacts > summary")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                heights[size, s.id + " rated"] = page.evaluate("document.documentElement.scrollHeight")
                page.screenshot(path=str(SCREENSHOTS / f"policy-{s.id}-{size}-ratings.png"), full_page=True)
    print(heights)
    too_tall = {k: h for k, h in heights.items()
                if h > (MAX_HEIGHT_RATED if k[1].endswith(" rated") else MAX_HEIGHT)[k[0]]}
    assert too_tall == {}


def test_a_section_saved_in_the_browser_moves_on_and_counts_in_the_progress(page):
    org, _user = signed_in_admin(page)
    page.goto(f"/o/{org.id}/policy/")
    assert page.get_attribute("#policy-progress", "value") == "0"
    page.click("#sections a.button.primary")
    page.wait_for_url(f"**/policy/{SECTIONS[0].id}/")
    page.fill("input[name=effective_date]", "2027-04-01")
    page.fill("textarea[name=assets-internal]", "顧客名簿")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.url.endswith(f"/policy/{SECTIONS[1].id}/")
    assert "保存しました" in page.inner_text(".messages")
    assert page.get_attribute("#policy-progress", "value") == "1"
    assert PolicySettings.objects.get().choices["assets"]["internal"]["assets"] == ["顧客名簿"]

    # A refused value: the message is at the field, linked to it, and listed at the top.
    page.goto(f"/o/{org.id}/policy/accounts/")
    page.fill("input[name=param-min_password_length]", "4")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.url.endswith("/policy/accounts/")
    field = page.locator("input[name=param-min_password_length]")
    described = field.get_attribute("aria-describedby")
    assert page.locator(f"#{described.split()[-1]}[role=alert]").inner_text()
    assert page.locator(".errors[role=alert] a[href='#id_param-min_password_length']").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "policy-accounts-error.png"), full_page=True)
    assert "min_password_length" not in PolicySettings.objects.get().choices.get("parameters", {})
