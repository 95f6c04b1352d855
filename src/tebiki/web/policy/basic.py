"""The 情報セキュリティ基本方針: every member downloads it; an administrator records that it was published."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tebiki.catalog import get_catalog
from tebiki.core.basic_policy import build_basic_policy
from tebiki.documents.basic_policy import render_basic_policy
from tebiki.documents.policy_files import DOCX
from tebiki.web.assessments.service import assessment_of
from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_view
from tebiki.web.reports.views import download, export_name

from .models import PolicySettings, choices_of


class PublishedForm(forms.Form):
    published_on = forms.DateField(label=gettext_lazy("Published on"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    where = forms.CharField(label=gettext_lazy("Where it is published (web page, notice board …)"), max_length=200,
                            required=False)

    def clean_published_on(self):
        day = self.cleaned_data["published_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future; record the publication once it is done."))
        return day

    def _post_clean(self) -> None:
        super()._post_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-describedby": f"{self[name].auto_id}_error",
                                                       "aria-invalid": "true"})


def published_form(org) -> PublishedForm:
    """The form with what is recorded now."""
    stored = PolicySettings.objects.filter(organisation=org).first()
    initial = {"published_on": stored.basic_policy_published_on, "where": stored.basic_policy_published_where} \
        if stored else {}
    return PublishedForm(initial=initial, prefix="bp")


@require_GET
@org_view(ready=True)
def basic_policy_docx(request: HttpRequest) -> HttpResponse:
    org = request.org
    doc = build_basic_policy(get_catalog(), assessment_of(org), choices_of(org), timezone.localdate())
    return download(request, render_basic_policy(doc), DOCX, export_name(request, "docx", "basic-policy"))


@require_POST
@org_view("manage", ready=True)
def basic_policy_published(request: HttpRequest) -> HttpResponse:
    org = request.org
    form = PublishedForm(request.POST, prefix="bp")
    if not form.is_valid():
        from tebiki.web.reports.views import security_action_page

        return security_action_page(request, form, status=422)
    with transaction.atomic():
        stored, _created = PolicySettings.objects.select_for_update().get_or_create(organisation=org)
        stored.basic_policy_published_on = form.cleaned_data["published_on"]
        stored.basic_policy_published_where = form.cleaned_data["where"].strip()
        stored.save(update_fields=["basic_policy_published_on", "basic_policy_published_where"])
        audit.record("policy.basic_published", request=request, organisation=org, target="basic policy",
                     data={"published_on": stored.basic_policy_published_on.isoformat(),
                           "where": stored.basic_policy_published_where})
    messages.success(request, _("The publication of the basic policy is recorded."))
    return redirect(reverse("security_action", args=[org.id]) + "#star-2-policy")
