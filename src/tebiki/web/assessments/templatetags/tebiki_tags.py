"""Template helpers: pick the request's language from catalog text, format scores, draw charts."""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Callable
from html import escape

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tebiki.core.vocabulary import ROLE_SHORT, SETS
from tebiki.web.assessments import charts
from tebiki.web.paging import pager_context
from tebiki.web.vocab import lang

register = template.Library()


@register.filter
def tr(value):
    """Catalog text ({"ja": …, "en": …}, or a pydantic Text) in the current language."""
    if value is None:
        return ""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return value.get(lang()) or value.get("ja") or ""
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


@register.inclusion_tag("_pager.html", takes_context=True)
def pager(context, page):
    """{% pager page %}: Previous / numbered / Next links that keep the request's other parameters (the filters),
    and "page N of M"; nothing when everything fits on one page."""
    return pager_context(context["request"], page)


@register.simple_tag
def bar_chart(rows, label_width: int = 160, name: str = ""):
    """rows: [(label, score 0..1, detail)] → an SVG of horizontal bars (no script, no inline style), named *name*."""
    return charts.bars(rows, label_width, name=name)


@register.simple_tag
def donut(score, label: str = ""):
    return charts.donut(score, label)


@register.filter
def label(code, vocabulary: str) -> str:
    """A code's label from the one vocabulary: {{ r.status|label:"status" }}; empty for no code.

    An unknown code (an audit action recorded by an older version, say) is shown as it is rather than failing
    the page; tests/core/test_vocabulary.py keeps the codes the code base writes inside the vocabulary.
    """
    if code in (None, ""):
        return ""
    terms = SETS[vocabulary]
    return terms.label(code, lang()) if code in terms else str(code)


@register.filter
def choices(vocabulary: str) -> list[tuple[str, str]]:
    """The (code, label) pairs of a vocabulary, for a <select>."""
    return SETS[vocabulary].choices(lang())


@register.filter
def status_label(value: str) -> str:
    return label(value, "status")


@register.filter
def measure_label(item_id: str) -> str:
    """mic-v5:worker:F-1 → "Worker F-1": the short ID alone is ambiguous across roles."""
    parts = item_id.split(":")
    if len(parts) == 3 and parts[1] in ROLE_SHORT:
        return f"{ROLE_SHORT.label(parts[1], lang())} {parts[2]}"
    return parts[-1]


class ScrollNode(template.Node):
    def __init__(self, name: template.base.FilterExpression, nodelist: template.NodeList):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        return format_html('<div class="scroll" role="region" tabindex="0" aria-label="{}">{}</div>',
                           self.name.resolve(context), self.nodelist.render(context))


@register.tag
def scroll(parser, token):
    """{% scroll _("Devices") %}<table>…</table>{% endscroll %}: a wide table scrolls inside a named, focusable box
    so that the page itself never scrolls sideways at 320 CSS px (WCAG 1.4.10) and a keyboard can scroll it."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% scroll name %} takes one name")
    nodelist = parser.parse(("endscroll",))
    parser.delete_first_token()
    return ScrollNode(parser.compile_filter(bits[1]), nodelist)


def csrf_field(context) -> str:
    """What {% csrf_token %} renders, for tags that build a form in Python (checklist_rows, worker_result_row)."""
    token = context.get("csrf_token")
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token) \
        if token and token != "NOTPROVIDED" else ""


def short_datetime(value) -> str:
    """What {{ value|date:"SHORT_DATETIME_FORMAT" }} renders for an aware datetime, for tags that build rows."""
    return short_datetimes()(value)


def short_datetimes() -> Callable[[dt.datetime], str]:
    """short_datetime with the language's format and the time zone looked up once, for a tag that formats a column:
    Django's localtime and DateFormat look both up again for every value (about 30 µs a value)."""
    tz, fmt = get_current_timezone(), get_format("SHORT_DATETIME_FORMAT")
    plain = _plain_format(fmt)
    if plain is None:
        return lambda value: date_format(value.astimezone(tz), fmt)
    return lambda value: plain.format(value.astimezone(tz))


# Django's date format characters that are plain numbers, as str.format fields of a datetime. Django's DateFormat
# splits the format and looks each character up again for every value (about 25 µs): a register page formats 100.
_NUMERIC = {"Y": "{0.year:04d}", "m": "{0.month:02d}", "n": "{0.month}", "d": "{0.day:02d}", "j": "{0.day}",
            "H": "{0.hour:02d}", "G": "{0.hour}", "i": "{0.minute:02d}", "s": "{0.second:02d}"}


@functools.lru_cache(maxsize=32)
def _plain_format(fmt: str) -> str | None:
    """*fmt* (a Django date format) as a str.format template, or None when it has a format letter (ASCII, as
    Django's) other than _NUMERIC's — a month's name, a.m./p.m., a time zone — or a backslash escape: those stay with
    Django's formatter. Anything else (/, :, 年 …) is shown as it is."""
    if "\\" in fmt or any(ch in string.ascii_letters and ch not in _NUMERIC for ch in fmt):
        return None
    return "".join(_NUMERIC.get(ch) or ch.replace("{", "{{").replace("}", "}}") for ch in fmt)


@register.filter
def status_options(current: str, statuses) -> str:
    """The <option>s of a status select, (code, name) each, *current* selected: one filter per select, not four nodes
    per option (the checklist has up to about 180 selects on a page)."""
    return _status_options(tuple(statuses), current)


@functools.lru_cache(maxsize=64)
def _status_options(statuses: tuple[tuple[str, str], ...], current: str) -> str:
    # a page asks for the same few (statuses, current) pairs again and again: each is built once
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((code, mark_safe(" selected") if code == current else "", name)
                             for code, name in statuses))


@register.simple_tag(takes_context=True)
def checklist_rows(context) -> str:
    """The checklist's rows: for each of the context's entries (checklist.Entry) a section heading when it changes
    (not in a *fragment*, the one row an htmx save answers with) and the measure's row — what it is and why it
    applies or not, level, priority, status (a control per scope for *can_edit*, else the words) and decision; the
    context's *row_error* and *saved* are shown in each row's status cell. The context gives org, entries, statuses
    (the choosable (code, name) pairs) and csrf_token.

    Built here in one go with str.format and every value through html.escape (what Django's escape does, without its
    lazy-text checks): as template nodes a page of 40 six-department measures took about 3,300 node renders, and
    with format_html about 950 calls of it."""
    entries = context["entries"]
    if not entries:
        return format_html('<tr><td colspan="5">{}</td></tr>', _("No item matches these filters."))
    words = {key: escape(_(text)) for key, text in (("level", "Level"), ("priority", "Priority"),
                                                  ("status", "Status"), ("decision", "Decision"), ("save", "Save"))}
    org_id, can_edit, fragment = context["org"].id, context.get("can_edit"), context.get("fragment")
    form = functools.partial(_status_form, org_id, csrf_field(context), tuple(context["statuses"]), words)
    error, saved = context.get("row_error"), context.get("saved")
    today = timezone.localdate()
    foot = format_html('\n    <div class="row-error field-error" role="alert">{}</div>{}</td>\n',
                       error or "",
                       format_html('<span class="saved" data-fresh>{}</span>', _("Saved.")) if saved else "")
    na = format_html('<span class="status status-na">{}</span>\n    ', status_label("na"))
    out, section = [], None
    for e in entries:
        if not fragment and (section is None or e.section != section[0]):
            section = (e.section,)
            out.append(f'<tr class="group"><th colspan="5" scope="rowgroup">{_h(e.section)}</th></tr>')
        shown = e.applicable[:1] if e.uniform else e.applicable
        if not e.applies:
            state = na
        elif can_edit:
            state = "".join("\n    " + form(e, r) for r in shown) + "\n    "
        else:
            state = "".join(f'<span class="status status-{_h(r.status)}">{"" if e.uniform else _h(r.scope_name) + ": "}'
                            f'{_h(status_label(r.status))}</span> ' for r in shown)
        decision = "".join(
            f'<span>{"" if e.uniform else _h(r.scope_name) + ": "}{_h(label(r.decision, "decision"))}'
            f'{_will_do(r, today) if r.decision == "will_do" else ""}</span> ' for r in shown if r.decision)
        why = f'<br><small class="why">{_h(tr(e.why))}</small>' if e.why else ""
        not_why = "".join(f'<br><small class="why">{_h(tr(r.reason))}</small>' for r in e.not_applicable)
        out.append(
            f'\n<tr id="{_h(e.anchor)}" class="entry{"" if e.applies else " na"}">\n'
            f'  <td class="what"><a href="{_h(_url("item", org_id, e.item, e.first.scope))}"><strong>'
            f'{_h(short_id(e.item))}</strong> {_h(tr(e.title))}</a>\n'
            f'    <small class="role">{_h(label(e.role, "role_short"))}</small>\n    {why}\n    {not_why}</td>\n'
            f'  <td class="level" data-label="{words["level"]}">{_h(label(e.level, "level"))}</td>\n'
            f'  <td class="priority" data-label="{words["priority"]}"><span class="prio prio-{_h(e.priority.rank)}">'
            f'{_h(tr(e.priority.title))}</span></td>\n'
            f'  <td class="state" data-label="{words["status"]}">{state}{foot}'
            f'  <td class="decision" data-label="{words["decision"]}">{decision}</td>\n</tr>\n')
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def _h(value) -> str:
    """*value* as HTML text: what Django's escape returns (html.escape of its str), for the row tags' hot loops."""
    return escape(str(value))


def _passed(deadline: dt.date) -> str:
    """A deadline that has passed while its work is open, marked as such (the checklist and the action list)."""
    when = date_format(deadline, "SHORT_DATE_FORMAT")
    return f'<strong class="warn">{_h(_("Deadline %(date)s (passed)") % {"date": when})}</strong>'


def _will_do(row, today: dt.date) -> str:
    """A will-do decision's deadline and owner, as the checklist shows them after the decision."""
    if row.deadline and row.overdue(today):
        return f" {_passed(row.deadline)} {_h(row.owner or '')}"
    when = date_format(row.deadline, "SHORT_DATE_FORMAT") if row.deadline else ""
    return f" {_h(when)} {_h(row.owner or '')}"


@register.filter
def deadline_note(action, today: dt.date | None) -> str:
    """An action's earliest open deadline for the action list: "Deadline …", or marked as passed (Action.overdue)."""
    if today and action.overdue(today):
        return mark_safe(_passed(action.deadline))  # noqa: S308 (escaped in _passed)
    return f"{_('Deadline')} {date_format(action.deadline, 'SHORT_DATE_FORMAT')}"


@functools.lru_cache(maxsize=8192)
def _reverse(prefix: str, urlconf, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args)


def _url(name: str, *args) -> str:
    """reverse(name, args=args), kept per script prefix and URL configuration: a checklist page reverses about 200
    URLs, the same ones on every request of the organisation's pages."""
    return _reverse(get_script_prefix(), get_urlconf(), name, args)


def _status_form(org_id: int, csrf: str, statuses: tuple, words: dict[str, str], entry, row) -> str:
    """The checklist's status control of one scope (*row*) of *entry*: a form that saves through htmx, with the
    other scopes as hidden fields when one control sets them all (entry.uniform), else labelled with the scope."""
    save_url = _h(_url("item_status", org_id, entry.item, row.scope))
    control = _h(f"{entry.anchor}-{row.scope}")
    if entry.uniform:
        scope = "".join(f'<input type="hidden" name="scope" value="{_h(s)}">' for s in entry.scopes[1:])
        name = words["status"]
    else:
        scope = f'<label class="scope" for="st-{control}">{_h(row.scope_name)}</label>'
        name = f'{words["status"]}: {_h(row.scope_name)}'
    return (f'<form class="status-form" method="post" action="{save_url}" hx-post="{save_url}" hx-target="closest tr"'
            f' hx-swap="outerHTML">{csrf}\n      {scope}\n      <select id="st-{control}" name="status"'
            f' aria-label="{name}">\n        {_status_options(statuses, row.status)}\n      </select>\n'
            f'      <button id="sv-{control}" class="secondary save">{words["save"]}</button>\n    </form>')


# One check's verdict as a symbol with its words for screen readers (the symbol alone is not a text alternative).
# A filter, not an include: the device register shows one per check and device (about 1,000 on a page).
_VERDICT_MARKS = {"pass": ("✓", gettext_lazy("OK")), "fail": ("✗", gettext_lazy("Needs action")),
                  "unknown": ("?", gettext_lazy("Could not tell"))}
_NOT_CHECKED = ("–", gettext_lazy("Not checked"))


@register.filter
def verdict_mark(verdict: str | None) -> str:
    symbol, words = _VERDICT_MARKS.get(verdict if isinstance(verdict, str) else "", _NOT_CHECKED)
    return format_html('<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>', symbol, words)


@functools.lru_cache(maxsize=8)
def _verdict_cells(language: str) -> dict[str | None, str]:
    """The register's four possible cells in *language*: the marks are constants, built once."""
    return {v: format_html('<td class="verdict verdict-{}">{}</td>', v or "none", verdict_mark(v))
            for v in (*_VERDICT_MARKS, None)}


@register.simple_tag(takes_context=True)
def device_rows(context, devices, checks) -> str:
    """The device register's rows, one per device as .values() gives it (id, hostname, ownership, owner, os,
    os_version, last_seen, latest): name (a link to its page) and ownership, owner, OS, when it last reported (marked
    when that is longer ago than the context's stale_before) and a cell per check. Built here in one go, each value
    escaped: as template nodes, and then as a tag per row, the register's 100 rows were most of its time. The context
    gives devices_url (the register's URL: a device's page is its ID under it) and ownership (code -> label)."""
    url, ownership, stale_before = escape(context["devices_url"]), context["ownership"], context["stale_before"]
    when, cells, no_report = short_datetimes(), _verdict_cells(get_language() or ""), _("no report for %(ago)s")
    rows = []
    for d in devices:
        seen = d["last_seen"]
        if seen < stale_before:
            mark, note = ' class="stale"', f"<br><small>{escape(no_report % {'ago': timesince(seen)})}</small>"
        else:
            mark = note = ""
        rows.append(
            f'<tr><td><a href="{url}{int(d["id"])}/">{escape(d["hostname"])}</a><br>'
            f'<small>{escape(ownership.get(d["ownership"], d["ownership"]))}</small></td>'
            f'<td class="nowrap">{escape(d["owner"])}</td><td>{escape(d["os_version"] or d["os"])}</td>'
            f'<td{mark}>{escape(when(seen))}{note}</td>{_cells(cells, d["latest"], checks)}</tr>\n')
    return mark_safe("".join(rows))


@register.filter
def verdict_cells(verdicts: dict | None, checks) -> str:
    """A device's row of cells, one per check in *checks* ({"id": …}), from its latest verdicts ({check id: verdict});
    an unknown or missing verdict is "not checked". One filter per row, not one with-block per cell: the register
    shows about 900 cells a page."""
    return mark_safe(_cells(_verdict_cells(get_language() or ""), verdicts, checks))


def _cells(cells: dict[str | None, str], verdicts, checks) -> str:
    verdicts = verdicts if isinstance(verdicts, dict) else {}
    return "".join(cells.get(v if isinstance(v, str) else None, cells[None])
                   for v in (verdicts.get(c["id"]) for c in checks))
