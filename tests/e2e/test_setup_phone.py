"""The set-up's department step on a phone, in a real browser: the method questions' answers stay whole words, and
a term of the glossary opens its explanation by tap and closes with Esc (the popover the item page uses).
Screenshot: artifacts/screenshots/setup-phone-questions.png.
"""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS
from .test_checklist_phone import signed_in_admin

pytestmark = pytest.mark.django_db(transaction=True)

ONE_LINE = """els => els.map(e => {
  const r = e.getBoundingClientRect(), lh = parseFloat(getComputedStyle(e).lineHeight);
  return [e.textContent.trim(), r.height <= lh * 1.5];
})"""


def test_on_a_phone_the_method_answers_stay_whole_and_a_term_explains_itself(page):
    org, _ = signed_in_admin(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/o/{org.id}/setup/departments/")
    page.click("#dept-0 details.diagnose > summary")
    labels = page.eval_on_selector_all("#dept-0 fieldset.question label", ONE_LINE)
    assert len(labels) >= 9 and {text for text, _ in labels} >= {"はい", "いいえ", "わからない"}
    assert [text for text, whole in labels if not whole] == []  # "は / い" on two lines was the bug
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "setup-phone-questions.png"))

    term = page.locator("#dept-0 fieldset.question legend button.term").first
    note = page.locator(f"#{term.get_attribute('popovertarget')}")
    assert not note.is_visible()
    term.click()
    assert note.is_visible() and len(note.inner_text()) > 10
    page.keyboard.press("Escape")
    assert not note.is_visible()
    methods_term = page.locator("#dept-0 .field-terms button.term", has_text="VPN")
    methods_term.click()
    assert page.locator(f"#{methods_term.get_attribute('popovertarget')}").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
