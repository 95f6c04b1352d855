"""The incident log for editors and managers: list with a status filter, one incident with its timeline."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tebiki.catalog import get_catalog
from tebiki.core.incidents import OPEN_STATUSES, situations
from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_objects, org_view
from tebiki.web.sealed import show_once, take_once

from ..forms import FilterForm, LinksForm, NoteForm, StatusForm
from ..models import Incident, ReportLink, Status
from ..service import add_note, change_status, set_links


@require_GET
@org_view("edit")
def incidents(request: HttpRequest) -> HttpResponse:
    f = FilterForm(request.GET)
    status = f.cleaned_data["status"] if f.is_valid() else ""
    qs = org_objects(request, Incident)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    counts = dict(org_objects(request, Incident).order_by().values_list("status").annotate(n=Count("id")))
    can_manage = request.membership.can_manage
    link = org_objects(request, ReportLink).first() if can_manage else None
    in_grace = list(org_objects(request, ReportLink).usable().exclude(pk=link.pk)) if link else []
    new_token = take_once(request, "new_report_token") if can_manage else None
    return render(request, "incidents/log.html", {
        "org": request.org, "incidents": qs[:500], "filter": f, "status": status, "counts": counts, "statuses": Status.choices,
        "situations": {s.id: s for s in situations().situations}, "can_manage": can_manage, "link": link,
        "in_grace": in_grace,
        "new_url": request.build_absolute_uri(reverse("public_report", args=[new_token])) if new_token else None,
    })


def _incident_or_404(request: HttpRequest, incident_id: int) -> Incident:
    incident = org_objects(request, Incident).filter(id=incident_id).first()
    if incident is None:
        raise Http404
    return incident


def _detail(request: HttpRequest, incident: Incident, status_form=None, note_form=None, links_form=None,
            code: int = 200) -> HttpResponse:
    catalog = get_catalog()
    return render(request, "incidents/incident.html", {
        "org": request.org, "incident": incident, "situation": situations().get(incident.situation),
        "events": incident.events.all(),
        "cases": [catalog.by_id[c] for c in incident.trouble_cases if c in catalog.by_id],
        "measures": [catalog.by_id[m] for m in incident.measures if m in catalog.by_id],
        "status_form": status_form or StatusForm(initial={"status": incident.status}),
        "note_form": note_form or NoteForm(),
        "links_form": links_form or LinksForm(initial={"trouble_cases": incident.trouble_cases,
                                                       "measures": incident.measures}),
    }, status=code)


@require_GET
@org_view("edit")
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _detail(request, _incident_or_404(request, incident_id))


@require_POST
@org_view("edit")
def incident_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    obj = _incident_or_404(request, incident_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, obj, status_form=form, code=422)
    if change_status(obj, form.cleaned_data["status"], form.cleaned_data["note"], request=request):
        messages.success(request, _("Status saved."))
    return redirect("incident", org_id=request.org.id, incident_id=obj.id)


@require_POST
@org_view("edit")
def incident_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    obj = _incident_or_404(request, incident_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, obj, note_form=form, code=422)
    add_note(obj, form.cleaned_data["note"], request=request)
    return redirect(reverse("incident", args=[request.org.id, obj.id]) + "#timeline")


@require_POST
@org_view("edit")
def incident_links(request: HttpRequest, incident_id: int) -> HttpResponse:
    obj = _incident_or_404(request, incident_id)
    form = LinksForm(request.POST)
    if not form.is_valid():
        return _detail(request, obj, links_form=form, code=422)
    cases, measures = form.ordered()
    if set_links(obj, cases, measures, request=request):
        messages.success(request, _("Related cases and measures saved."))
    return redirect("incident", org_id=request.org.id, incident_id=obj.id)


@require_POST
@org_view("manage")
def issue_link(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        earlier = list(org_objects(request, ReportLink).usable().values_list("hint", flat=True))
        link, token = ReportLink.issue(request.org, request.user)
        audit.record("report_link.issue", request=request, organisation=request.org, target=link.hint,
                     data={"expires": link.expires_at.isoformat(), "earlier_in_grace": earlier})
    if earlier:
        until = timezone.localtime(timezone.now() + ReportLink.GRACE)
        messages.warning(request, _("The previous link keeps working until %(date)s. Replace printed cards and "
                                    "shared copies before then, or revoke it now if it leaked.")
                         % {"date": date_format(until, "SHORT_DATE_FORMAT")})
    show_once(request, "new_report_token", token)  # shown once on the next page, then gone; sealed meanwhile
    return redirect(reverse("incidents", args=[request.org.id]) + "#report-link")


@require_POST
@org_view("manage")
def revoke_link(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        n = org_objects(request, ReportLink).filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        if n:
            audit.record("report_link.revoke", request=request, organisation=request.org, target="", data={"links": n})
    if n:
        messages.success(request, _("Report link revoked; it no longer opens the form."))
    return redirect(reverse("incidents", args=[request.org.id]) + "#report-link")
