from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tebiki.web.audit import log as audit
from tebiki.web.orgs.forms import OrganisationForm
from tebiki.web.orgs.models import Invitation, Membership, Organisation, Role

from .forms import SignUpForm, StartForm


class LoginView(auth_views.LoginView):
    """Django's sign-in, offering 「新しく始める」 where the installation lets newcomers start on their own."""

    redirect_authenticated_user = True
    http_method_names = ["get", "post"]  # FormView would take PUT as a POST

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "signup_open": settings.SIGNUP_OPEN}


def _too_many_starts(request: HttpRequest) -> bool:
    """Count this address's start submissions in the cache for an hour; True beyond SIGNUP_PER_HOUR."""
    key = f"tebiki:start:{audit.client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > settings.SIGNUP_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return False


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """「新しく始める」: your account and your organisation in one form, then two-step enrolment, then set-up."""
    if not settings.SIGNUP_OPEN:
        raise Http404
    if request.user.is_authenticated:
        return redirect("org_new")
    form = StartForm(request.POST or None)
    org_form = OrganisationForm(request.POST or None, prefix="org")
    if request.method == "POST":
        if _too_many_starts(request):
            form.add_error(None, _("Too many attempts from this address. Try again in an hour."))
            return render(request, "accounts/start.html", {"form": form, "org_form": org_form}, status=429)
        if form.is_valid() and org_form.is_valid():
            User = get_user_model()
            try:
                with transaction.atomic():
                    user = User.objects.create_user(form.cleaned_data["email"], form.cleaned_data["password1"],
                                                    name=form.cleaned_data["name"].strip())
                    org = Organisation.objects.create(name=org_form.cleaned_data["name"].strip())
                    Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)
                    audit.record("account.start", actor=user, request=request, organisation=org, target=user.email)
                    audit.record("org.create", actor=user, request=request, organisation=org, target=org.name)
            except IntegrityError:  # the same email submitted twice at once
                form.add_error("email", _("This email already has an account. Sign in instead."))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(reverse("mfa_setup") + "?next=" + reverse("setup_profile", args=[org.id]))
    return render(request, "accounts/start.html", {"form": form, "org_form": org_form},
                  status=422 if form.errors or org_form.errors else 200)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: a signed-in user joins; a newcomer creates an account for the invited email."""
    inv = Invitation.objects.by_token(token)
    if inv is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    User = get_user_model()
    existing = User.objects.filter(email=inv.email).first()
    if request.user.is_authenticated or existing:
        if not request.user.is_authenticated:
            messages.info(request, _("Sign in as %(email)s to accept the invitation.") % {"email": inv.email})
            return redirect(f"/accounts/login/?next={request.path}")
        if request.user.email != inv.email:
            return render(request, "accounts/invitation_invalid.html", {"wrong_user": True}, status=403)
        if request.method == "POST":
            _join(inv, request.user)
            return redirect("dashboard", org_id=inv.organisation_id)
        return render(request, "accounts/accept.html", {"inv": inv})
    form = SignUpForm(request.POST or None, email=inv.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = User.objects.create_user(inv.email, form.cleaned_data["password1"], name=form.cleaned_data["name"])
                _join(inv, user)
        except IntegrityError:
            return render(request, "accounts/invitation_invalid.html", status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("dashboard", org_id=inv.organisation_id)
    return render(request, "accounts/signup.html", {"inv": inv, "form": form}, status=422 if form.errors else 200)


def _join(inv: Invitation, user) -> None:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=inv.pk)
        if locked.state != "open":
            return
        Membership.objects.update_or_create(user=user, organisation=inv.organisation, defaults={"role": inv.role})
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        audit.record("invitation.accept", actor=user, organisation=inv.organisation, target=inv.email,
                     data={"role": inv.role, "invitation": inv.id})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with an audit entry written in the same transaction."""

    success_url = "/"
    http_method_names = ["get", "post"]

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record("auth.password_change", request=self.request)
        return response
