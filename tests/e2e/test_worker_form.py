"""A worker on a phone: open the personal link, answer, come back, change an answer, submit.

Screenshots in artifacts/screenshots/worker-*.png (390x844, the size of a common phone).
"""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tebiki.core.worker_guide import minutes
from tebiki.web.people import service
from tebiki.web.people.models import Answer, Submission, Worker
from tests.e2e.conftest import SCREENSHOTS
from tests.web.conftest import make_org, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport=PHONE, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def snap(page, name: str, full: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"worker-{name}.png"), full_page=full)


def test_a_worker_answers_on_a_phone_comes_back_changes_an_answer_and_submits(phone):
    org = make_org("テスト商事")
    admin = make_user("admin@test.example", org)
    worker = Worker.objects.create(organisation=org, name="山田 花子", email="hanako@test.example", department="sales")
    campaign = service.create_campaign(org, "12月のセキュリティ自己点検", ["sales"],
                                       timezone.localdate() + dt.timedelta(days=7), admin)
    link = service.open_campaign(campaign, "", send=False)[worker.id]
    items = service.items_for(campaign.items, "sales")

    phone.goto(link)
    assert "山田 花子" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    snap(phone, "1-open")

    lock = phone.locator(f"#q-{items.index('mic-v5:worker:B-1') + 1}")  # screen lock: has steps per platform
    lock.locator("details.wk-help > summary").click()
    lock.locator("details.wk-platform > summary", has_text="iPhone").click()
    lock.scroll_into_view_if_needed()
    assert "自動ロック" in lock.inner_text()
    snap(phone, "2-help")

    for n in range(3):
        phone.locator(f"#q-{n + 1} label.wk-choice").nth(0).click()  # はい
    phone.locator("#q-2 details.wk-comment > summary").click()
    phone.fill("textarea[name=comment-1]", "会社の PC だけで確認しました")
    phone.click("button[name=save]")
    phone.wait_for_url("**/?saved=1")
    assert Answer.objects.filter(worker=worker).count() == 3 and not Submission.objects.exists()
    snap(phone, "3-saved")

    phone.goto(link)  # coming back later with the same link
    assert phone.is_checked("input[name=item-0][value=yes]")
    assert phone.input_value("textarea[name=comment-1]") == "会社の PC だけで確認しました"
    phone.locator("#q-1 label.wk-choice").nth(2).click()  # change to わからない

    phone.click("button[name=submit]")  # not everything answered yet: refused, marked at the questions
    assert f"まだ答えていない質問が {len(items) - 3} 問あります" in phone.inner_text("main")
    assert "ほかの答えは保存されています" in phone.inner_text("main")
    assert phone.locator("fieldset.wk-item.has-error").count() == len(items) - 3
    snap(phone, "4-missing")

    for n in range(len(items)):
        group = phone.locator(f"#q-{n + 1}")
        if not group.locator("input:checked").count():
            group.locator("label.wk-choice").nth(0).click()
    phone.locator("#q-1 label.wk-choice").nth(2).click()
    phone.click("button[name=submit]")
    phone.wait_for_url("**/?submitted=1")
    assert "回答を送信しました" in phone.inner_text("main")
    snap(phone, "5-submitted")
    snap(phone, "6-whole-page", full=True)

    assert Answer.objects.filter(worker=worker).count() == len(items)
    assert Answer.objects.get(worker=worker, item=items[0]).value == "unknown"
    assert Answer.objects.get(worker=worker, item=items[1]).comment == "会社の PC だけで確認しました"
    assert Submission.objects.filter(worker=worker).exists()


def demo_worker_link(email: str) -> tuple[Worker, str, list[str]]:
    """The demo's organisation and campaign, and a fresh personal link for one of its workers."""
    from django.core.management import call_command

    from tebiki.web.people.models import Campaign

    call_command("demo", stdout=io.StringIO())
    worker = Worker.objects.get(email=email)
    campaign = Campaign.objects.get(organisation=worker.organisation)
    link = service.issue_links(campaign, [worker], "", send=False)[worker.id]
    return worker, link, service.items_for(campaign.items, worker.department)


class Taps:
    """Every tap the worker makes, counted."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.tap()


def wait_saved(phone, n: int) -> None:
    phone.locator(f"#q-{n}[data-saved=yes]").wait_for()


def test_a_salesperson_of_the_demo_finishes_the_self_check_on_a_phone_in_at_most_60_taps(phone):
    worker, link, items = demo_worker_link("s.kobayashi@example.jp")  # sales: the most questions
    tap = Taps()
    phone.goto(link)
    assert minutes(len(items)) <= 5 and f"約{minutes(len(items))}分・{len(items)}問" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    snap(phone, "10-demo-open")
    for n in range(1, len(items) + 1):
        group = phone.locator(f"#q-{n}")
        na = group.locator("label.wk-choice", has_text="該当しない")
        tap(na if na.count() and n % 2 else group.locator("label.wk-choice").first)  # はい, or 該当しない
        wait_saved(phone, n)
    snap(phone, "11-demo-answered", full=True)
    tap(phone.locator("button[name=submit]"))
    phone.wait_for_url("**/?submitted=1")
    assert tap.count <= 60, tap.count
    assert Answer.objects.filter(worker=worker).count() == len(items)
    assert Answer.objects.filter(worker=worker, value="na").exists()
    assert Submission.objects.filter(worker=worker).exists()


def test_closing_the_page_midway_loses_no_answer_and_the_link_shows_them_again(browser, live_server):
    worker, link, items = demo_worker_link("s.kobayashi@example.jp")
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    phone.goto(link)
    given = {}
    for n in range(1, len(items) // 2 + 1):
        choice = ["はい", "いいえ", "わからない"][n % 3]
        phone.locator(f"#q-{n} label.wk-choice", has_text=choice).tap()
        given[n] = {"はい": "yes", "いいえ": "no", "わからない": "unknown"}[choice]
        wait_saved(phone, n)
    assert "保存しました" in phone.inner_text("#wk-autosave")
    phone.locator("#q-1 details.wk-comment > summary").tap()
    phone.locator("#q-1 textarea").fill("家のパソコンでも確認します")  # still typing when the page is left
    phone.goto("about:blank")  # the worker leaves without pressing anything: the comment goes out (sendBeacon)
    deadline = time.monotonic() + 20
    while not Answer.objects.filter(worker=worker, comment="家のパソコンでも確認します").exists():
        assert time.monotonic() < deadline, "the comment typed last was not saved"
        time.sleep(0.1)  # the beacon is handled by the live server's thread
    context.close()  # only now: closing the browser at once could cancel the beacon still in flight

    stored = dict(Answer.objects.filter(worker=worker).values_list("item", "value"))
    assert stored == {items[n - 1]: v for n, v in given.items()}
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    again = context.new_page()
    again.goto(link)
    for n, value in given.items():
        assert again.is_checked(f"#q-{n} input[value={value}]"), n
    assert again.locator("fieldset.wk-item input:checked").count() == len(given)
    assert f"{len(items)} 問中 {len(given)} 問回答済み" in again.inner_text("main")
    again.locator("button[name=submit]").tap()  # sending with gaps: says what is missing, keeps the rest
    again.locator("#gaps").wait_for()
    assert f"まだ答えていない質問が {len(items) - len(given)} 問あります" in again.inner_text("main")
    assert Answer.objects.filter(worker=worker).count() == len(given) and not Submission.objects.filter(
        worker=worker).exists()
    snap(again, "12-gaps")
    context.close()


def test_a_term_in_a_question_opens_its_explanation_by_tap_and_by_keyboard(phone):
    worker, link, items = demo_worker_link("s.kobayashi@example.jp")
    phone.goto(link)
    term = phone.locator("fieldset.wk-item legend button.term", has_text="VPN").first
    note = phone.locator("#" + term.get_attribute("aria-describedby"))
    assert not note.is_visible()
    term.tap()
    assert note.is_visible() and "暗号" in note.inner_text()
    snap(phone, "13-term")
    phone.keyboard.press("Escape")
    assert not note.is_visible()
    term.focus()
    phone.keyboard.press("Enter")
    assert note.is_visible()


def test_a_closed_campaigns_link_shows_a_clear_page_on_a_phone(phone):
    org = make_org("テスト商事")
    admin = make_user("admin@test.example", org)
    worker = Worker.objects.create(organisation=org, name="山田 花子", email="hanako@test.example", department="sales")
    campaign = service.create_campaign(org, "点検", ["sales"], timezone.localdate(), admin)
    link = service.open_campaign(campaign, "", send=False)[worker.id]
    service.close_campaign(campaign)
    response = phone.goto(link)
    assert response.status == 410
    assert "締め切られました" in phone.inner_text("main")
    snap(phone, "7-closed")


def test_the_manager_sees_the_results_and_who_has_not_answered(browser, live_server):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tebiki.web.people.models import PersonalLink

    org = make_org("テスト商事")
    admin = make_user("admin@test.example", org)
    for i, dept in enumerate(["sales", "sales", "office", "it"]):
        Worker.objects.create(organisation=org, name=f"勤務者{i + 1}", email=f"w{i}@test.example", department=dept)
    campaign = service.create_campaign(org, "12月の点検", ["sales", "office", "it"],
                                       timezone.localdate() + dt.timedelta(days=7), admin, modules=["rules", "mail"])
    service.open_campaign(campaign, "", send=False)
    first = Worker.objects.get(name="勤務者1")
    Answer.objects.bulk_create([Answer(organisation=org, campaign=campaign, worker=first, item=i, value="yes")
                                for i in service.items_for(campaign.items, "sales")])
    assert PersonalLink.objects.current().count() == 4

    c = Client()
    c.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    session = c.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": c.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"/o/{org.id}/campaigns/{campaign.id}/")
    assert "未完了" in page.inner_text("#people")
    assert page.locator("#people tr.late").count() == 3
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "campaign-results.png"), full_page=True)
    page.locator("#people tr", has_text="勤務者2").get_by_role("button", name="リンクを作り直す", exact=True).click()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    link_box = page.locator("#people input.token")
    page.locator("#people button.copy").click()  # the one-time link's copy button
    # the status is written when the clipboard has taken the link, a moment after the click: wait for it
    expect(page.locator("#people [role=status]", has_text="コピーしました")).to_have_count(1)
    assert page.evaluate("navigator.clipboard.readText()") == link_box.input_value()
    assert "/w/" in link_box.input_value()
    page.goto(f"/o/{org.id}/training/")
    assert page.locator("table.training tbody tr").count() == 4
    page.screenshot(path=str(SCREENSHOTS / "campaign-training.png"), full_page=True)
    page.goto(f"/o/{org.id}/workers/")
    page.screenshot(path=str(SCREENSHOTS / "campaign-workers.png"), full_page=True)
    context.close()


def test_a_worker_reads_a_training_module_on_a_phone_and_confirms_it(phone):
    from tebiki.web.people.models import TrainingAck

    org = make_org("テスト商事")
    admin = make_user("admin@test.example", org)
    worker = Worker.objects.create(organisation=org, name="山田 花子", email="hanako@test.example", department="sales")
    campaign = service.create_campaign(org, "研修つき点検", ["sales"], timezone.localdate() + dt.timedelta(days=7),
                                       admin, modules=["mail", "incident"])
    link = service.open_campaign(campaign, "", send=False)[worker.id]

    phone.goto(link)
    phone.locator("#training a", has_text="怪しいメール").click()
    phone.wait_for_url("**/training/mail/")
    snap(phone, "8-training")
    phone.locator("fieldset.wk-item label.wk-choice").nth(2).click()
    phone.click("button.primary")  # the confirmation box is not ticked yet: the browser holds the form back
    assert phone.evaluate("document.querySelector('input[name=understood]').validity.valueMissing")
    assert not TrainingAck.objects.exists()
    phone.check("input[name=understood]")
    phone.click("button.primary")
    phone.wait_for_url("**/training/mail/?done=1")
    assert "正解です" in phone.inner_text("#quiz-results")
    snap(phone, "9-training-done", full=True)
    ack = TrainingAck.objects.get(worker=worker)
    assert (ack.module, ack.score) == ("mail", 1)
    phone.goto(link)
    assert "確認済み" in phone.inner_text("#training")
