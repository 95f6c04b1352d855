"""Multi-factor sign-in with TOTP (django-otp): required for executives, administrators and consultants.

After the password, a user with a confirmed authenticator must enter a code; a user whose role needs
MFA and who has none is sent to enrolment first. Ten single-use recovery codes are shown once at enrolment.
"""

from __future__ import annotations

import base64
import io

import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.orgs.models import Membership, Role

MFA_ROLES = {Role.EXECUTIVE, Role.ADMIN, Role.CONSULTANT}
RECOVERY_CODES = 10
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/mfa/", "/i18n/", "/invite/", "/r/", "/w/", "/static/")


def mfa_required(user) -> bool:
    return user.is_superuser or Membership.objects.filter(user=user, role__in=MFA_ROLES).exists()


class MFAMiddleware:
    """Between sign-in and the app: verify a second factor, or enrol one where the role needs it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not user.is_verified() and not request.path.startswith(OPEN_PREFIXES)
                and not request.path.startswith(getattr(settings, "TEBIKI_OPEN_PREFIXES", ()))):
            if user_has_device(user):
                return redirect(f"/accounts/mfa/verify/?next={request.get_full_path()}")
            if mfa_required(user):
                return redirect(f"/accounts/mfa/setup/?next={request.get_full_path()}")
        return self.get_response(request)


def has_authenticator(user) -> bool:
    """Whether *user* has a confirmed second factor (pending enrolments do not count)."""
    return user_has_device(user, confirmed=True)


def pending_device(user) -> TOTPDevice | None:
    """The unconfirmed authenticator being enrolled (one at a time), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def new_pending_device(user) -> TOTPDevice:
    """A fresh unconfirmed authenticator with a new key; any earlier pending one is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, drawn here (no third-party service sees the secret).

    A complete SVG document: an image loaded from a data: URI needs the SVG namespace, which segno's
    inline variant leaves out.
    """
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app by hand."""
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(b32[i:i + 4] for i in range(0, len(b32), 4))


@transaction.atomic
def confirm(device: TOTPDevice) -> list[str]:
    """Confirm the authenticator, drop older ones, and issue fresh recovery codes (returned once).

    Callers decide whether the session may do this: enrolment (no confirmed device) or replacement (verified).
    """
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def verify(user, code: str):
    """The device that accepts *code* (authenticator or an unused recovery code), or None."""
    code = "".join(code.split())
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None
