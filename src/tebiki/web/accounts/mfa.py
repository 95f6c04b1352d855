"""Multi-factor sign-in with TOTP (django-otp): required for executives, administrators and consultants.

After the password, a user with a confirmed authenticator must enter a code; a user whose role needs
MFA and who has none is sent to enrolment first. Ten single-use recovery codes are shown once at enrolment.
"""

from __future__ import annotations

import base64
import io
import logging
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_save
from django.shortcuts import redirect
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.orgs.models import Membership, Role
from tebiki.web.sealed import Unsealable, is_sealed, seal, unseal

log = logging.getLogger(__name__)

MFA_ROLES = {Role.EXECUTIVE, Role.ADMIN, Role.CONSULTANT}
RECOVERY_CODES = 10
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/mfa/", "/i18n/", "/invite/", "/r/", "/w/", "/static/")


KEY_PURPOSE = "otp_totp.key"


def seal_totp_keys() -> None:
    """Keep TOTP keys sealed at rest (AppConfig.ready).

    django-otp stores the key in clear in TOTPDevice.key and reads it only through `bin_key`; keys are sealed
    before every save and opened there, so the database and its dumps (backups) hold only sealed keys. Keys
    stored before this (plain hex) keep working and are sealed by migration accounts.0002.
    """
    TOTPDevice.bin_key = property(_bin_key)
    pre_save.connect(_seal_key, sender=TOTPDevice, dispatch_uid="tebiki.seal_totp_key")


def _bin_key(device: TOTPDevice) -> bytes:
    return unseal(device.key, KEY_PURPOSE) if is_sealed(device.key) else unhexlify(device.key.encode())


def _seal_key(sender, instance: TOTPDevice, **kwargs) -> None:
    if not is_sealed(instance.key):
        instance.key = seal(unhexlify(instance.key.encode()), KEY_PURPOSE)
        if len(instance.key) > TOTPDevice._meta.get_field("key").max_length:
            raise ValueError("a TOTP key longer than 20 bytes does not fit the key column once sealed")


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
        try:
            if device.verify_is_allowed()[0] and device.verify_token(code):
                return device
        except Unsealable:  # recovery codes still work; the user then replaces the authenticator
            log.error("The TOTP key of %s cannot be opened: SECRET_KEY changed without SECRET_KEY_FALLBACKS",
                      device.persistent_id)
    return None
