"""A worker opens the link the capture script printed, on a phone, and reads what to fix on their Mac.

Screenshot: artifacts/screenshots/my-device-phone.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tebiki.agent.rules import CHECK_IDS
from tebiki.web.devices.models import DeviceLink, EnrolmentToken
from tebiki.web.devices.service import ingest
from tests.web.conftest import make_org

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_reads_what_to_fix_on_a_phone(browser, live_server, shot):
    org = make_org("サンプル商事")
    token, _ = EnrolmentToken.issue(org, "PCs", None)
    checks = {cid: {"verdict": "pass", "evidence": {"ok": True}} for cid in CHECK_IDS}
    checks["disk_encryption"] = {"verdict": "fail", "evidence": {"filevault": "Off"}}
    checks["screen_lock"] = {"verdict": "unknown", "reason": "macos/screenlock.txt was not captured",
                             "reason_code": "not_captured", "reason_params": {"name": "macos/screenlock.txt"}}
    stored = ingest(token, "phone-test-0001", {"key": "dev-mac-0001", "hostname": "sato-mbp", "os": "macos",
                                                "os_version": "15.1"}, dt.date(2026, 12, 1), checks, "capture")
    secret = DeviceLink.for_device(org.id, stored["device"])

    context = browser.new_context(base_url=live_server.url, locale="ja-JP", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"/d/{secret}/")
    assert page.inner_text("h1") == "自分の端末のチェック結果"
    failed = page.locator("article.my-check.failed")
    assert failed.count() == 1 and "ディスクの暗号化" in failed.inner_text()
    assert "「FileVault」で「オンにする」" in failed.locator(".steps").inner_text()
    assert "macos/screenlock.txt が取得されていません" in page.inner_text("article.my-check.unknown")
    assert "sh capture.sh " in page.inner_text("#check-again1")
    # nothing is wider than the phone: the commands wrap or scroll inside their box, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("my-device-phone", page)
    context.close()
