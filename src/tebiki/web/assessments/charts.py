"""Server-rendered SVG charts. Plain markup with presentation attributes, so a strict CSP allows them
and they print as vectors."""

from __future__ import annotations

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
BAR_GAP = 8


def _colour(score: float) -> str:
    return "good" if score >= 0.8 else "mid" if score >= 0.4 else "bad"


def bars(rows: list[tuple[str, float, str]], label_width: int = 160, bar_width: int = 300, name: str = "") -> SafeString:
    """Horizontal bars for scores between 0 and 1, each labelled and with a detail text on the right.

    role="img" hides the texts inside from assistive technology, so the name carries the chart's data too."""
    width = label_width + bar_width + 70
    height = len(rows) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    parts = format_html_join("", (
        '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end" class="chart-label">{}</text>'
        '<rect x="{}" y="0" width="{}" height="{}" class="chart-track" rx="3"/>'
        '<rect x="{}" y="0" width="{}" height="{}" class="chart-bar chart-{}" rx="3"/>'
        '<text x="{}" y="15" class="chart-value">{}</text></g>'
    ), (
        (BAR_GAP + i * (BAR_HEIGHT + BAR_GAP), label_width - 8, label, label_width, bar_width, BAR_HEIGHT,
         label_width, round(bar_width * max(0.0, min(1.0, score)), 1), BAR_HEIGHT, _colour(score),
         label_width + bar_width + 8, detail)
        for i, (label, score, detail) in enumerate(rows)
    ))
    summary = "; ".join(f"{label} {detail}" for label, _, detail in rows)
    return format_html('<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{n}">'
                       '{p}</svg>', w=width, h=height, p=parts, n=f"{name}: {summary}" if name else summary)


def donut(score: float, label: str = "", size: int = 140) -> SafeString:
    """A ring that fills clockwise with the score, the percentage in the middle."""
    score = max(0.0, min(1.0, float(score or 0)))
    r = size / 2 - 12
    circumference = 2 * math.pi * r
    return format_html(
        '<svg class="donut" viewBox="0 0 {s} {s}" width="{s}" height="{s}" role="img" aria-label="{label} {p}%">'
        '<circle cx="{c}" cy="{c}" r="{r}" class="donut-track" fill="none" stroke-width="14"/>'
        '<circle cx="{c}" cy="{c}" r="{r}" class="donut-fill chart-{colour}" fill="none" stroke-width="14" '
        'stroke-dasharray="{dash} {circ}" transform="rotate(-90 {c} {c})"/>'
        '<text x="{c}" y="{c}" dy="0.35em" text-anchor="middle" class="donut-text">{p}%</text></svg>',
        s=size, c=size / 2, r=round(r, 1), dash=round(circumference * score, 1), circ=round(circumference, 1),
        p=round(score * 100), label=label, colour=_colour(score))
