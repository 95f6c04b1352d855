"""The policy choices form: built from the catalog and the organisation's candidates; the core validates values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tebiki.catalog import Catalog
from tebiki.core.policy import (
    ASPECTS,
    Candidate,
    ParameterInfo,
    PolicyChoices,
    no_control_characters,
    parameters,
    template,
    validate_parameters,
)

ENCRYPT_CHOICES = [("", "–"), ("yes", _("Required")), ("no", _("Not required"))]
ASPECT_LABELS = {"confidentiality": _("Confidentiality"), "integrity": _("Integrity"),
                 "availability": _("Availability"), "accountability": _("Accountability")}
MAX_ASSETS = 50


def plain_text(value: str) -> None:
    try:
        no_control_characters(value)
    except ValueError:
        raise ValidationError(_("Control characters are not allowed.")) from None


def include_field(item: str) -> str:
    return "include-" + item.removeprefix("csaj-2018:")


def param_field(name: str) -> str:
    return "param-" + name


def impact_field(item: str, aspect: str) -> str:
    return f"impact-{item.removeprefix('csaj-2018:')}-{aspect}"


def state_field(item: str) -> str:
    return "state-" + item.removeprefix("csaj-2018:")


class PolicyChoicesForm(forms.Form):
    """Effective date, should/may items and rule articles, parameters, assets and the per-policy evaluation."""

    effective_date = forms.DateField(label=_("Effective date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, catalog: Catalog, cands: list[Candidate], choices: PolicyChoices, *args: Any, lang: str = "ja",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalog, self.lang = catalog, lang
        tpl = template(catalog)
        self.units = tpl.units if lang == "ja" else {}
        self.fields["effective_date"].initial = choices.effective_date
        self.choosable = [c for c in cands if c.choosable]
        for c in self.choosable:
            self.fields[include_field(c.id)] = forms.BooleanField(required=False, initial=c.included,
                                                                  label=c.title[lang])
        self.params: list[ParameterInfo] = [p for p in parameters(catalog).values() if p.editable]
        for info in self.params:
            initial = choices.parameters.get(info.name, info.default)
            label = info.label[lang]
            if info.spec.type == "int":
                field = forms.IntegerField(label=label, min_value=info.spec.min, max_value=info.spec.max,
                                           initial=initial)
            else:
                field = forms.ChoiceField(label=label, choices=[(str(c), str(c)) for c in info.spec.choices],
                                          initial=str(initial))
            self.fields[param_field(info.name)] = field
        self.asset_classes = catalog.self_evaluation.asset_classes
        for ac in self.asset_classes:
            entry = choices.assets.get(ac.id)
            self.fields[f"assets-{ac.id}"] = forms.CharField(
                label=getattr(ac.title, lang), required=False, max_length=5000, validators=[plain_text],
                widget=forms.Textarea(attrs={"rows": 3}), initial="\n".join(entry.assets) if entry else "",
                help_text=_("One information asset per line."))
            encrypt = "" if entry is None or entry.encrypt is None else "yes" if entry.encrypt else "no"
            self.fields[f"encrypt-{ac.id}"] = forms.ChoiceField(label=_("Encryption"), choices=ENCRYPT_CHOICES,
                                                                required=False, initial=encrypt)
        levels = [("", "–")] + [(lv.id, lv.title[lang]) for lv in tpl.impact_levels]
        self.evaluated = [c for c in cands if c.kind == "policy" and c.applies]
        for c in self.evaluated:
            impact = choices.impacts.get(c.id)
            row = f"{c.id.removeprefix('csaj-2018:')} {c.title[lang]}"  # the table cells have no <label>: name them
            for aspect in ASPECTS:
                self.fields[impact_field(c.id, aspect)] = forms.ChoiceField(
                    label=ASPECT_LABELS[aspect], choices=levels, required=False,
                    initial=getattr(impact, aspect) if impact else "",
                    widget=forms.Select(attrs={"aria-label": f"{row}: {ASPECT_LABELS[aspect]}"}))
            self.fields[state_field(c.id)] = forms.CharField(
                label=_("Current state"), required=False, max_length=500, validators=[plain_text],
                initial=impact.current_state if impact and impact.current_state else "",
                widget=forms.TextInput(attrs={"aria-label": f"{row}: {_('Current state')}"}))

    # groups for the template
    def include_rows(self):
        return [(c, self[include_field(c.id)]) for c in self.choosable]

    def param_rows(self):
        return [(p, self[param_field(p.name)], self.units.get(p.unit, p.unit) if p.unit else "") for p in self.params]

    def asset_rows(self):
        return [(ac, self[f"assets-{ac.id}"], self[f"encrypt-{ac.id}"]) for ac in self.asset_classes]

    def impact_rows(self):
        return [(c, [self[impact_field(c.id, a)] for a in ASPECTS], self[state_field(c.id)]) for c in self.evaluated]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = {p.name: data[param_field(p.name)] for p in self.params if data.get(param_field(p.name)) is not None}
        problems = validate_parameters(self.catalog, values)[1]
        for problem in problems:  # relations between values, e.g. an upper bound below its lower bound
            self.add_error(param_field(problem.name), problem.reason)
        for ac in self.asset_classes:
            lines = [line.strip() for line in (data.get(f"assets-{ac.id}") or "").splitlines() if line.strip()]
            if len(lines) > MAX_ASSETS or any(len(line) > 500 for line in lines):
                self.add_error(f"assets-{ac.id}", _("At most 50 assets of up to 500 characters each."))
        return data

    def to_choices(self) -> dict[str, Any]:
        """The cleaned form as PolicyChoices data (only what differs from the CSAJ defaults)."""
        data = self.cleaned_data
        defaults = {p.name: p.default for p in self.params}
        out: dict[str, Any] = {
            "include": {c.id: bool(data[include_field(c.id)]) for c in self.choosable},
            "parameters": {},
            "assets": {},
            "impacts": {},
        }
        for p in self.params:
            raw = data[param_field(p.name)]
            value = next((c for c in p.spec.choices if str(c) == raw), raw) if p.spec.type == "choice" else raw
            if value != defaults[p.name]:
                out["parameters"][p.name] = value
        if data.get("effective_date"):
            out["effective_date"] = data["effective_date"].isoformat()
        for ac in self.asset_classes:
            lines = [line.strip() for line in data[f"assets-{ac.id}"].splitlines() if line.strip()]
            encrypt = {"yes": True, "no": False}.get(data[f"encrypt-{ac.id}"])
            if lines or encrypt is not None:
                out["assets"][ac.id] = {"assets": lines, "encrypt": encrypt}
        for c in self.evaluated:
            entry = {a: data[impact_field(c.id, a)] or None for a in ASPECTS}
            entry["current_state"] = data[state_field(c.id)].strip() or None
            if any(entry.values()):
                out["impacts"][c.id] = {k: v for k, v in entry.items() if v is not None}
        return out
