from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tebiki.web.audit import log as audit
from tebiki.web.orgs.models import Invitation, Membership

from .forms import SignUpForm


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

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record("auth.password_change", request=self.request)
        return response
