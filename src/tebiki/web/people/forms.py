"""Forms for the roster, campaigns and the worker's answers. Validation lives here; views stay short."""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.core.training import Module, modules

from .models import Answer


def _tr(text) -> str:
    from tebiki.web.assessments.templatetags.tebiki_tags import tr

    return tr(text)

MAX_BULK_LINES = 500


def department_choices(org) -> list[tuple[str, str]]:
    return [(d["id"], d["name"]) for d in (org.profile or {}).get("departments", [])]


class PeopleFilter(forms.Form):
    """Filters of a list of workers (the roster, a campaign's results, training): a department, a name or email.
    A value that is not valid filters nothing and is named at its field."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)

    def __init__(self, data, *, org, departments=None):
        super().__init__(data)
        names = dict(department_choices(org))
        ids = list(names) if departments is None else departments
        self.fields["department"].choices = [("", _("All")), *((d, names.get(d, d)) for d in ids)]

    @property
    def chosen_department(self) -> str:
        """The department filtered on; empty for all."""
        return self.cleaned_data["department"] if self.is_valid() else ""

    @property
    def active(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def apply(self, workers):
        """*workers* (a queryset) narrowed to the filters."""
        if not self.is_valid():
            return workers
        department, q = self.cleaned_data["department"], self.cleaned_data["q"].strip()
        if department:
            workers = workers.filter(department=department)
        if q:
            workers = workers.filter(Q(name__icontains=q) | Q(email__icontains=q))
        return workers


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("Email"))
    department = forms.ChoiceField(label=_("Department"))

    def __init__(self, *args, org, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.org, self.instance = org, instance
        self.fields["department"].choices = department_choices(org)

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = self.org.workers.filter(email=email)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("A worker with this email is already on the list."))
        return email


class BulkWorkersForm(forms.Form):
    lines = forms.CharField(label=_("One worker per line: name,email,department"), widget=forms.Textarea(
        attrs={"rows": 6, "placeholder": "山田 花子,hanako@example.jp,営業部"}), max_length=100_000)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org

    def clean_lines(self):
        """Every line must be good, or nothing is stored; each problem names its line."""
        depts = department_choices(self.org)
        by_key = {key: dept_id for dept_id, name in depts for key in (dept_id, name)}
        known = set(self.org.workers.values_list("email", flat=True))
        rows, problems, seen = [], [], set()
        text = self.cleaned_data["lines"]
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if len(lines) > MAX_BULK_LINES:
            raise ValidationError(_("At most %(n)d lines at a time.") % {"n": MAX_BULK_LINES})
        for n, line in lines:
            fields = next(csv.reader(io.StringIO(line)))
            if len(fields) != 3:
                problems.append(_("Line %(n)d: expected name,email,department (3 values, found %(k)d).")
                                % {"n": n, "k": len(fields)})
                continue
            name, email, dept = (f.strip() for f in fields)
            email = email.lower()
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("Line %(n)d: %(email)s is not an email address.") % {"n": n, "email": email or "–"})
                continue
            if not name or len(name) > 100:
                problems.append(_("Line %(n)d: the name is missing or too long.") % {"n": n})
            elif dept not in by_key:
                problems.append(_("Line %(n)d: unknown department %(dept)s; known: %(known)s.")
                                % {"n": n, "dept": dept or "–", "known": "、".join(dname for _id, dname in depts)})
            elif email in known or email in seen:
                problems.append(_("Line %(n)d: %(email)s is already on the list.") % {"n": n, "email": email})
            else:
                rows.append({"name": name, "email": email, "department": by_key[dept]})
            seen.add(email)
        if problems:
            raise ValidationError(problems)
        if not rows:
            raise ValidationError(_("Paste at least one line."))
        return rows


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    departments = forms.MultipleChoiceField(label=_("Departments"), widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("Links stop working at the end of this day."))

    modules = forms.MultipleChoiceField(label=_("Training modules"), required=False, widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Workers confirm each module on the same personal page."))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = department_choices(org)
        self.fields["modules"].choices = [(m.id, _tr(m.title)) for m in modules().values()]
        self.fields["modules"].initial = list(modules())

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError(_("The deadline cannot be in the past."))
        return deadline


CHOICES = [(v, label) for v, label in Answer.Value.choices if v != Answer.Value.NA]
CHOICES_NA = CHOICES + [(Answer.Value.NA, Answer.Value.NA.label)]


class AnswerForm(forms.Form):
    """One radio group and an optional comment per question; field names are item-<n> and comment-<n>.

    「該当しない」 is a choice only for the questions in *may_not_apply*; elsewhere it is refused like any unknown value.
    """

    def __init__(self, *args, items: list[str], initial_answers: dict[str, tuple[str, str]] | None = None,
                 may_not_apply: set[str] | frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        initial_answers = initial_answers or {}
        for n, item in enumerate(items):
            value, comment = initial_answers.get(item, ("", ""))
            self.fields[f"item-{n}"] = forms.ChoiceField(choices=CHOICES_NA if item in may_not_apply else CHOICES,
                                                         required=False, widget=forms.RadioSelect, initial=value)
            self.fields[f"comment-{n}"] = forms.CharField(required=False, max_length=500, initial=comment,
                                                          widget=forms.Textarea(attrs={"rows": 2}))

    def answers(self) -> dict[str, tuple[str, str]]:
        """Item -> (value, comment) for every item answered in this form."""
        out = {}
        for n, item in enumerate(self.items):
            value = self.cleaned_data.get(f"item-{n}")
            if value:
                out[item] = (value, self.cleaned_data.get(f"comment-{n}", "").strip())
        return out

    def missing(self) -> list[int]:
        """For "submit": the question numbers (from 1) still without an answer, each marked at its field."""
        gaps = [n for n in range(len(self.items)) if not self.cleaned_data.get(f"item-{n}")]
        for n in gaps:
            self.add_error(f"item-{n}", _("Choose an answer."))
        return [n + 1 for n in gaps]

    def pairs(self):
        """(item, radio field, comment field) for the template."""
        return [(item, self[f"item-{n}"], self[f"comment-{n}"]) for n, item in enumerate(self.items)]


class TrainingForm(forms.Form):
    """Confirm a module was read; answer its quiz, if it has one (choices are indexes into the YAML)."""

    understood = forms.BooleanField(label=_("I have read this and will work this way."),
                                    error_messages={"required": _("Tick this box to confirm.")})

    def __init__(self, *args, module: Module, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        for n, q in enumerate(module.quiz):
            self.fields[f"q-{n}"] = forms.TypedChoiceField(
                label=_tr(q.question), coerce=int, widget=forms.RadioSelect,
                choices=[(i, _tr(c)) for i, c in enumerate(q.choices)],
                error_messages={"required": _("Choose an answer.")})

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"q-{n}"] for n in range(len(self.module.quiz))]

    def questions(self):
        return [(q, self[f"q-{n}"]) for n, q in enumerate(self.module.quiz)]
