"""The organisation's API tokens page: issue (shown once, in the answer to the POST), list, revoke; all audited."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_objects, org_view
from tebiki.web.orgs.revoking import token_revoke_view

from .models import ApiToken


class ApiTokenForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    access = forms.ChoiceField(label=gettext_lazy("Access"), choices=ApiToken.Access.choices, initial=ApiToken.Access.READ)


@require_http_methods(["GET", "POST"])
@org_view("manage")
def tokens(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST issues one and shows it in this answer only (it is never stored in clear)."""
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            token, secret = ApiToken.issue(request.org, form.cleaned_data["label"], request.user,
                                           access=form.cleaned_data["access"])
            audit.record("api_token.create", request=request, organisation=request.org, target=token.label,
                         data={"hint": token.hint, "access": token.access})
        form = ApiTokenForm()
    api_url = request.build_absolute_uri(f"/api/v1/orgs/{request.org.id}/plan")
    return render(request, "orgapi/tokens.html", {
        "org": request.org, "form": form, "tokens": org_objects(request, ApiToken), "new_token": secret,
        "api_url": api_url}, status=422 if form.errors else 200)


revoke = token_revoke_view(
    ApiToken, action="api_token.revoke", then="api_tokens",
    message=gettext_lazy("API token revoked; scripts using it are refused from now on."))
