"""The `glossary` filter: known terms in a text get their explanation on tap, click, keyboard or hover.

`{{ text|glossary }}` escapes the text and turns the first spelling of each glossary entry (catalog kind
`glossary`, tebiki.catalog.schema.GlossaryEntry) into a button that opens a popover with the explanation
(the HTML `popovertarget` attribute: no script, works by tap on phones and by Enter/Space, closes with Esc or a tap
outside). The button is described by the explanation (aria-describedby), so screen readers read it too.
Use it on running text only, never inside a link, a label or another button.

Where the jargon sits in text that cannot hold a button (a form field's label and choices, a link's title),
`{% glossary_terms field_or_text %}` puts the same buttons beside it, in a line of their own ("用語: VPN …");
with `first_in="name"` each term only once per template, so a list of actions explains a repeated word at its first row.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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
        return _button(entry, m.group(0))

    return pattern.sub(wrap, html)


def _button(entry: GlossaryEntry, shown: str) -> str:
    """The button showing *shown* (escaped already) and the popover with the entry's explanation."""
    tid = f"term-{next(_ids)}"
    return (f'<button type="button" class="term" popovertarget="{tid}" aria-describedby="{tid}">{shown}'
            f'</button><span class="term-note" id="{tid}" popover role="note"><strong>{escape(tr(entry.term))}'
            f'</strong> {escape(tr(entry.explanation))}</span>')


def terms(texts, seen: set[str] | None = None) -> str:
    """A line of explanation buttons for the known terms in *texts* (the first spelling of each, in order), or ""
    when there is none; the ids in *seen* are left out and the ones shown are added to it."""
    pattern, by_word = _index()
    seen = set() if seen is None else seen
    found: list[tuple[GlossaryEntry, str]] = []
    for text in texts:
        for m in pattern.finditer(str(conditional_escape(text))) if pattern else ():
            entry = by_word[m.group(0)]
            if entry.id not in seen:
                seen.add(entry.id)
                found.append((entry, m.group(0)))
    if not found:
        return ""
    return (f'<span class="terms"><span class="terms-intro">{escape(_("Terms"))}:</span> '
            + " ".join(_button(e, w) for e, w in found) + "</span>")


def _texts(value) -> list[str]:
    """What a person reads of *value*: a form field's label and the labels of its choices, or the text itself."""
    if isinstance(value, BoundField):
        return [str(value.label), *(str(label) for _v, label in getattr(value.field, "choices", None) or ())]
    return ["" if value is None else str(value)]


@register.filter(is_safe=True)
def glossary(value):
    return mark_safe(explain("" if value is None else value))  # noqa: S308 (escaped above, markup is ours)


@register.simple_tag(takes_context=True)
def glossary_terms(context, value, first_in: str = ""):
    """The explanation buttons for the jargon in a field's label and choices or in a text (see the module);
    with *first_in*, a term already explained under the same name in this template is left out (a list's rows)."""
    seen = context.render_context.setdefault(f"glossary_terms_{first_in}", set()) if first_in else None
    return mark_safe(terms(_texts(value), seen))  # noqa: S308 (escaped in terms())
