"""`{% outbox org %}`: the organisation's latest outgoing mail, for its managers' pages."""

from __future__ import annotations

from django import template

from tebiki.web.mail.models import OutgoingMail

register = template.Library()


@register.inclusion_tag("mail/_outbox.html")
def outbox(org, count: int = 10):
    mails = OutgoingMail.objects.filter(organisation_id=org.id).order_by("-created_at", "-id")[:count]
    return {"mails": list(mails)}
