"""The markup the accessibility fixes rely on, without a browser (tests/e2e/test_axe.py checks the pages in one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import translation

import tebiki.web
from tebiki.web.assessments import charts


def render(source: str, **context) -> str:
    with translation.override("ja"):
        return Template("{% load i18n tebiki_tags %}" + source).render(Context(context))


def test_a_bar_chart_is_named_with_its_data():
    svg = charts.bars([("経営者", 0.5, "2 / 4"), ("管理者", 1.0, "3 / 3")], name="役割別")
    assert 'role="img"' in svg and 'aria-label="役割別: 経営者 2 / 4; 管理者 3 / 3"' in svg


def test_a_chart_name_is_escaped():
    assert 'aria-label="&lt;b&gt; 1"' in charts.bars([("<b>", 0.1, "1")])


def test_every_scrolling_box_of_the_templates_is_made_by_the_tag():
    """A box written by hand lacks the name and the keyboard focus (axe: scrollable-region-focusable)."""
    templates = Path(tebiki.web.__file__).parent / "templates"
    by_hand = [str(t.relative_to(templates)) for t in templates.rglob("*.html")
               if re.search(r'class="[^"]*\bscroll\b', t.read_text(encoding="utf-8"))]
    assert by_hand == []
    assert "{% scroll " in (templates / "orgs" / "profile.html").read_text(encoding="utf-8")


def test_a_wide_table_scrolls_in_a_named_focusable_region():
    html = render('{% scroll _("Devices") %}<table><tr><td>x</td></tr></table>{% endscroll %}')
    assert html == '<div class="scroll" role="region" tabindex="0" aria-label="端末"><table><tr><td>x</td></tr></table></div>'
    assert 'aria-label="A &amp; B"' in render("{% scroll name %}<table></table>{% endscroll %}", name="A & B")


def test_the_scroll_tag_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="one name"):
        render("{% scroll %}<table></table>{% endscroll %}")


@pytest.mark.parametrize(("verdict", "symbol", "words"), [("pass", "✓", "OK"), ("fail", "✗", "要対応"),
                                                      ("unknown", "?", "判定不可"), (None, "–", "未確認"),
                                                      ("", "–", "未確認"), ("PASS", "–", "未確認")])
def test_a_check_symbol_has_words_for_screen_readers(verdict, symbol, words):
    html = render("{{ v|verdict_mark }}", v=verdict)
    assert html == f'<span aria-hidden="true">{symbol}</span><span class="visually-hidden">{words}</span>'


def cell(verdict_class: str, symbol: str, words: str) -> str:
    return (f'<td class="verdict verdict-{verdict_class}"><span aria-hidden="true">{symbol}</span>'
            f'<span class="visually-hidden">{words}</span></td>')


def test_a_register_row_has_one_cell_per_check_in_the_checks_order():
    checks = [{"id": "firewall"}, {"id": "disk_encryption"}, {"id": "screen_lock"}, {"id": "os_updates"}]
    latest = {"disk_encryption": "pass", "firewall": "fail", "screen_lock": "unknown", "smb1": "pass"}
    assert render("{{ latest|verdict_cells:checks }}", latest=latest, checks=checks) == (
        cell("fail", "✗", "要対応") + cell("pass", "✓", "OK") + cell("unknown", "?", "判定不可")
        + cell("none", "–", "未確認"))


@pytest.mark.parametrize("latest", [None, {}, {"firewall": "PASS"}, {"firewall": ["pass"]}, ["pass"]])
def test_a_register_cell_without_a_known_verdict_is_not_checked(latest):
    assert render("{{ latest|verdict_cells:checks }}", latest=latest, checks=[{"id": "firewall"}]) == cell(
        "none", "–", "未確認")


def test_register_cells_follow_the_language():
    with translation.override("en"):
        html = Template("{% load tebiki_tags %}{{ l|verdict_cells:c }}").render(Context(
            {"l": {"firewall": "fail"}, "c": [{"id": "firewall"}]}))
    assert html == cell("fail", "✗", "Needs action")
    assert render("{{ l|verdict_cells:c }}", l={"firewall": "fail"}, c=[{"id": "firewall"}]) == cell(
        "fail", "✗", "要対応")


def test_the_register_marks_each_devices_verdicts_in_words(cast):
    from tebiki.web.devices.models import Device

    Device.objects.create(organisation=cast.org, key="dev-mark-0001", hostname="PC-1", os="linux",
                          latest={"firewall": "fail", "disk_encryption": "pass"})
    html = cast.client(cast.admin).get(reverse("devices", args=[cast.org.id])).content.decode()
    assert ('<td class="verdict verdict-fail"><span aria-hidden="true">✗</span>'
            '<span class="visually-hidden">要対応</span></td>') in html
    assert '<td class="verdict verdict-none"><span aria-hidden="true">–</span>' in html


def test_a_status_select_offers_each_status_with_the_current_one_selected():
    statuses = [("unchecked", "未確認"), ("done", "実施済み"), ("not_done", "<未実施>")]
    assert render("{{ s|status_options:statuses }}", s="done", statuses=statuses) == (
        '<option value="unchecked">未確認</option><option value="done" selected>実施済み</option>'
        '<option value="not_done">&lt;未実施&gt;</option>')
    assert " selected" not in render("{{ s|status_options:statuses }}", s="partly", statuses=statuses)
