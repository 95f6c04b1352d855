"""A worker on a phone: open the personal link, answer, come back, change an answer, submit.

Screenshots in artifacts/screenshots/worker-*.png (390x844, the size of a common phone).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

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
    assert "まだ答えていない質問があります" in phone.inner_text("main")
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
    assert page.locator("#people [role=status]", has_text="コピーしました").count() == 1
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
