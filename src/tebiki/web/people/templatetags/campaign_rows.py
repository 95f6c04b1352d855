"""The campaign results' row of one worker, built in one go.

A page shows 50 workers, and as template nodes (names, progress, dates, the link and its two forms) each row cost
about 110 µs; most of the page's time for a large organisation (issue 19). Every value goes through format_html,
which escapes it; tests/web/test_campaigns.py compares the rows with what the template made.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tebiki.web.assessments.templatetags.tebiki_tags import csrf_field, short_datetime

register = template.Library()


@register.simple_tag(takes_context=True)
def worker_result_row(context, p) -> str:
    """*p*: one of campaign_rows()'s people ({"worker", "department", "progress", "late", "link", "submitted_at",
    "new_link"}). The context gives the page's words (t_not_done, t_sent, t_reminded, t_new_link, t_create_link,
    t_by_email, t_revoke), workers_url, can_manage, campaign and csrf_token."""
    w, link = p["worker"], p["link"]
    late = format_html(' <span class="warn">{}</span>', context["t_not_done"]) if p["late"] else ""
    sent = format_html("<br><small>{} {}</small>", context["t_sent"], short_datetime(p["submitted_at"])) \
        if p["submitted_at"] else ""
    reminded = format_html("<br><small>{} {}</small>", context["t_reminded"], short_datetime(link.reminded_at)) \
        if link and link.reminded_at else ""
    shown = ""
    if p["new_link"]:
        named = mark_safe(_("Personal link for %(name)s") % {"name": escape(w.name)})
        shown = format_html(
            '<input class="token" readonly value="{}" id="link-{}" aria-label="{}">\n'
            '<button type="button" class="copy" data-copy="link-{}" data-done="{}" data-fallback="{}" hidden>{}'
            '</button>\n<span class="hint" id="link-{}-status" role="status"></span>', p["new_link"], w.id, named,
            w.id, _("Copied."), _("The link is selected: copy it with Ctrl+C (⌘C on a Mac) or by a long press."),
            _("Copy"), w.id)
    if context["can_manage"] and context["campaign"].state == "open":
        csrf = csrf_field(context)
        actions = format_html(
            '\n<form method="post" action="{}{}/link/" class="inline">{}<button class="link" name="send" value="0">'
            '{}</button> · <button class="link" name="send" value="1">{}</button></form>\n{}\n', context["workers_url"],
            w.id, csrf, context["t_new_link"] if link else context["t_create_link"], context["t_by_email"],
            format_html('· <form method="post" action="{}{}/revoke/" class="inline">{}<button class="link">{}</button>'
                        '</form>', context["workers_url"], w.id, csrf, context["t_revoke"]) if link else "")
    else:
        actions = "" if link else "–"
    return format_html(
        '<tr{}><td>{}<br><small>{}</small></td><td>{}</td>\n<td class="num">{} / {}{}{}</td>\n<td>{}{}</td>\n'
        "<td>{}\n{}</td></tr>\n", mark_safe(' class="late"') if p["late"] else "", w.name, w.email, p["department"],
        p["progress"].answered, p["progress"].asked, late, sent,
        short_datetime(link.sent_at) if link and link.sent_at else "–", reminded, shown, actions)
