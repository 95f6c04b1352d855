"""Writing incidents: a report with its first timeline event, status changes, notes, and the managers' email."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tebiki.core.incidents import situations
from tebiki.web.audit import log as audit
from tebiki.web.mail.backend import ORGANISATION_HEADER
from tebiki.web.orgs.models import MANAGERS, Membership, Organisation

from .models import EventKind, Incident, IncidentEvent, ReportLink

log = logging.getLogger(__name__)


def actor_name(user) -> str:
    return (getattr(user, "display_name", "") or getattr(user, "email", "") or "")[:100]


def create_report(org: Organisation, data: dict, *, request, user=None, link: ReportLink | None = None,
                  at: dt.datetime | None = None) -> Incident:
    """Store a report with the trouble cases and measures suggested by its situation, audit it, mail the managers.

    Without a request (the demo loader) there is no address to link to, so no mail goes out; *at* backdates
    the report for the demo's timeline (the audit entry keeps the real time).
    """
    situation = situations().get(data["situation"])
    with transaction.atomic():
        number = (Incident.objects.filter(organisation=org).aggregate(n=Max("number"))["n"] or 0) + 1
        incident = Incident.objects.create(
            organisation=org, number=number, situation=situation.id, occurred_at=data.get("occurred_at"),
            occurred_about=data.get("occurred_about", ""), device=data["device"], description=data["description"],
            reporter_name=data["reporter_name"], reporter_contact=data["reporter_contact"], reported_by=user, report_link=link,
            trouble_cases=list(situation.trouble_cases), measures=list(situation.measures),
            **({"created_at": at, "updated_at": at} if at else {}))
        IncidentEvent.objects.create(incident=incident, at=incident.created_at, actor=user,
                                     actor_name=data["reporter_name"][:100], kind=EventKind.REPORTED,
                                     to_status=incident.status)
        audit.record("incident.report", actor=user, request=request, organisation=org, target=f"#{number}",
                     data={"situation": situation.id, "via": "link" if link else "member",
                           **({"link": link.hint} if link else {})})
    if request is not None:
        notify_managers(incident, request)
    return incident


def notify_managers(incident: Incident, request) -> int:
    """Mail the organisation's executives and administrators; a mail failure never loses the report."""
    emails = sorted(set(Membership.objects.filter(organisation=incident.organisation, role__in=MANAGERS)
                        .values_list("user__email", flat=True)))
    if not emails:
        return 0
    url = request.build_absolute_uri(f"/o/{incident.organisation_id}/incidents/{incident.id}/")
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"incident": incident, "org": incident.organisation, "url": url,
               "situation": situations().get(incident.situation)}
        subject = render_to_string("incidents/email_subject.txt", ctx).strip().replace("\n", " ")
        body = render_to_string("incidents/email_body.txt", ctx)
    try:
        return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, emails,
                            headers={ORGANISATION_HEADER: str(incident.organisation_id)}).send()
    except Exception:  # noqa: BLE001 - the report is stored; the log page shows it anyway
        log.exception("incident %s: notification mail failed", incident.id)
        return 0


def _actor(request, user):
    """Who acts: *user* when given (the demo loader has no request), else the signed-in user."""
    return user if user is not None else request.user


def change_status(incident: Incident, status: str, note: str, *, request, user=None,
                  at: dt.datetime | None = None) -> IncidentEvent | None:
    if status == incident.status and not note:
        return None
    actor = _actor(request, user)
    with transaction.atomic():
        old = incident.status
        now = at or timezone.now()
        incident.status, incident.updated_at = status, now
        incident.save(update_fields=["status", "updated_at"])
        event = IncidentEvent.objects.create(incident=incident, at=now, actor=actor, actor_name=actor_name(actor),
                                             kind=EventKind.STATUS if old != status else EventKind.NOTE,
                                             from_status=old if old != status else "",
                                             to_status=status if old != status else "", note=note)
        if old != status:
            audit.record("incident.status", actor=actor, request=request, organisation=incident.organisation,
                         target=f"#{incident.number}", data={"from": old, "to": status})
    return event


def add_note(incident: Incident, note: str, *, request, user=None, at: dt.datetime | None = None) -> IncidentEvent:
    actor = _actor(request, user)
    with transaction.atomic():
        now = at or timezone.now()
        Incident.objects.filter(pk=incident.pk).update(updated_at=now)
        return IncidentEvent.objects.create(incident=incident, at=now, actor=actor, actor_name=actor_name(actor),
                                            kind=EventKind.NOTE, note=note)


def set_links(incident: Incident, cases: list[str], measures: list[str], *, request) -> IncidentEvent | None:
    if cases == incident.trouble_cases and measures == incident.measures:
        return None
    with transaction.atomic():
        now = timezone.now()
        incident.trouble_cases, incident.measures, incident.updated_at = cases, measures, now
        incident.save(update_fields=["trouble_cases", "measures", "updated_at"])
        return IncidentEvent.objects.create(incident=incident, at=now, actor=request.user,
                                            actor_name=actor_name(request.user), kind=EventKind.LINKS,
                                            note=" ".join(cases + measures))
