"""The policy generator page: managers set the choices; every member downloads the rulebook and the sheet."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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

from .forms import PolicyChoicesForm
from .models import PolicySettings, choices_of, stored_choices


def _page(request: HttpRequest, form: PolicyChoicesForm | None = None, status: int = 200) -> HttpResponse:
    catalog = get_catalog()
    org = request.org
    choices, stale = stored_choices(org)
    cands = candidates(catalog, assessment_of(org), choices)
    can_manage = request.membership.can_manage
    if form is None and can_manage:
        form = PolicyChoicesForm(catalog, cands, choices, lang=lang())
    values = parameter_values(catalog, choices)
    params = [{"info": p, "value": values[p.name], "changed": values[p.name] != p.default}
              for p in parameters(catalog).values() if p.editable]
    return render(request, "policy/index.html", {
        "org": org, "form": form if can_manage else None, "can_manage": can_manage,
        "included": [c for c in cands if c.included], "params": params,
        "counts": {"shall": sum(c.included and c.level == "shall" for c in cands),
                   "chosen": sum(c.included and c.level in ("should", "may") for c in cands),
                   "rules": sum(c.included and c.kind == "rule" for c in cands),
                   "not_applicable": sum(not c.applies for c in cands)},
        "settings": PolicySettings.objects.filter(organisation=org).select_related("updated_by").first(),
        "stale": stale,
    }, status=status)


@require_GET
@org_view(ready=True)
def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@org_view("manage")
def edit(request: HttpRequest) -> HttpResponse:
    catalog = get_catalog()
    org = request.org
    cands = candidates(catalog, assessment_of(org), choices_of(org))
    form = PolicyChoicesForm(catalog, cands, choices_of(org), request.POST, lang=lang())
    if not form.is_valid():
        return _page(request, form, status=422)
    data = form.to_choices()
    try:
        choices = parse_choices(catalog, data)  # the core has the last word; the form already checked the fields
    except DataError as err:
        form.add_error(None, str(err.reason))
        return _page(request, form, status=422)
    with transaction.atomic():
        stored, _created = PolicySettings.objects.select_for_update().get_or_create(organisation=org)
        stored.choices = choices.model_dump(mode="json", exclude_defaults=True)
        stored.updated_by, stored.updated_at = request.user, timezone.now()
        stored.save()
        audit.record("policy.change", request=request, organisation=org, target="policy",
                     data={"parameters": choices.parameters, "include": choices.include})
    messages.success(request, _("Policy choices saved."))
    return redirect("policy", org_id=org.id)


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
