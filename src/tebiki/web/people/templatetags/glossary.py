"""The `glossary` filter: known terms in a text get their explanation on tap, click, keyboard or hover.

`{{ text|glossary }}` escapes the text and turns the first spelling of each glossary entry (catalog kind
`glossary`, tebiki.catalog.schema.GlossaryEntry) into a button that opens a popover with the explanation
(the HTML `popovertarget` attribute: no script, works by tap on phones and by Enter/Space, closes with Esc or a tap
outside). The button is described by the explanation (aria-describedby), so screen readers read it too.
Use it on running text only, never inside a link, a label or another button.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from tebiki.catalog import get_catalog
from tebiki.catalog.schema import GlossaryEntry
from tebiki.web.assessments.templatetags.tebiki_tags import tr

register = template.Library()
_ids = itertools.count(1)  # unique ids within any page (and across pages of one process)


@cache
def _index() -> tuple[re.Pattern[str] | None, dict[str, GlossaryEntry]]:
    """One pattern over every spelling (longest first, escaped as HTML text is) and spelling -> entry."""
    by_word = {escape(w): t for t in get_catalog().glossary for w in t.matches}
    if not by_word:
        return None, {}
    words = sorted(by_word, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)), by_word


def explain(text: str) -> str:
    """*text*, escaped, with the first spelling of each known term wrapped in its explanation (HTML)."""
    html = str(conditional_escape(text))
    pattern, by_word = _index()
    if pattern is None:
        return html
    done: set[str] = set()

    def wrap(m: re.Match[str]) -> str:
        entry = by_word[m.group(0)]
        if entry.id in done:
            return m.group(0)
        done.add(entry.id)
        tid = f"term-{next(_ids)}"
        return (f'<button type="button" class="term" popovertarget="{tid}" aria-describedby="{tid}">{m.group(0)}'
                f'</button><span class="term-note" id="{tid}" popover role="note"><strong>{escape(tr(entry.term))}'
                f'</strong> {escape(tr(entry.explanation))}</span>')

    return pattern.sub(wrap, html)


@register.filter(is_safe=True)
def glossary(value):
    return mark_safe(explain("" if value is None else value))  # noqa: S308 (escaped above, markup is ours)
