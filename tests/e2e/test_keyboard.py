"""Keyboard only, no mouse: change a checklist status and save it (its Save button, or Enter on the menu), then
walk the set-up wizard and save its department step.

Every step moves the focus with Tab and acts with the keys a keyboard user has (arrows, Space, Enter).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tebiki.web.assessments.models import ItemRecord
from tebiki.web.orgs.models import Organisation

from .test_checklist_phone import signed_in_admin
from .test_journey import done_count

pytestmark = pytest.mark.django_db(transaction=True)

MAX_TABS = 250


def tab_to(page, test: str) -> dict:
    """Press Tab until the focused element passes *test* (a JS expression over `el`); answers its id and name."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({test}); }})()"):
            return page.evaluate("({id: document.activeElement.id, name: document.activeElement.name})")
    raise AssertionError(f"Tab never reached an element where {test}")


def test_a_checklist_status_is_changed_and_saved_with_the_keyboard_only(page):
    org, _user = signed_in_admin(page)
    before = done_count(page)
    page.goto(f"/o/{org.id}/checklist/")

    select = tab_to(page, "el.matches('select[name=status]')")
    row = page.evaluate("document.activeElement.closest('tr').id")
    for _ in range(5):  # arrow keys move through the choices; nothing is saved on the way
        if page.evaluate("document.activeElement.value") == "done":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "done"
    assert not ItemRecord.objects.filter(organisation=org).exists()

    button = tab_to(page, "el.matches('button.save')")
    assert page.evaluate("document.activeElement.closest('tr').id") == row  # the row's own button, next in order
    with page.expect_response(lambda r: "/status/" in r.url) as resp:
        page.keyboard.press("Enter")
    assert resp.value.status == 200
    page.wait_for_selector(f"#{row} .saved")
    assert page.evaluate("document.activeElement.id") == button["id"]  # focus stays on the row
    expect(page.locator("#save-announce")).to_contain_text("保存しました")  # filled once htmx has settled
    assert page.input_value(f"#{select['id']}") == "done"
    saved = ItemRecord.objects.filter(organisation=org, status="done").count()
    assert saved >= 1

    # Enter on the next menu saves it too; the focus stays on that menu.
    nxt = tab_to(page, f"el.matches('select[name=status]') && el.closest('tr').id !== '{row}'")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("document.activeElement.value")
    with page.expect_response(lambda r: "/status/" in r.url) as resp:
        page.keyboard.press("Enter")
    assert resp.value.status == 200
    page.wait_for_function("id => document.getElementById(id) && document.getElementById(id)"
                           ".closest('tr').querySelector('.saved')", arg=nxt["id"])
    assert page.evaluate("document.activeElement.id") == nxt["id"]
    assert page.input_value(f"#{nxt['id']}") == chosen
    saved = ItemRecord.objects.filter(organisation=org, status="done").count()

    page.goto(f"/o/{org.id}/")
    assert done_count(page) == before + saved


def test_the_department_step_of_the_set_up_is_saved_with_the_keyboard_only(page):
    org, _user = signed_in_admin(page)
    page.goto(f"/o/{org.id}/setup/profile/")  # the wizard from its first step, which is kept as it is
    tab_to(page, "el.matches('main form button.primary')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/setup/departments/" in page.url

    tab_to(page, "el.name === 'dept-0-name'")
    page.keyboard.press("Control+A")
    page.keyboard.type("営業一課")
    tab_to(page, "el.name === 'dept-0-methods' && !el.checked")
    method = page.evaluate("document.activeElement.value")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, "el.matches('main form button.primary')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/setup/ready/" in page.url, page.locator("[role=alert]").all_inner_texts()

    first = Organisation.objects.get(id=org.id).profile["departments"][0]
    assert first["name"] == "営業一課" and method in first["methods"]
