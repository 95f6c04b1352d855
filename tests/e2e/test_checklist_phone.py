"""The checklist on a phone and when a save fails, in a real browser.

On a phone each measure is a card with the status control at its bottom, big enough for a thumb, and nothing scrolls
sideways (390 CSS px, and 320 CSS px, which is 1280 px at 400 % zoom). Nothing is stored until 保存 is pressed, and a
save that fails (refused, server error, lost connection) says so next to the measure.
Screenshots: artifacts/screenshots/checklist-phone-*.png.
"""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tebiki.web.assessments.models import ItemRecord
from tebiki.web.assessments.service import plan_of, save_item
from tests.web.conftest import make_org, make_user

from .conftest import SCREENSHOTS
from .test_journey import at, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONES = {"390": {"width": 390, "height": 844}, "320": {"width": 320, "height": 640}}
THUMB = 44  # CSS px: WCAG 2.5.5's target size


def signed_in_admin(page):
    """The demo profile's organisation, its administrator signed in with two steps."""
    org = make_org("サンプル商事")
    user = make_user("admin@example.jp", org, "admin")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(page, "admin@example.jp")
    at(page, "/accounts/mfa/verify/", query=True)
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.click("main form button.primary")
    at(page, f"/o/{org.id}/")
    return org, user


def differing_item(org, user) -> str:
    """A measure whose departments now differ, so its card has one control per department."""
    by_item: dict[str, list[str]] = {}
    for r in plan_of(org).rows:
        if r.applies and r.scope != "organisation":
            by_item.setdefault(r.item, []).append(r.scope)
    item, scopes = next((i, s) for i, s in by_item.items() if len(s) > 2)
    save_item(org, item, scopes[0], {"status": "done"}, user)
    return item


def no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width} px screen"


@pytest.mark.parametrize("phone", list(PHONES))
def test_each_measure_is_a_card_with_the_status_control_at_the_bottom_within_the_screen(page, phone):
    size = PHONES[phone]
    page.set_viewport_size(size)
    org, user = signed_in_admin(page)
    item = differing_item(org, user)
    page.goto(f"/o/{org.id}/checklist/")
    no_sideways_scroll(page, size["width"])
    page.screenshot(path=str(SCREENSHOTS / f"checklist-phone-{phone}-first-screen.png"))
    page.screenshot(path=str(SCREENSHOTS / f"checklist-phone-{phone}.png"), full_page=True)
    assert not page.locator("table.checklist thead").is_visible()  # cards, not table columns

    cards = page.locator("table.checklist tr.entry")
    for i in range(3):
        card = cards.nth(i)
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        title, reason = card.locator("td.what a").bounding_box(), card.locator("td.what .why").first.bounding_box()
        assert card.locator("td.priority .prio").is_visible() and reason["height"] > 0
        for control in (card.locator("select[name=status]"), card.locator("button.save")):
            c = control.bounding_box()
            assert c["x"] >= 0 and c["x"] + c["width"] <= size["width"], f"card {i}: control outside the screen"
            assert c["height"] >= THUMB, f"card {i}: {c['height']} px high"
            assert c["y"] > max(title["y"] + title["height"], reason["y"] + reason["height"])  # below what it is about
            assert c["y"] + c["height"] <= box["y"] + box["height"]
        other = [card.locator(f"td.{cls}").bounding_box() for cls in ("level", "priority", "decision")]
        assert all(o is None or o["height"] == 0 or o["y"] < c["y"] for o in other)  # the control comes last

    # One control per department where they differ: still inside the screen.
    m = plan_of(org).catalog.by_id[item]
    page.goto(f"/o/{org.id}/checklist/?role={m.role}&category={m.category}")
    card = page.locator("tr.entry:has(select[name=status]):has(label.scope) >> nth=0")
    assert card.locator("select[name=status]").count() > 2
    no_sideways_scroll(page, size["width"])
    for control in card.locator("select[name=status], button.save").all():
        c = control.bounding_box()
        assert c["x"] + c["width"] <= size["width"] and c["height"] >= THUMB
    card.screenshot(path=str(SCREENSHOTS / f"checklist-phone-{phone}-departments.png"))


def first_card(page, org):
    page.goto(f"/o/{org.id}/checklist/")
    card = page.locator("table.checklist tr.entry:has(form.status-form)").first
    return card, card.get_attribute("id")


def test_choosing_a_status_stores_nothing_until_save_is_pressed(page):
    org, _user = signed_in_admin(page)
    card, row_id = first_card(page, org)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    card.locator("select[name=status]").select_option("done")
    card.locator("select[name=status]").select_option("partly")
    page.wait_for_timeout(300)  # time for an htmx request on change, if one were wired (none is)
    assert posts == [] and not ItemRecord.objects.filter(organisation=org).exists()

    with page.expect_response(lambda r: "/status/" in r.url) as resp:
        card.locator("button.save").click()
    assert resp.value.status == 200
    page.wait_for_selector(f"#{row_id} .saved")
    expect(page.locator("#save-announce")).to_contain_text("保存しました")  # filled once htmx has settled
    assert ItemRecord.objects.filter(organisation=org, status="partly").count() >= 1


@pytest.mark.parametrize("failure", ["server_error", "lost_connection"])
def test_a_save_that_fails_says_so_next_to_the_measure(page, failure):
    org, _user = signed_in_admin(page)
    card, row_id = first_card(page, org)
    if failure == "server_error":
        page.route("**/status/", lambda route: route.fulfill(status=500, body="boom"))
    else:
        page.route("**/status/", lambda route: route.abort("internetdisconnected"))
    card.locator("select[name=status]").select_option("done")
    card.locator("button.save").click()
    error = page.locator(f"#{row_id} .row-error[role=alert]")
    error.wait_for(state="visible")
    text = error.inner_text()
    assert "保存されませんでした" in text
    assert ("500" in text) if failure == "server_error" else ("接続" in text)
    assert page.evaluate("document.activeElement.classList.contains('save')")  # focus stays on the row
    assert not ItemRecord.objects.filter(organisation=org).exists()
    page.screenshot(path=str(SCREENSHOTS / f"checklist-save-{failure}.png"))
