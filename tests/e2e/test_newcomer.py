"""A newcomer on a fresh installation: sign-in page → 「新しく始める」 → account and organisation → two-step
enrolment → set-up → the checklist, in a real browser, counting every click and every typed field.

Each step is saved at desktop (1280×900) and phone (390×844) size under artifacts/screenshots/newcomer/.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tebiki.web.accounts.models import User
from tebiki.web.orgs.models import Membership, Organisation

from .conftest import SCREENSHOTS
from .test_journey import at, code_for

pytestmark = pytest.mark.django_db(transaction=True)

MAX_CLICKS, MAX_FIELDS = 25, 20
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
PASSPHRASE = "kitamachi works passphrase 2026"


class Newcomer:
    """The person at the keyboard: every click and every typed field goes through here and is counted."""

    def __init__(self, page):
        self.page, self.clicks, self.fields, self.steps = page, 0, 0, 0
        shutil.rmtree(SCREENSHOTS / "newcomer", ignore_errors=True)  # only this run's steps

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def check(self, selector: str) -> None:
        if not self.page.is_checked(selector):
            self.clicks += 1
            self.page.check(selector)

    def type(self, selector: str, text: str) -> None:
        self.fields += 1
        self.page.fill(selector, text)

    def shot(self, name: str, reflow: bool = True) -> None:
        """This step at desktop and at phone size; with *reflow*, nothing may scroll sideways on the phone."""
        folder = SCREENSHOTS / "newcomer"
        folder.mkdir(parents=True, exist_ok=True)
        self.steps += 1
        stem = f"{self.steps:02d}-{name}"
        self.page.screenshot(path=str(folder / f"{stem}-desktop.png"), full_page=True)
        self.page.set_viewport_size(PHONE)
        self.page.screenshot(path=str(folder / f"{stem}-phone.png"), full_page=True)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.page.set_viewport_size(DESKTOP)
        assert width <= PHONE["width"] or not reflow, f"{stem} is {width} px wide on a phone"


def setup_step(you: Newcomer) -> None:
    """Answer whichever set-up step is shown, as a 30-person company with a sales team would, and go on."""
    page = you.page
    if page.locator("input[name=size]").count():
        you.type("input[name=size]", "30")
        for sel in ("input[name=cloud][value=mail]", "input[name=cloud][value=file_sharing]",
                    "input[name=wifi][value=home]"):
            you.check(sel)
    for question, answer in {"office_systems": "yes", "full_desktop": "no", "data_on_terminal": "yes",
                             "office_pc": "no", "vdi_budget": "no"}.items():
        if page.locator(f"input[name={question}][value={answer}]").count():
            you.check(f"input[name={question}][value={answer}]")
    if page.locator("input[name='dept-0-name']").count():
        you.type("input[name='dept-0-name']", "営業部")
        if page.input_value("input[name='dept-0-people']") != "30":
            you.type("input[name='dept-0-people']", "30")
    with page.expect_navigation():
        you.click("main form button.primary")


def test_a_newcomer_starts_their_own_organisation_within_25_clicks_and_20_fields(page):
    page.set_viewport_size(DESKTOP)
    you = Newcomer(page)
    assert not User.objects.exists()

    page.goto("/accounts/login/")
    you.shot("sign-in")
    you.click("#start-link")
    at(page, "/start/")
    you.type("input[name=email]", "taro@kitamachi.example")
    you.type("input[name=name]", "北町 太郎")
    you.type("input[name=password1]", PASSPHRASE)
    you.type("input[name=password2]", PASSPHRASE)
    you.type("input[name='org-name']", "北町製作所")
    you.shot("start")
    you.click("main form button.primary")

    # Two-step enrolment: the key shown on the page gives the code an authenticator app would show.
    at(page, "/accounts/mfa/setup/", query=True)
    you.shot("two-step")
    you.type("input[name=code]", code_for(page.inner_text("#mfa-secret")))
    you.click("main form button.primary")
    assert page.locator("#recovery-codes li").count() == 10
    you.shot("recovery-codes")
    you.click("a.button.primary")

    org = Organisation.objects.get(name="北町製作所")
    assert Membership.objects.get(organisation=org).user.email == "taro@kitamachi.example"
    at(page, f"/o/{org.id}/setup/profile/")
    assert page.input_value("input[name=name]") == "北町製作所"  # typed once, not asked again
    for _ in range(6):  # the wizard's steps, however many there are
        if "/setup/" not in page.url or "/setup/ready/" in page.url:
            break
        you.shot(re.search(r"/setup/(\w+)/", page.url).group(1))
        setup_step(you)
    at(page, f"/o/{org.id}/setup/ready/")
    you.shot("ready")

    you.click("main a.button.primary")
    at(page, f"/o/{org.id}/checklist/", query=True)
    org.refresh_from_db()
    assert org.is_ready and org.summary["applicable"] > 20
    assert page.locator("main").inner_text().count("\n") > 20  # a real list, not an empty page
    you.shot("checklist")  # the checklist fits a phone too (cards)

    print(f"newcomer: {you.clicks} clicks, {you.fields} typed fields")
    assert you.clicks <= MAX_CLICKS, f"{you.clicks} clicks"
    assert you.fields <= MAX_FIELDS, f"{you.fields} typed fields"
