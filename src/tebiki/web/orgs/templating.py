"""Organisation templates on the web: download one organisation's template; start a new organisation from one.

The file format and its checks are tebiki.documents.org_template; this module reads and stores organisations.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tebiki.catalog import get_catalog
from tebiki.core.errors import DataError, read_yaml
from tebiki.documents.org_template import OrgTemplate, parse_template, start_from, template_of
from tebiki.web.assessments.models import ItemChange, ItemRecord
from tebiki.web.assessments.service import STATE_FIELDS, assessment_of, refresh_summary
from tebiki.web.audit import log as audit

from .access import may, org_view
from .forms import OrganisationForm
from .models import Membership, Organisation, Role

MAX_TEMPLATE_BYTES = 1024 * 1024


def template_for(org: Organisation) -> OrgTemplate:
    """The organisation's template, labelled with its name and dated today."""
    from tebiki.web.policy.models import PolicySettings

    stored = PolicySettings.objects.filter(organisation=org).first()
    return template_of(get_catalog(), assessment_of(org), stored.choices if stored else {}, org.name,
                       timezone.localdate())


def template_sources(user) -> list[Organisation]:
    """The organisations *user* may take a template from: ready ones where their role may edit (as for download)."""
    ms = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")
    return [m.organisation for m in ms if may(m, "edit") and m.organisation.is_ready]


@require_GET
@org_view("edit", ready=True)
def template_download(request: HttpRequest) -> HttpResponse:
    from tebiki.web.reports.views import download, export_name

    body = json.dumps(template_for(request.org).dump(), ensure_ascii=False, indent=2).encode("utf-8")
    return download(request, body, "application/json", export_name(request, "json", "template"))


class TemplateStartForm(OrganisationForm):
    """A new organisation from one of the user's organisations or from a template file; exactly one of the two."""

    source = forms.TypedChoiceField(label=_("Copy the choices of"), required=False, coerce=int, empty_value=None)
    file = forms.FileField(label=_("or upload a template file (JSON)"), required=False,
                           help_text=_("A file downloaded from an organisation's profile page (Download as a template)."))

    def __init__(self, *args, sources: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = {o.id: o for o in sources}
        self.fields["source"].choices = [("", _("— choose an organisation —"))] + [(o.id, o.name) for o in sources]

    def _post_clean(self) -> None:
        """Link each field's error to the field (aria-describedby), with its help text when it has one."""
        super()._post_clean()
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                ids = [f"{self[name].auto_id}_error"] + ([f"{self[name].auto_id}_helptext"] if field.help_text else [])
                field.widget.attrs.update({"aria-describedby": " ".join(ids), "aria-invalid": "true"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        source, upload = data.get("source"), data.get("file")
        if (source is None) == (upload is None):
            raise forms.ValidationError(_("Choose one of your organisations or upload a template file (one of the two)."))
        if source is not None:
            try:  # built from the organisation, and checked like a file (records of an older catalog, …)
                data["template"] = parse_template(get_catalog(), template_for(self.sources[source]).dump(), "template")
            except DataError as err:
                self.add_error("source", _("This organisation cannot be used as a template: %(problem)s")
                               % {"problem": str(err)})
            return data
        if upload.size > MAX_TEMPLATE_BYTES:
            self.add_error("file", _("The file is larger than 1 MB."))
            return data
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
            data["template"] = parse_template(get_catalog(), read_yaml(text, upload.name), upload.name, text)
        except UnicodeDecodeError:
            self.add_error("file", _("The file is not UTF-8 text."))
        except DataError as err:
            self.add_error("file", _("This template cannot be used: %(problem)s") % {"problem": str(err)})
        return data


@transaction.atomic
def create_from_template(template: OrgTemplate, name: str, request: HttpRequest) -> Organisation:
    """The organisation, its creator as administrator, its decisions (with a first history entry) and policy choices."""
    from tebiki.web.policy.models import PolicySettings

    assessment, policy = start_from(template, name, timezone.localdate())
    org = Organisation.objects.create(name=name, profile=assessment.profile.model_dump(mode="json"))
    Membership.objects.create(user=request.user, organisation=org, role=Role.ADMIN)
    now = timezone.now()
    records, changes = [], []
    for s in assessment.items:
        values = {f: getattr(s, f) for f in STATE_FIELDS}
        records.append(ItemRecord(organisation=org, item=s.item, scope=s.scope, updated_by=request.user, updated_at=now,
                                  **{f: ("" if v is None and f != "deadline" else v) for f, v in values.items()}))
        values["deadline"] = s.deadline.isoformat() if s.deadline else None
        changes.append(ItemChange(organisation=org, item=s.item, scope=s.scope, changed_by=request.user, changed_at=now,
                                  state={f: ("" if v is None and f != "deadline" else v) for f, v in values.items()}))
    ItemRecord.objects.bulk_create(records)
    ItemChange.objects.bulk_create(changes)
    if policy:
        PolicySettings.objects.create(organisation=org, choices=policy, updated_by=request.user, updated_at=now)
    refresh_summary(org)
    audit.record("org.template_import", request=request, organisation=org, target=org.name,
                 data={"template": template.label, "exported_at": template.exported_at.isoformat(),
                       "choices": len(assessment.items), "policy": policy})
    return org


@require_POST
@login_required
def org_from_template(request: HttpRequest) -> HttpResponse:
    sources = template_sources(request.user)
    form = TemplateStartForm(request.POST, request.FILES, sources=sources, prefix="tpl")
    if form.is_valid() and "template" in form.cleaned_data:
        org = create_from_template(form.cleaned_data["template"], form.cleaned_data["name"].strip(), request)
        return redirect("setup_ready", org_id=org.id)
    return render(request, "orgs/new.html", {"form": OrganisationForm(), "template_form": form}, status=422)
