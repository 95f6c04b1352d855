"""Two-step sign-in pages: enrol a first authenticator, verify a code, replace the authenticator.

Every page here is reachable before the second step (MFAMiddleware lets /accounts/mfa/ through), so each view
decides itself what an unverified session may do: enrol only while the user has no confirmed authenticator,
verify always, replace never.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.web.audit import log as audit

from . import mfa


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


def _to(view: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"/accounts/mfa/{view}/?{urlencode({'next': _next(request)})}")


def _enrol_page(request: HttpRequest, device: TOTPDevice, form: CodeForm, replacing: bool) -> HttpResponse:
    return render(request, "accounts/mfa_setup.html", {
        "form": form, "qr": mfa.qr_data_uri(device), "secret": mfa.secret_text(device), "next": _next(request),
        "required": mfa.mfa_required(request.user), "replacing": replacing,
        "action": "/accounts/mfa/replace/" if replacing else "/accounts/mfa/setup/"},
        status=422 if form.errors else 200)


def _confirm(request: HttpRequest, device: TOTPDevice, form: CodeForm, action: str) -> HttpResponse | None:
    """Confirm *device* if the posted code is right: new recovery codes, audit *action*, session verified by it."""
    if not device.verify_token("".join(form.cleaned_data["code"].split())):
        form.add_error("code", _("That code is not right. Check the time on your phone and try the newest code."))
        return None
    with transaction.atomic():
        codes = mfa.confirm(device)
        audit.record(action, request=request)
    otp_login(request, device)
    return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _next(request)})


@require_http_methods(["GET", "POST"])
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol a first authenticator app: scan the QR code, type one code to prove it works."""
    if mfa.has_authenticator(request.user):  # never a second way in next to the existing authenticator
        return _to("replace" if request.user.is_verified() else "verify", request)
    device = mfa.pending_device(request.user) or mfa.new_pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (done := _confirm(request, device, form, "mfa.enrol")):
        return done
    return _enrol_page(request, device, form, replacing=False)


@require_http_methods(["GET", "POST"])
@login_required
def replace(request: HttpRequest) -> HttpResponse:
    """Replace the authenticator (new phone, lost phone): only from a session verified with it or a recovery code.

    GET asks for confirmation; POST `start` shows a new key; POST `code` confirms it, which removes the old
    authenticator and recovery codes.
    """
    if not mfa.has_authenticator(request.user):
        return _to("setup", request)
    if not request.user.is_verified():
        return _to("verify", request)
    if request.method == "GET":
        return render(request, "accounts/mfa_replace.html", {"next": _next(request)})
    if "start" in request.POST:
        return _enrol_page(request, mfa.new_pending_device(request.user), CodeForm(), replacing=True)
    device = mfa.pending_device(request.user)
    if device is None:
        return _to("replace", request)
    form = CodeForm(request.POST)
    if form.is_valid() and (done := _confirm(request, device, form, "mfa.replace")):
        return done
    return _enrol_page(request, device, form, replacing=True)


@require_http_methods(["GET", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator or one unused recovery code."""
    if not mfa.has_authenticator(request.user):
        return _to("setup", request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit.record("mfa.verify", request=request, data={"recovery_code": device.__class__.__name__ == "StaticDevice"})
            return redirect(_next(request))
        audit.record("mfa.failure", request=request)
        form.add_error("code", _("That code is not right."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next(request)},
                  status=422 if form.errors else 200)
