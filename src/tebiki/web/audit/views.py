"""The organisation's audit trail, for its executive and administrators: a page and a CSV export."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tebiki.documents.report import safe_cell
from tebiki.web.orgs.access import org_view
from tebiki.web.paging import page_of

from . import log
from .models import AuditEntry


def _entries(request: HttpRequest):
    return AuditEntry.objects.filter(organisation_id=request.org.id).order_by("-seq")


@require_GET
@org_view("manage")
def audit_log(request: HttpRequest) -> HttpResponse:
    page = page_of(request, _entries(request), 100)
    return render(request, "audit/log.html", {"org": request.org, "page": page})


@require_GET
@org_view("manage")
def audit_csv(request: HttpRequest) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(["seq", "at", "actor", "action", "target", "ip", "data", "hash"])
    for e in _entries(request).iterator():
        w.writerow([safe_cell(v) for v in (e.seq, e.at.isoformat(), e.actor, e.action, e.target, e.ip or "",
                                           e.data, e.hash)])
    log.record("audit.export", request=request, organisation=request.org)
    resp = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="tebiki-audit-{request.org.id}-{timezone.localdate()}.csv"'
    return resp
