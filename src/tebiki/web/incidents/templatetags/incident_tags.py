"""Template helpers for incidents: situation titles and status names in the request's language."""

from __future__ import annotations

from django import template

from tebiki.core.incidents import GENERAL, situations
from tebiki.web.assessments.templatetags.tebiki_tags import label, tr

register = template.Library()


@register.filter
def situation_title(situation_id: str) -> str:
    from tebiki.web.incidents.forms import situation_choices

    if situation_id == GENERAL:
        return dict(situation_choices(True))[GENERAL]
    s = situations().get(situation_id)
    return tr(s.title) if s else situation_id


@register.filter
def incident_status(value: str) -> str:
    return label(value, "incident_status")
