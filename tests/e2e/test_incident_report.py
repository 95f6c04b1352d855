"""A worker without an account reports an incident from a phone (390x844); the card prints on one A5 page.

Screenshots go to artifacts/screenshots/incident-*.png.
"""

from __future__ import annotations

import pytest

from tebiki.web.incidents.models import Contact, Incident, ReportLink
from tests.web.conftest import make_org, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def test_a_worker_reports_from_a_phone_and_sees_what_to_do_first(phone, shot):
    org = make_org("サンプル商事")
    make_user("admin@sample.example", org)
    Contact.objects.create(organisation=org, situation="general", availability="business_hours", name="情報システム課 山田",
                           phone="03-1234-5678", hours="平日 9:00〜18:00")
    Contact.objects.create(organisation=org, situation="malware", availability="always", name="ITサポート（委託先）",
                           phone="0120-000-111", notes="24時間受付")
    _, token = ReportLink.issue(org, None)

    phone.goto(f"/r/{token}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot("incident-01-form", phone)
    assert phone.locator(".guide:visible").count() == 0  # guidance appears once a situation is chosen

    phone.click("label.choice:has(input[value=malware])")
    guide = phone.locator(".guide:visible")
    assert guide.count() == 1 and "LAN ケーブル" in guide.inner_text() and "0120-000-111" in guide.inner_text()
    shot("incident-02-malware-chosen", phone)

    phone.click("button.primary")  # name, contact and description missing
    assert phone.locator(".field-error").count() == 3
    assert "まだ送信されていません" in phone.inner_text(".errors")
    shot("incident-03-errors", phone)
    assert not Incident.objects.exists()

    phone.fill("#id_description", "画面に身代金を要求する表示が出て、ファイルが開けません。")
    phone.fill("#id_reporter_name", "鈴木 花子")
    phone.fill("#id_reporter_contact", "090-1111-2222")
    phone.click("button.primary")
    phone.wait_for_url(f"**/r/{token}/sent/**")
    assert "報告を受け付けました" in phone.inner_text("h1")
    shot("incident-04-sent", phone)
    inc = Incident.objects.get()
    assert (inc.organisation, inc.situation, inc.reporter_name) == (org, "malware", "鈴木 花子")

    phone.click("text=すべての連絡先")
    assert "困ったときの連絡先" in phone.inner_text("h1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot("incident-05-card-phone", phone)
