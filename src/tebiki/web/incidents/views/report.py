"""The report form: by the organisation's report link (no account) or from a member's own pages.

A link reaches this form, the page after sending and the contact card, and nothing else: the views below take
the organisation from the link and pass on only its name and its contacts.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tebiki.core.incidents import situations
from tebiki.web.orgs.access import org_view

from ..forms import ReportForm
from ..models import ReportLink
from ..service import create_report
from .contacts import CARD_CSS, card_context, off_hours, sections_for

MAX_BODY = 32 * 1024  # a report is a few kilobytes of text; anything bigger is refused unread


def _link_or_404(token: str) -> ReportLink:
    link = ReportLink.objects.by_token(token)
    if link is None:
        raise Http404
    return link


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY
    except ValueError:
        return True


def _form_page(request, *, org_name: str, sections, form, action: str, contacts_url: str, status: int = 200,
               extra: dict | None = None) -> HttpResponse:
    return render(request, "incidents/report.html", {
        "org_name": org_name, "sections": sections, "form": form, "action": action, "contacts_url": contacts_url,
        "choices": list(zip(form["situation"], sections, strict=True)), "off_hours": off_hours(), **(extra or {})},
        status=status)


@never_cache  # pages opened by a secret link stay out of shared caches
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    org = link.organisation
    page = {"org_name": org.name, "sections": sections_for(org), "action": request.path,
            "contacts_url": reverse("public_contacts", args=[token])}
    if request.method == "POST":
        if _too_big(request):
            return HttpResponse(_("The report is too large."), status=413, content_type="text/plain; charset=utf-8")
        form = ReportForm(request.POST)
        if link.recent_reports() >= ReportLink.MAX_PER_HOUR:
            form.is_valid()
            form.add_error(None, _("Many reports arrived through this link in the last hour. Please call a contact "
                                   "below instead, or try again later."))
            return _form_page(request, form=form, status=429, **page)
        if form.is_valid():
            create_report(org, form.cleaned_data, request=request, link=link)
            return redirect(reverse("public_sent", args=[token]) + f"?situation={form.cleaned_data['situation']}")
        return _form_page(request, form=form, status=422, **page)
    return _form_page(request, form=ReportForm(), **page)


def _sent_page(request, org_name: str, sections, contacts_url: str, org=None) -> HttpResponse:
    chosen = situations().get(request.GET.get("situation", ""))
    section = next((s for s in sections if chosen and s.situation.id == chosen.id), None)
    return render(request, "incidents/sent.html", {"org_name": org_name, "section": section, "off_hours": off_hours(),
                                                   "contacts_url": contacts_url, "org": org})


@never_cache
@require_GET
def public_sent(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    return _sent_page(request, link.organisation.name, sections_for(link.organisation),
                      reverse("public_contacts", args=[token]))


@never_cache
@require_GET
def public_contacts(request: HttpRequest, token: str) -> HttpResponse:
    link = _link_or_404(token)
    return render(request, "incidents/card.html", card_context(link.organisation, static(CARD_CSS)))


@require_http_methods(["GET", "POST"])
@org_view()
def member_report(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user
    page = {"org_name": org.name, "sections": sections_for(org), "action": request.path,
            "contacts_url": reverse("contacts", args=[org.id]), "extra": {"org": org}}
    if request.method == "POST":
        if _too_big(request):
            return HttpResponse(_("The report is too large."), status=413, content_type="text/plain; charset=utf-8")
        form = ReportForm(request.POST)
        if form.is_valid():
            create_report(org, form.cleaned_data, request=request, user=user)
            return redirect(reverse("incident_sent", args=[org.id]) + f"?situation={form.cleaned_data['situation']}")
        return _form_page(request, form=form, status=422, **page)
    form = ReportForm(initial={"reporter_name": user.display_name, "reporter_contact": user.email})
    return _form_page(request, form=form, **page)


@require_GET
@org_view()
def member_sent(request: HttpRequest) -> HttpResponse:
    return _sent_page(request, request.org.name, sections_for(request.org), reverse("contacts", args=[request.org.id]),
                      request.org)
