"""The contact list: every member reads it, managers edit it; a printable card (HTML and PDF)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tebiki.core.incidents import card_sections, general_section, in_business_hours, situations
from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_objects, org_view
from tebiki.web.reports.views import PdfError, html_to_pdf

from ..forms import ContactForm
from ..models import Contact

CARD_CSS = "tebiki/incidents-card.css"


def sections_for(org):
    return card_sections(situations(), Contact.objects.filter(organisation=org))


def off_hours() -> bool:
    """Outside business hours now: pages put the out-of-hours contacts first."""
    return not in_business_hours(timezone.localtime())


def card_context(org, css_href: str) -> dict:
    """The printed card lists the contacts for every situation once, at the top, to fit on one A5 page."""
    contacts = list(Contact.objects.filter(organisation=org))
    return {"org_name": org.name, "general": general_section(contacts),
            "sections": card_sections(situations(), contacts, with_general=False), "css_href": css_href,
            "today": timezone.localdate()}


@require_GET
@org_view()
def contacts(request: HttpRequest) -> HttpResponse:
    can_manage = request.membership.can_manage
    return render(request, "incidents/contacts.html", {
        "org": request.org, "sections": sections_for(request.org), "can_manage": can_manage,
        "all_contacts": org_objects(request, Contact) if can_manage else [], "off_hours": off_hours(),
    })


def _save(request: HttpRequest, contact: Contact | None) -> HttpResponse:
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save(commit=False)
            obj.organisation = request.org
            obj.save()
            audit.record("contact.update" if contact else "contact.create", request=request, organisation=request.org,
                         target=obj.name, data={"situation": obj.situation, "availability": obj.availability})
        messages.success(request, _("Contact saved."))
        return redirect("contacts", org_id=request.org.id)
    return render(request, "incidents/contact_form.html", {"org": request.org, "form": form, "contact": contact},
                  status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@org_view("manage")
def contact_new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


def _contact_or_404(request: HttpRequest, contact_id: int) -> Contact:
    contact = org_objects(request, Contact).filter(id=contact_id).first()
    if contact is None:
        raise Http404
    return contact


@require_http_methods(["GET", "POST"])
@org_view("manage")
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _save(request, _contact_or_404(request, contact_id))


@require_POST
@org_view("manage")
def contact_delete(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request, contact_id)
    with transaction.atomic():
        audit.record("contact.delete", request=request, organisation=request.org, target=contact.name,
                     data={"situation": contact.situation})
        contact.delete()
    messages.success(request, _("Contact removed."))
    return redirect("contacts", org_id=request.org.id)


@require_GET
@org_view()
def card(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/card.html", card_context(request.org, static(CARD_CSS)))


@require_GET
@org_view()
def card_pdf(request: HttpRequest) -> HttpResponse:
    css = finders.find(CARD_CSS)
    html = render_to_string("incidents/card.html", card_context(request.org, Path(css).as_uri()), request=request)
    try:
        body = html_to_pdf(html)
    except PdfError:
        return HttpResponse(_("The PDF could not be made here; open the printable card and print it."),
                            status=503, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="tebiki-contacts-{request.org.id}.pdf"'
    return resp
