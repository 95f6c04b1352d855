"""tebiki.web.widgets.Select renders what Django's forms.Select renders with its templates."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.translation import gettext_lazy, override

from tebiki.web.widgets import Select

HOSTILE = '<b>"R&D\'</b>'
CHOICES = [
    [("", "All"), ("a", "Alpha"), ("b", "Beta")],
    [("x", HOSTILE), (HOSTILE, "value with markup"), (3, "a number")],
    [("", gettext_lazy("All")), ("Group one", [("g1", "One"), ("g2", "Two")]), ("z", "Last")],
    [("科目", [("ja", "日本語の選択肢")]), ("solo", "Solo")],
    [],
]


@pytest.mark.parametrize("choices", CHOICES)
@pytest.mark.parametrize("value", [None, "", "a", "g2", HOSTILE, 3, "ja", "nothing-like-it"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_f"}, {"id": 'i"d', "required": True, "disabled": False,
                                                         "data-x": HOSTILE, "size": 3}])
def test_the_html_is_djangos(choices, value, attrs):
    with override("ja"):
        ours = Select(choices=choices).render("f<&>", value, attrs=attrs)
        django = forms.Select(choices=choices).render("f<&>", value, attrs=attrs)
    assert ours == django


def test_a_bound_field_renders_it_with_its_choice_selected():
    class F(forms.Form):
        pick = forms.ChoiceField(required=False, widget=Select, choices=[("", "All"), ("b", HOSTILE)])

    html = str(F({"pick": "b"})["pick"])
    assert '<option value="b" selected>&lt;b&gt;&quot;R&amp;D&#x27;&lt;/b&gt;</option>' in html
    assert html.startswith('<select name="pick" id="id_pick">') and HOSTILE not in html
