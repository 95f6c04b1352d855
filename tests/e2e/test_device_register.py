"""An administrator corrects a terminal's owner in the register and retires another one, in Chromium.

Screenshot: artifacts/screenshots/device-manage.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.audit.models import AuditEntry
from tebiki.web.devices.models import Device
from tebiki.web.orgs.management.commands.demo import DEMO, add_devices
from tests.e2e.test_journey import at, sign_in
from tests.web.conftest import make_org, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_corrects_an_owner_and_retires_a_device(page, shot):
    org = make_org("サンプル商事")
    admin = make_user("admin@sample.example", org)
    mfa = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    add_devices(org, admin, yaml.safe_load(DEMO.read_text(encoding="utf-8"))["devices"], dt.date(2026, 12, 1))

    sign_in(page, "admin@sample.example")
    at(page, "/accounts/mfa/verify/", query=True)
    page.fill("input[name=code]", f"{totp(mfa.bin_key):06d}")
    page.click("main form button.primary")
    page.wait_for_load_state()

    page.goto(f"/o/{org.id}/devices/")
    page.click("text=takahashi-mbp")
    page.fill("form.device-form input[name=owner]", "営業部 高橋")
    page.select_option("form.device-form select[name=ownership]", "company")
    page.click("form.device-form button")
    page.wait_for_load_state()
    assert "保存しました。" in page.inner_text(".messages")
    dev = Device.objects.get(organisation=org, hostname="takahashi-mbp")
    assert (dev.owner, dev.ownership) == ("営業部 高橋", "company")
    assert "会社支給" in page.inner_text("main h1")
    page.click("details.danger summary")
    shot("device-manage")

    page.click("details.danger button.danger")
    at(page, f"/o/{org.id}/devices/")
    assert "takahashi-mbp" in page.inner_text(".messages")
    assert "takahashi-mbp" not in page.inner_text("table.devices")
    assert not Device.objects.filter(organisation=org, hostname="takahashi-mbp").exists()
    assert AuditEntry.objects.filter(action="device.remove", target="takahashi-mbp").exists()


@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_reader_narrows_the_register_from_the_fleet_summary_and_by_name(page, shot, size):
    from tebiki.web.orgs.models import Role

    org = make_org("サンプル商事")
    admin = make_user("admin@sample.example", org)
    make_user("viewer@sample.example", org, Role.VIEWER)
    add_devices(org, admin, yaml.safe_load(DEMO.read_text(encoding="utf-8"))["devices"], dt.date(2026, 12, 1))
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, "viewer@sample.example")
    page.wait_for_load_state()
    page.goto(f"/o/{org.id}/devices/")

    def listed() -> list[str]:
        return page.locator("table.devices tbody tr td:first-child a").all_inner_texts()

    assert len(listed()) == 5
    page.click('a[href="?check=os_updates&verdict=fail#devices"]')  # the demo's two terminals behind on updates
    at(page, f"/o/{org.id}/devices/", query=True)
    assert sorted(listed()) == ["EIGYO-NB05", "SOUMU-PC02"]
    assert "2 台を表示" in page.inner_text("#devices-shown")
    page.fill("form.filters input[name=q]", "高橋")
    page.click("form.filters button")
    page.wait_for_load_state()
    assert listed() == ["EIGYO-NB05"]  # 高橋's laptop is up to date; the filters add up
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways page scroll
    shot(f"device-register-filtered-{size[0]}")
