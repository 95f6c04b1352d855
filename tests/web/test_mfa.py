from __future__ import annotations

import base64
import io
import re
import time
from importlib import import_module
from xml.etree import ElementTree

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.audit.models import AuditEntry

from .conftest import PASSWORD


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


# --- The password alone never gets past the second step (issue 14, item 1) --------------------------------------

def password_only(cast, user):
    """A session after the real sign-in form, before any code: what someone holding only the password has."""
    c = Client()
    r = c.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert r.status_code == 302
    return c


def owner_is_intact(user, device: TOTPDevice, codes: list[str]) -> None:
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [device]
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(codes)


def is_verified(c, cast) -> bool:
    return c.get(reverse("dashboard", args=[cast.org.id])).status_code == 200


def test_the_reported_bypass_fails(cast):
    device, codes = enrolled(cast, cast.executive)
    c = password_only(cast, cast.executive)
    r = c.get("/accounts/mfa/setup/?again=1")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/verify/")
    assert not TOTPDevice.objects.filter(user=cast.executive, confirmed=False).exists()  # no new key was made
    attacker = TOTPDevice.objects.create(user=cast.executive, name="planted", confirmed=False)  # even if one existed
    r = c.post("/accounts/mfa/setup/", {"code": code_for(attacker)})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/verify/")
    assert c.get(reverse("audit_csv", args=[cast.org.id]))["Location"].startswith("/accounts/mfa/verify/")
    assert not is_verified(c, cast)
    owner_is_intact(cast.executive, device, codes)
    assert not AuditEntry.objects.filter(action="mfa.replace").exists()


@pytest.mark.parametrize("method,path,data", [
    ("get", "/accounts/mfa/setup/", None),
    ("get", "/accounts/mfa/setup/?again=1", None),
    ("post", "/accounts/mfa/setup/", {"code": "PENDING"}),
    ("post", "/accounts/mfa/setup/?again=1", {"code": "PENDING"}),
    ("get", "/accounts/mfa/replace/", None),
    ("post", "/accounts/mfa/replace/", {"start": "1"}),
    ("post", "/accounts/mfa/replace/", {"code": "PENDING"}),
])
def test_an_unverified_session_cannot_add_or_replace_an_authenticator(cast, method, path, data):
    device, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    pending = TOTPDevice.objects.create(user=cast.admin, name="pending", confirmed=False)
    if data:
        data = {k: code_for(pending) if v == "PENDING" else v for k, v in data.items()}
    r = getattr(c, method)(path, data)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/verify/")
    assert "mfa-secret" not in r.content.decode()
    owner_is_intact(cast.admin, device, codes)
    assert not is_verified(c, cast)


def test_a_pending_authenticator_never_verifies(cast):
    device, codes = enrolled(cast, cast.admin)
    pending = TOTPDevice.objects.create(user=cast.admin, name="pending", confirmed=False)
    c = password_only(cast, cast.admin)
    assert c.post("/accounts/mfa/verify/", {"code": code_for(pending)}).status_code == 422
    assert not is_verified(c, cast)
    assert AuditEntry.objects.filter(action="mfa.failure", actor=cast.admin.email).exists()


def test_a_verified_session_is_sent_from_setup_to_replace(cast):
    _, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    assert c.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 302
    for r in (c.get("/accounts/mfa/setup/?again=1"), c.post("/accounts/mfa/setup/", {"code": "123456"})):
        assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/replace/")
    assert TOTPDevice.objects.filter(user=cast.admin).count() == 1


def test_replacing_from_a_recovery_code_session_is_explicit_and_audited(cast):
    old, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    assert c.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 302  # the phone is lost
    page = c.get("/accounts/mfa/replace/")
    assert page.status_code == 200 and 'name="start"' in page.content.decode()
    assert "mfa-secret" not in page.content.decode()  # a GET only asks; no key yet
    assert not TOTPDevice.objects.filter(user=cast.admin, confirmed=False).exists()
    assert c.post("/accounts/mfa/replace/", {"start": "1"}).status_code == 200
    new = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
    assert c.post("/accounts/mfa/replace/", {"code": "000000"}).status_code == 422
    owner_is_intact(cast.admin, old, codes[1:])  # a wrong code changes nothing
    new.throttling_failure_count, new.throttling_failure_timestamp = 0, None
    new.save()
    r = c.post("/accounts/mfa/replace/", {"code": code_for(new), "next": "/orgs/"})
    fresh = re.findall(r"<li><code>(\w+)</code></li>", r.content.decode())
    assert r.status_code == 200 and len(fresh) == 10 and not set(fresh) & set(codes)
    assert list(TOTPDevice.objects.filter(user=cast.admin)) == [new] and TOTPDevice.objects.get(pk=new.pk).confirmed
    assert is_verified(c, cast)  # the session now rests on the new authenticator
    assert AuditEntry.objects.filter(action="mfa.replace", actor=cast.admin.email).count() == 1
    assert password_only(cast, cast.admin).post("/accounts/mfa/verify/", {"code": fresh[0]}).status_code == 302
    assert password_only(cast, cast.admin).post("/accounts/mfa/verify/", {"code": codes[1]}).status_code == 422


def test_replacing_without_starting_shows_the_confirmation_again(cast):
    _, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    c.post("/accounts/mfa/verify/", {"code": codes[0]})
    r = c.post("/accounts/mfa/replace/", {"code": "123456"})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/replace/")


def test_starting_a_replacement_again_drops_the_earlier_key(cast):
    _, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    c.post("/accounts/mfa/verify/", {"code": codes[0]})
    c.post("/accounts/mfa/replace/", {"start": "1"})
    first = TOTPDevice.objects.get(user=cast.admin, confirmed=False)
    c.post("/accounts/mfa/replace/", {"start": "1"})
    assert not TOTPDevice.objects.filter(pk=first.pk).exists()
    assert c.post("/accounts/mfa/replace/", {"code": code_for(first)}).status_code == 422


@pytest.mark.parametrize("path", ["/accounts/mfa/verify/", "/accounts/mfa/replace/"])
def test_a_user_without_an_authenticator_is_sent_to_enrolment(cast, path):
    c = password_only(cast, cast.admin)
    for r in (c.get(path), c.post(path, {"code": "123456", "start": "1"})):
        assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/setup/")
    assert not TOTPDevice.objects.filter(user=cast.admin, confirmed=True).exists()


def test_a_user_without_an_authenticator_keeps_one_key_while_enrolling(cast):
    c = password_only(cast, cast.worker)
    def key():
        return re.search(r'id="mfa-secret">([^<]+)<', c.get("/accounts/mfa/setup/").content.decode()).group(1)
    assert key() == key()
    assert TOTPDevice.objects.filter(user=cast.worker).count() == 1


def test_wrong_codes_lock_the_codes_for_a_while(cast):
    device, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    with time_machine.travel(time.time() + 10 * device.step, tick=False) as clock:
        for _ in range(3):
            assert c.post("/accounts/mfa/verify/", {"code": "000000"}).status_code == 422
        assert c.post("/accounts/mfa/verify/", {"code": code_for(device)}).status_code == 422  # right, but locked
        assert c.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 422  # recovery codes too
        assert codes[0] in StaticToken.objects.values_list("token", flat=True)  # refused, so not used up
        clock.shift(device.step)  # the delay doubles per failure: 4 s after three
        assert c.post("/accounts/mfa/verify/", {"code": code_for(device)}).status_code == 302


@pytest.mark.parametrize("path", ["/accounts/mfa/setup/", "/accounts/mfa/verify/", "/accounts/mfa/replace/"])
def test_mfa_pages_need_a_signed_in_user_and_refuse_other_methods(cast, path):
    assert Client().get(path)["Location"].startswith("/accounts/login/")
    assert cast.client(cast.admin).put(path).status_code == 405


def test_the_qr_code_is_a_complete_svg_document(cast):
    page = cast.client(cast.worker, verified=False).get("/accounts/mfa/setup/").content.decode()
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    root = ElementTree.fromstring(base64.b64decode(uri))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"  # an <img> shows only namespaced SVG
    assert int(root.get("width")) > 100


# --- TOTP keys are sealed at rest (issue 14, item 9) ------------------------------------------------------------

def stored_key(device: TOTPDevice) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return cur.fetchone()[0]


def test_totp_keys_are_stored_sealed_and_still_verify(cast):
    device, _ = enrolled(cast, cast.admin)
    plain = device.bin_key.hex()
    assert stored_key(device).startswith("s1:") and plain not in stored_key(device)
    out = io.StringIO()
    call_command("dumpdata", "otp_totp", stdout=out)  # what a backup holds
    assert plain not in out.getvalue()
    with time_machine.travel(time.time() + device.step, tick=False):
        assert password_only(cast, cast.admin).post("/accounts/mfa/verify/", {"code": code_for(device)}).status_code == 302


def test_the_migration_seals_keys_stored_in_clear(cast):
    device, _ = enrolled(cast, cast.admin)
    plain = device.bin_key.hex()
    TOTPDevice.objects.filter(pk=device.pk).update(key=plain)  # as stored before sealing (no save signal)
    assert TOTPDevice.objects.get(pk=device.pk).bin_key.hex() == plain  # a plain key still works meanwhile
    state = MigrationExecutor(connection).loader.project_state(("accounts", "0002_seal_totp_keys"), at_end=False).apps
    import_module("tebiki.web.accounts.migrations.0002_seal_totp_keys").seal_keys(state, None)
    assert stored_key(device).startswith("s1:") and TOTPDevice.objects.get(pk=device.pk).bin_key.hex() == plain


def test_after_a_secret_key_change_without_fallback_recovery_codes_still_sign_in(cast, settings, caplog):
    device, codes = enrolled(cast, cast.admin)
    with time_machine.travel(time.time() + device.step, tick=False):
        right = code_for(device)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a completely new secret key " * 3, []
    c = password_only(cast, cast.admin)
    with time_machine.travel(time.time() + device.step, tick=False):
        assert c.post("/accounts/mfa/verify/", {"code": right}).status_code == 422
    assert "SECRET_KEY_FALLBACKS" in caplog.text
    assert c.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 422  # throttled by that failure
    with time_machine.travel(time.time() + 5 * device.step, tick=False):
        assert c.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 302


def test_a_sealed_key_fits_the_key_column(cast):
    device = TOTPDevice.objects.create(user=cast.admin, name="x", confirmed=True)
    assert len(stored_key(device)) <= TOTPDevice._meta.get_field("key").max_length
    assert len(device.bin_key) == 20


def test_a_wrong_code_from_a_verified_session_changes_nothing(cast):
    _, codes = enrolled(cast, cast.admin)
    c = password_only(cast, cast.admin)
    assert c.post("/accounts/mfa/verify/", {"code": codes[0]}).status_code == 302
    assert c.get("/accounts/mfa/verify/").status_code == 200
    assert c.post("/accounts/mfa/verify/", {"code": "000000"}).status_code == 422
    assert is_verified(c, cast) and TOTPDevice.objects.filter(user=cast.admin, confirmed=True).count() == 1
