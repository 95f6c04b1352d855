from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from tebiki.web.audit import log as audit

from . import mfa


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


@require_http_methods(["GET", "POST"])
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, type one code to prove it works."""
    if request.user.is_verified() is False and mfa.user_has_device(request.user) and request.method == "GET" \
            and "again" not in request.GET:
        return redirect(f"/accounts/mfa/verify/?next={_next(request)}")
    device = mfa.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            with transaction.atomic():
                codes = mfa.confirm(device)
                audit.record("mfa.enrol", request=request)
            otp_login(request, device)
            return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _("That code is not right. Check the time on your phone and try the newest code."))
    return render(request, "accounts/mfa_setup.html", {
        "form": form, "qr": mfa.qr_data_uri(device), "secret": mfa.secret_text(device), "next": _next(request),
        "required": mfa.mfa_required(request.user)}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
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
