"""Form widgets built in Python where Django's widget templates are the cost of a page served on every request."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html renders: True as a bare attribute, False left out, else name="value"."""
    return "".join("" if value is False else f" {conditional_escape(name)}" if value is True
                   else f' {conditional_escape(name)}="{conditional_escape(str(value))}"' for name, value in attrs.items())


class Select(forms.Select):
    """forms.Select with the HTML of Django's select.html and select_option.html (whose final newline follows each
    option), built without the template engine: the checklist's filter form has eight selects, and as templates (an
    include per option) they took about 7 ms of every request. tests/web/test_widgets.py compares the two."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            out.extend(f'\n  <option value="{conditional_escape(str(o["value"]))}"{_attrs(o["attrs"])}>'
                       f'{conditional_escape(o["label"])}</option>\n' for o in options)
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
