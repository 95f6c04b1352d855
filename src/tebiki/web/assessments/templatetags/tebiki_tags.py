"""Template helpers: pick the request's language from catalog text, format scores, draw charts."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tebiki.web.assessments import charts

register = template.Library()


def _lang() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@register.filter
def tr(value):
    """Catalog text ({"ja": …, "en": …}, or a pydantic Text) in the current language."""
    if value is None:
        return ""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return value.get(_lang()) or value.get("ja") or ""
    return value


@register.filter
def pct(value) -> str:
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return "–"


@register.filter
def short_id(item_id: str) -> str:
    """mic-v5:admin:A-1 → A-1; csaj-2018:5.1.1-1 → 5.1.1-1."""
    return item_id.rsplit(":", 1)[-1]


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def bar_chart(rows, label_width: int = 160):
    """rows: [(label, score 0..1, detail)] → an SVG of horizontal bars (no script, no inline style)."""
    return charts.bars(rows, label_width)


@register.simple_tag
def donut(score, label: str = ""):
    return charts.donut(score, label)


@register.filter
def status_label(value: str) -> str:
    from tebiki.web.assessments.models import Status

    return dict(Status.choices).get(value, value)


ROLE_SHORT = {"executive": _("Executive"), "admin": _("Admin"), "worker": _("Worker")}


@register.filter
def measure_label(item_id: str) -> str:
    """mic-v5:worker:F-1 → "Worker F-1": the short ID alone is ambiguous across roles."""
    parts = item_id.split(":")
    if len(parts) == 3 and parts[1] in ROLE_SHORT:
        return f"{ROLE_SHORT[parts[1]]} {parts[2]}"
    return parts[-1]


@register.filter
def role_label(role: str) -> str:
    """executive / admin / worker → the short role name people read."""
    return ROLE_SHORT.get(role, role)
