"""The policy choices in sections: each section is its own short form, built from the catalog and the organisation's
candidates, and saves only its own part of the choices; the core validates the whole."""

from __future__ import annotations

from dataclasses import dataclass
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
    parameters,
    template,
    validate_parameters,
)
from tebiki.core.text import no_control_characters

ENCRYPT_CHOICES = [("", "–"), ("yes", _("Required")), ("no", _("Not required"))]
ASPECT_LABELS = {"confidentiality": _("Confidentiality"), "integrity": _("Integrity"),
                 "availability": _("Availability"), "accountability": _("Accountability")}
MAX_ASSETS = 50
# What a unit of a parameter is called on the page (the rulebook has its own words in the document template).
UNITS = {"characters": _("characters"), "times/month": _("times a month"), "attempts": _("attempts"),
         "minutes": _("minutes"), "weeks": _("weeks"), "years": _("years"), "MB": "MB", "TB": "TB",
         "bits": _("bits"), "port": ""}


@dataclass(frozen=True)
class Section:
    """One part of the policy page with its own form: the basics, or the CSAJ chapters whose numbers start with
    one of *prefixes* (their recommended items, values and impact ratings)."""

    id: str
    title: Any
    prefixes: tuple[str, ...] = ()

    def holds(self, section_number: str) -> bool:
        return any(section_number == p or section_number.startswith(p + ".") for p in self.prefixes)

    @property
    def url_name(self) -> str:
        return "policy_" + self.id


SECTIONS = (
    Section("basics", _("Basics")),
    Section("devices", _("Lent devices"), ("5.1",)),
    Section("home", _("Networks and devices where people telework"), ("5.2",)),
    Section("accounts", _("Office systems and accounts"), ("6",)),
    Section("remote", _("Connections and remote access"), ("7",)),
    Section("logs", _("Keeping logs"), ("8",)),
    Section("rules", _("Model rules: handling information and lent devices"), ("9",)),
)
SECTION = {s.id: s for s in SECTIONS}


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


class PolicySectionForm(forms.Form):
    """One section of the choices: the effective date and the assets (basics), or a chapter's should/may items and
    rule articles, its parameters and the evaluation of its policies. Only these fields are posted and saved."""

    def __init__(self, catalog: Catalog, cands: list[Candidate], choices: PolicyChoices, section: Section,
                 *args: Any, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalog, self.choices, self.section = catalog, choices, section
        tpl = template(catalog)
        mine = [c for c in cands if section.holds(c.section)]
        if section.id == "basics":
            self.fields["effective_date"] = forms.DateField(
                label=_("Effective date"), required=False, initial=choices.effective_date,
                widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Leave empty to use the date of the download."))
        self.choosable = [c for c in mine if c.choosable]
        for c in self.choosable:
            self.fields[include_field(c.id)] = forms.BooleanField(required=False, initial=c.included,
                                                                  label=c.title[lang])
        first_use = {c.id: c.section for c in cands}
        self.params: list[ParameterInfo] = [p for p in parameters(catalog).values()
                                            if p.editable and section.holds(first_use.get(p.items[0], ""))]
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
        self.asset_classes = catalog.self_evaluation.asset_classes if section.id == "basics" else []
        for ac in self.asset_classes:
            entry = choices.assets.get(ac.id)
            self.fields[f"assets-{ac.id}"] = forms.CharField(
                label=getattr(ac.title, lang), required=False, max_length=5000, validators=[plain_text],
                widget=forms.Textarea(attrs={"rows": 3}), initial="\n".join(entry.assets) if entry else "",
                help_text=_("One information asset per line."))
            encrypt = "" if entry is None or entry.encrypt is None else "yes" if entry.encrypt else "no"
            self.fields[f"encrypt-{ac.id}"] = forms.ChoiceField(
                label=_("Encryption of “%(assets)s”") % {"assets": getattr(ac.title, lang)}, choices=ENCRYPT_CHOICES,
                required=False, initial=encrypt)
        levels = [("", "–")] + [(lv.id, lv.title[lang]) for lv in tpl.impact_levels]
        self.evaluated = [c for c in mine if c.kind == "policy" and c.applies]
        for c in self.evaluated:
            impact = choices.impacts.get(c.id)
            for aspect in ASPECTS:
                self.fields[impact_field(c.id, aspect)] = forms.ChoiceField(
                    label=ASPECT_LABELS[aspect], choices=levels, required=False,
                    initial=getattr(impact, aspect) if impact else "")
            self.fields[state_field(c.id)] = forms.CharField(
                label=_("Current state"), required=False, max_length=500, validators=[plain_text],
                initial=impact.current_state if impact and impact.current_state else "")

    @property
    def is_empty(self) -> bool:
        return not self.fields

    @property
    def has_impacts(self) -> bool:
        """Some policy of this section has been rated, or a rating was refused: the ratings are shown open."""
        names = {impact_field(c.id, a) for c in self.evaluated for a in ASPECTS} | {state_field(c.id) for c in self.evaluated}
        return any(c.id in self.choices.impacts for c in self.evaluated) or bool(names & set(self.errors))

    # groups for the template
    def include_rows(self):
        return [(c, self[include_field(c.id)]) for c in self.choosable]

    def param_rows(self):
        return [(p, self[param_field(p.name)], UNITS.get(p.unit, p.unit) if p.unit else "") for p in self.params]

    def asset_rows(self):
        return [(ac, self[f"assets-{ac.id}"], self[f"encrypt-{ac.id}"]) for ac in self.asset_classes]

    def impact_rows(self):
        return [(c, [self[impact_field(c.id, a)] for a in ASPECTS], self[state_field(c.id)]) for c in self.evaluated]

    def full_clean(self) -> None:
        """Validate, then point every field with an error at its message (aria-describedby, aria-invalid)."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = ([f"{bound.auto_id}_helptext"] if self.fields[name].help_text else []) + [f"{bound.auto_id}_error"]
                self.fields[name].widget.attrs.update({"aria-describedby": " ".join(ids), "aria-invalid": "true"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        values = {**self.choices.parameters, **{p.name: data[param_field(p.name)] for p in self.params
                                                 if data.get(param_field(p.name)) is not None}}
        mine = {p.name for p in self.params}
        for problem in validate_parameters(self.catalog, values)[1]:  # relations, e.g. an upper below its lower bound
            self.add_error(param_field(problem.name) if problem.name in mine else None, problem.reason)
        for ac in self.asset_classes:
            lines = [line.strip() for line in (data.get(f"assets-{ac.id}") or "").splitlines() if line.strip()]
            if len(lines) > MAX_ASSETS or any(len(line) > 500 for line in lines):
                self.add_error(f"assets-{ac.id}", _("At most 50 assets of up to 500 characters each."))
        return data

    def merged(self) -> dict[str, Any]:
        """The organisation's whole choices as data, this section's part replaced by the cleaned form (values equal
        to the CSAJ defaults are left out); the other sections' parts as they were stored."""
        data = self.cleaned_data
        out: dict[str, Any] = self.choices.model_dump(mode="json", exclude_defaults=True)
        for key in ("include", "parameters", "assets", "impacts"):
            out.setdefault(key, {})
        if "effective_date" in self.fields:
            out.pop("effective_date", None)
            if data.get("effective_date"):
                out["effective_date"] = data["effective_date"].isoformat()
        out["include"].update({c.id: bool(data[include_field(c.id)]) for c in self.choosable})
        for p in self.params:
            raw = data[param_field(p.name)]
            value = next((c for c in p.spec.choices if str(c) == raw), raw) if p.spec.type == "choice" else raw
            out["parameters"].pop(p.name, None)
            if value != p.default:
                out["parameters"][p.name] = value
        for ac in self.asset_classes:
            lines = [line.strip() for line in data[f"assets-{ac.id}"].splitlines() if line.strip()]
            encrypt = {"yes": True, "no": False}.get(data[f"encrypt-{ac.id}"])
            out["assets"].pop(ac.id, None)
            if lines or encrypt is not None:
                out["assets"][ac.id] = {"assets": lines, "encrypt": encrypt}
        for c in self.evaluated:
            entry = {a: data[impact_field(c.id, a)] or None for a in ASPECTS}
            entry["current_state"] = data[state_field(c.id)].strip() or None
            out["impacts"].pop(c.id, None)
            if any(entry.values()):
                out["impacts"][c.id] = {k: v for k, v in entry.items() if v is not None}
        return out
