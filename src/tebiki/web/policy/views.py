"""The policy generator: managers set the choices section by section; every member downloads the rulebook and the sheet."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tebiki.catalog import get_catalog
from tebiki.core.errors import DataError
from tebiki.core.policy import candidates, parameter_values, parameters, parse_choices
from tebiki.core.rulebook import build_document
from tebiki.core.self_evaluation import self_evaluation
from tebiki.documents.policy_files import DOCX, XLSX, render_docx, render_xlsx
from tebiki.web.assessments.service import assessment_of
from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_view
from tebiki.web.reports.views import download, export_name
from tebiki.web.vocab import lang

from .forms import SECTION, SECTIONS, PolicySectionForm, Section
from .models import PolicySettings, choices_of, stored_choices


def _sections(org_id: int, stored: PolicySettings | None, current: str | None = None) -> list[dict]:
    saved = set(stored.saved_sections) if stored else set()
    return [{"section": s, "url": reverse(s.url_name, args=[org_id]), "saved": s.id in saved,
             "current": s.id == current} for s in SECTIONS]


@require_GET
@org_view(ready=True)
def index(request: HttpRequest) -> HttpResponse:
    """Downloads, what the rulebook holds, and (for managers) the sections with what has been saved."""
    catalog = get_catalog()
    org = request.org
    choices, stale = stored_choices(org)
    cands = candidates(catalog, assessment_of(org), choices)
    values = parameter_values(catalog, choices)
    params = [{"info": p, "value": values[p.name], "changed": values[p.name] != p.default}
              for p in parameters(catalog).values() if p.editable]
    stored = PolicySettings.objects.filter(organisation=org).select_related("updated_by").first()
    sections = _sections(org.id, stored)
    return render(request, "policy/index.html", {
        "org": org, "can_manage": request.membership.can_manage, "sections": sections,
        "saved_count": sum(s["saved"] for s in sections),
        "included": [c for c in cands if c.included], "params": params,
        "counts": {"shall": sum(c.included and c.level == "shall" for c in cands),
                   "chosen": sum(c.included and c.level in ("should", "may") for c in cands),
                   "rules": sum(c.included and c.kind == "rule" for c in cands),
                   "not_applicable": sum(not c.applies for c in cands)},
        "settings": stored, "stale": stale,
    })


@require_http_methods(["GET", "POST"])
@org_view("manage", ready=True)
def section(request: HttpRequest, section: str) -> HttpResponse:
    """One section's form: saving it replaces only its part of the choices, all or nothing."""
    catalog = get_catalog()
    org = request.org
    part = SECTION[section]
    choices, stale = stored_choices(org)
    cands = candidates(catalog, assessment_of(org), choices)
    form = PolicySectionForm(catalog, cands, choices, part, request.POST if request.method == "POST" else None,
                             lang=lang())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new = parse_choices(catalog, form.merged())  # the core has the last word on the whole
            except DataError as err:
                form.add_error(None, str(err.reason))
            else:
                _store(request, part, new)
                messages.success(request, _("“%(section)s” saved.") % {"section": part.title})
                following = SECTIONS[SECTIONS.index(part) + 1:]
                return redirect(following[0].url_name if following else "policy", org_id=org.id)
        status = 422
    stored = PolicySettings.objects.filter(organisation=org).first()
    sections = _sections(org.id, stored, part.id)
    return render(request, "policy/section.html", {
        "org": org, "form": form, "part": part, "sections": sections, "stale": stale,
        "number": SECTIONS.index(part) + 1, "saved_count": sum(s["saved"] for s in sections),
    }, status=status)


def _store(request: HttpRequest, part: Section, choices) -> None:
    with transaction.atomic():
        stored, _created = PolicySettings.objects.select_for_update().get_or_create(organisation=request.org)
        stored.choices = choices.model_dump(mode="json", exclude_defaults=True)
        stored.saved_sections = [s.id for s in SECTIONS if s.id in {*stored.saved_sections, part.id}]
        stored.updated_by, stored.updated_at = request.user, timezone.now()
        stored.save()
        audit.record("policy.change", request=request, organisation=request.org, target="policy",
                     data={"section": part.id, "parameters": choices.parameters, "include": choices.include})


def _download(request: HttpRequest, body: bytes, content_type: str, stem: str, ext: str) -> HttpResponse:
    return download(request, body, content_type, export_name(request, ext, stem))


@require_GET
@org_view(ready=True)
def policy_docx(request: HttpRequest) -> HttpResponse:
    org = request.org
    doc = build_document(get_catalog(), assessment_of(org), choices_of(org), timezone.localdate())
    return _download(request, render_docx(doc), DOCX, "policy", "docx")


@require_GET
@org_view(ready=True)
def self_evaluation_xlsx(request: HttpRequest) -> HttpResponse:
    org = request.org
    sheet = self_evaluation(get_catalog(), assessment_of(org), choices_of(org), timezone.localdate())
    return _download(request, render_xlsx(sheet), XLSX, "self-evaluation", "xlsx")
