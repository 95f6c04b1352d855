from __future__ import annotations

import re
import time

import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.audit.models import AuditEntry


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)


def test_an_admin_without_an_authenticator_must_enrol_first(cast):
    c = cast.client(cast.admin, verified=False)
    r = c.get(reverse("dashboard", args=[cast.org.id]))
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/setup/")


def test_a_worker_is_not_forced_to_enrol(cast):
    r = cast.client(cast.worker, verified=False).get(reverse("dashboard", args=[cast.org.id]))
    assert r.status_code == 200


def test_enrolment_shows_a_local_qr_code_and_confirms_with_a_code(cast):
    c = cast.client(cast.admin, verified=False)
    page = c.get("/accounts/mfa/setup/?next=/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # drawn here, no external QR service
    device = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
    r = c.post("/accounts/mfa/setup/", {"code": code_for(device), "next": "/"})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", r.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert c.get(reverse("dashboard", args=[cast.org.id])).status_code == 200
    assert AuditEntry.objects.filter(action="mfa.enrol", actor=cast.admin.email).exists()


def test_a_wrong_enrolment_code_confirms_nothing(cast):
    c = cast.client(cast.admin, verified=False)
    c.get("/accounts/mfa/setup/")
    r = c.post("/accounts/mfa/setup/", {"code": "000000"})
    assert r.status_code == 422 and "field-error" in r.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.admin, confirmed=True).exists()


def enrolled(cast, user):
    c = cast.client(user, verified=False)
    c.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    codes = re.findall(r"<li><code>(\w+)</code></li>",
                       c.post("/accounts/mfa/setup/", {"code": code_for(device)}).content.decode())
    device.refresh_from_db()
    return device, codes


def test_signing_in_again_asks_for_a_code(cast):
    device, _ = enrolled(cast, cast.admin)
    c = cast.client(cast.admin, verified=False)
    r = c.get(reverse("checklist", args=[cast.org.id]))
    assert r["Location"].startswith("/accounts/mfa/verify/")
    assert c.post("/accounts/mfa/verify/", {"code": "123456", "next": "/"}).status_code == 422
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    with time_machine.travel(time.time() + device.step, tick=False):  # a code is accepted once; take the next one
        r = c.post("/accounts/mfa/verify/", {"code": code_for(device), "next": reverse("checklist", args=[cast.org.id])})
    assert r["Location"] == reverse("checklist", args=[cast.org.id])


def test_the_enrolment_code_cannot_be_replayed(cast):
    device, _ = enrolled(cast, cast.admin)
    r = cast.client(cast.admin, verified=False).post("/accounts/mfa/verify/", {"code": code_for(device)})
    assert r.status_code == 422


def test_a_recovery_code_works_once(cast):
    _, codes = enrolled(cast, cast.admin)
    first = cast.client(cast.admin, verified=False)
    assert first.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    second = cast.client(cast.admin, verified=False)
    assert second.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 422


def test_next_cannot_send_the_user_to_another_site(cast):
    _, codes = enrolled(cast, cast.admin)
    r = cast.client(cast.admin, verified=False).post("/accounts/mfa/verify/",
                                                     {"code": codes[1], "next": "https://evil.example/"})
    assert r["Location"] == "/"
