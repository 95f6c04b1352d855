"""A consultant starts a new client from an existing one's template, and an administrator records that the basic
policy was published, in Chromium.

Screenshots: artifacts/screenshots/org-from-template.png, org-from-template-phone.png, security-action-policy.png.
"""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.assessments.service import save_item
from tebiki.web.audit.models import AuditEntry
from tebiki.web.orgs.models import Organisation, Role
from tests.e2e.test_journey import at, sign_in
from tests.web.conftest import make_org, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in(page, email: str, user) -> None:
    mfa = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(page, email)
    at(page, "/accounts/mfa/verify/", query=True)
    page.fill("input[name=code]", f"{totp(mfa.bin_key):06d}")
    page.click("main form button.primary")
    page.wait_for_load_state()


def test_a_consultant_starts_a_client_from_a_template_and_records_the_policy(page, shot):
    client = make_org("サンプル商事")
    consultant = make_user("consultant@sample.example", client, Role.CONSULTANT)
    first = client.get_profile().departments[0].id
    save_item(client, "mic-v5:worker:C-1", first, {"decision": "not_needed", "reason": "端末は貸与しない"}, consultant)
    _signed_in(page, "consultant@sample.example", consultant)

    page.goto("/orgs/new/")
    page.fill("#id_tpl-name", "東西工業")
    page.click("#from-template button")  # neither an organisation nor a file: the error is announced
    page.wait_for_load_state()
    assert "どちらか一方" in page.inner_text("#from-template [role=alert]")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("org-from-template-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("#id_tpl-name", "東西工業")
    page.select_option("#id_tpl-source", str(client.id))
    shot("org-from-template")
    page.click("#from-template button")
    page.wait_for_load_state()
    new = Organisation.objects.get(name="東西工業")
    assert page.url.endswith(f"/o/{new.id}/setup/ready/")
    assert new.records.get().reason == "端末は貸与しない"
    assert AuditEntry.objects.filter(action="org.template_import", organisation_id=new.id).exists()

    save_item(new, "mic-v5:executive:A-1", "organisation", {"status": "done"}, consultant)
    page.goto(f"/o/{new.id}/reports/security-action/")
    page.fill("#id_bp-published_on", "2026-11-20")
    page.fill("#id_bp-where", "自社サイトの会社案内")
    page.click("#basic-policy-published button")
    page.wait_for_load_state()
    assert "2026-11-20 に公開" in page.inner_text("#star-2-policy")
    page.locator("#star-2").scroll_into_view_if_needed()
    shot("security-action-policy")
