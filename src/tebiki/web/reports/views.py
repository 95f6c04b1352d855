"""Downloads of an organisation's assessment: xlsx, printable HTML, PDF (Chromium) and CSV."""

from __future__ import annotations

import csv
import io
import json
import logging
import subprocess
import tempfile
import threading
from pathlib import Path

import yaml
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tebiki.catalog import get_catalog
from tebiki.core.vocabulary import CATALOG_ROLE, DECISION, LEVEL, STATUS
from tebiki.documents.report import html_report, safe_cell, xlsx_report
from tebiki.web.assessments.service import plan_of
from tebiki.web.audit import log as audit
from tebiki.web.devices.service import contradictions
from tebiki.web.orgs.access import org_view
from tebiki.web.vocab import label, lang

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_name(request: HttpRequest, ext: str, stem: str = "") -> str:
    """tebiki-<org id>[-<stem>]-<today>.<ext>: the name of every export of an organisation's data."""
    return f"tebiki-{request.org.id}{'-' + stem if stem else ''}-{timezone.localdate().isoformat()}.{ext}"


def download(request: HttpRequest, body: bytes, content_type: str, filename: str) -> HttpResponse:
    """An attachment of the current organisation's data, recorded in the audit log as an export."""
    audit.record("report.export", request=request, organisation=request.org, target=filename)
    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@require_GET
@org_view()
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {"org": request.org})


@require_GET
@org_view()
def xlsx(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.org)
    body = xlsx_report(plan.catalog, plan.assessment, timezone.localdate(), contradictions(request.org, plan.rows))
    return download(request, body, XLSX, export_name(request, "xlsx"))


@require_GET
@csp_update({"style-src": [UNSAFE_INLINE]})  # the standalone report carries its own print CSS; it has no script
@org_view()
def html(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.org)
    audit.record("report.export", request=request, organisation=request.org, target=export_name(request, "html"))
    return HttpResponse(html_report(plan.catalog, plan.assessment, timezone.localdate(), lang(),
                                    contradictions(request.org, plan.rows)),
                        content_type="text/html; charset=utf-8")


class PdfError(RuntimeError):
    pass


class PdfBusy(PdfError):
    """Another PDF kept Chromium busy for longer than PDF_WAIT_SECONDS."""


# One Chromium at a time per process: each needs about 650 MiB, so concurrent PDFs wait their turn instead of
# exhausting the server's memory.
_CHROMIUM_SLOT = threading.BoundedSemaphore(1)


def html_to_pdf(html_text: str, timeout: float = 60) -> bytes:
    """Print HTML to PDF with headless Chromium (the same engine users print with; renders Japanese with Noto CJK).

    Waits up to PDF_WAIT_SECONDS for the process's Chromium slot, then raises PdfBusy."""
    if not _CHROMIUM_SLOT.acquire(timeout=settings.PDF_WAIT_SECONDS):
        raise PdfBusy("Chromium is busy with other PDFs")
    try:
        return _print_pdf(html_text, timeout)
    except PdfError as err:
        log.warning("no PDF: %s", err)  # the operator's reason; the user gets a 503 with the printable HTML's way
        raise
    finally:
        _CHROMIUM_SLOT.release()


def _print_pdf(html_text: str, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tebiki-pdf-") as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [settings.CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", f"--print-to-pdf={out}", src.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise PdfError(str(err)) from err
        if not out.exists() or out.stat().st_size == 0:
            # the report's text is never in Chromium's messages; its last lines say why (for the operator's log)
            said = " | ".join(done.stderr.decode(errors="replace").strip().splitlines()[-3:])
            raise PdfError(f"Chromium exited with {done.returncode} and produced no PDF: {said[:500]}")
        return out.read_bytes()


@require_GET
@org_view()
def pdf(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.org)
    try:
        body = html_to_pdf(html_report(plan.catalog, plan.assessment, timezone.localdate(), lang(),
                                       contradictions(request.org, plan.rows)))
    except PdfError as err:
        resp = HttpResponse("PDF could not be generated; use the printable HTML report and print it.",
                            status=503, content_type="text/plain; charset=utf-8")
        if isinstance(err, PdfBusy):
            resp["Retry-After"] = "30"
        return resp
    return download(request, body, "application/pdf", export_name(request, "pdf"))


# The items CSV is for people (it opens in Excel): headers and values in the request's language, the IDs as they are.
CSV_HEADER = [gettext_lazy("Item"), gettext_lazy("Scope"), gettext_lazy("Role"), gettext_lazy("Category"),
              gettext_lazy("Level"), gettext_lazy("Measure"), gettext_lazy("Applies"),
              gettext_lazy("Priority"), gettext_lazy("Status"), gettext_lazy("Decision"), gettext_lazy("Deadline"),
              gettext_lazy("Owner"), gettext_lazy("Note")]


@require_GET
@org_view()
def items_csv(request: HttpRequest) -> HttpResponse:
    plan, ln = plan_of(request.org), lang()
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel opens UTF-8 CSV with Japanese correctly only with a BOM
    w = csv.writer(buf)
    w.writerow([str(h) for h in CSV_HEADER])
    yes, no = _("Yes"), _("No")
    for r in plan.rows:
        w.writerow([safe_cell(v) for v in (
            r.item, r.scope_name, label(CATALOG_ROLE, r.role), r.category, label(LEVEL, r.level), r.title[ln],
            yes if r.applies else no, r.priority.title[ln], label(STATUS, r.status),
            label(DECISION, r.decision), r.deadline.isoformat() if r.deadline else "", r.owner or "", r.note or "")])
    return download(request, buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8", export_name(request, "csv"))


@require_GET
@org_view()
def oscal_results(request: HttpRequest) -> HttpResponse:
    """The assessment as OSCAL 1.1 assessment-results (as `tebiki assess export --format oscal`)."""
    from tebiki import __version__
    from tebiki.documents import oscal

    plan = plan_of(request.org)
    doc = oscal.assessment_results(plan.assessment.profile.name, timezone.localdate().isoformat(),
                                   oscal.row_records(plan.rows), __version__)
    body = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    return download(request, body, "application/json", export_name(request, "json", "oscal-assessment-results"))


@require_GET
@org_view()
def oscal_catalog(request: HttpRequest, source: str) -> HttpResponse:
    """The MIC v5 or CSAJ 2018 catalog as OSCAL 1.1 (as `tebiki catalog export --format oscal`)."""
    from tebiki import __version__
    from tebiki.documents import oscal

    doc = oscal.catalog_document(get_catalog(), source, __version__)
    body = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    return download(request, body, "application/json", f"tebiki-{source}-oscal-catalog.json")


@require_GET
@org_view()
def ciso_library(request: HttpRequest) -> HttpResponse:
    """The MIC v5 guideline as a CISO Assistant framework library (YAML)."""
    from tebiki.documents import ciso_assistant

    doc = ciso_assistant.framework_library(get_catalog())
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110).encode("utf-8")
    return download(request, body, "application/yaml", f"{ciso_assistant.LIBRARY}.yaml")


@require_GET
@org_view()
def security_action(request: HttpRequest) -> HttpResponse:
    """How far the assessment is from IPA's SECURITY ACTION one- and two-star self-declaration."""
    return security_action_page(request)


def security_action_page(request: HttpRequest, published_form=None, status: int = 200) -> HttpResponse:
    """The readiness page; *published_form* shows the basic policy's publication form again with its errors."""
    from tebiki.core.security_action import MAPPING_SET, readiness
    from tebiki.web.policy.basic import published_form as initial_form
    from tebiki.web.policy.models import publication

    plan = plan_of(request.org)
    mset = next(m for m in plan.catalog.mapping_sets if m.id == MAPPING_SET)
    titles = {m.id: m.title for m in plan.catalog.measures}
    can_manage = request.membership.can_manage
    published, where = publication(request.org)
    return render(request, "reports/security_action.html", {
        "org": request.org, "ready": readiness(plan.catalog, plan.rows, published), "mapping": mset,
        "titles": titles, "can_manage": can_manage, "published_where": where,
        "published_form": (published_form or initial_form(request.org)) if can_manage else None}, status=status)
