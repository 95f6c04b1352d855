"""Forms for contacts, incident reports and the incident log; validation lives here, messages at the field."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tebiki.catalog import get_catalog
from tebiki.core.incidents import GENERAL, situations
from tebiki.core.text import NO_CONTROL
from tebiki.web.assessments.templatetags.tebiki_tags import measure_label, tr

from .models import Contact, Status

no_control = RegexValidator(NO_CONTROL, _("Remove the control characters."))
phone_chars = RegexValidator(r"^[0-9０-９+()（）\-－ 　#*ext.内線]*$", _("Use digits, spaces, + - ( ) only."))


def situation_choices(with_general: bool = False) -> list[tuple[str, str]]:
    out = [(s.id, tr(s.title)) for s in situations().situations]
    return ([(GENERAL, str(_("Every situation")))] + out) if with_general else out


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["situation", "availability", "name", "role", "phone", "email", "hours", "notes", "position"]
        help_texts = {"hours": _("e.g. weekdays 9:00–18:00"), "position": _("Smaller numbers come first.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"] = forms.ChoiceField(label=_("Situation"), choices=situation_choices(True))
        for name in ("name", "role", "hours", "notes"):
            self.fields[name].validators.append(no_control)
        self.fields["phone"].validators.append(phone_chars)
        self.fields["position"].max_value = 999
        self.fields["position"].widget.attrs["max"] = 999

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors and "email" not in self.errors:
            self.add_error("phone", _("Give a phone number or an email address."))
        return data


class ReportForm(forms.Form):
    """What a worker reports; kept short so it can be filled in on a phone in a hurry."""

    situation = forms.ChoiceField(label=_("What happened?"), widget=forms.RadioSelect)
    occurred_at = forms.DateTimeField(label=_("When did it happen (or when did you notice)? If you know"),
                                      required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    occurred_about = forms.CharField(label=_("Or about when, in your words"), max_length=100, required=False,
                                     validators=[no_control], help_text=_("e.g. yesterday around 6 pm; leave both "
                                                                          "empty if you do not know"))
    device = forms.CharField(label=_("Device involved"), max_length=100, required=False, validators=[no_control],
                             help_text=_("e.g. company laptop, own smartphone, USB stick"))
    description = forms.CharField(label=_("What happened, in your own words"), max_length=4000, min_length=5,
                                  validators=[no_control], widget=forms.Textarea(attrs={"rows": 5}))
    reporter_name = forms.CharField(label=_("Your name"), max_length=100, validators=[no_control])
    reporter_contact = forms.CharField(label=_("Phone or email to reach you"), max_length=150, validators=[no_control])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"].choices = situation_choices()
        for name in ("occurred_about", "device", "description", "reporter_name", "reporter_contact"):
            self.fields[name].widget.attrs["maxlength"] = self.fields[name].max_length

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value is None:  # not known: nothing is made up
            return None
        now = timezone.now()
        if value > now + timedelta(minutes=10):
            raise forms.ValidationError(_("This is in the future; give the time it happened or you noticed."))
        if value < now - timedelta(days=366):
            raise forms.ValidationError(_("This is more than a year ago; check the date."))
        return value


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("incident", "Status"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, validators=[no_control],
                           widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=4000, validators=[no_control],
                           widget=forms.Textarea(attrs={"rows": 3}))


class LinksForm(forms.Form):
    trouble_cases = forms.MultipleChoiceField(label=_("Related trouble cases"), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    measures = forms.MultipleChoiceField(label=_("Related measures"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 12}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        catalog = get_catalog()
        self.fields["trouble_cases"].choices = [(c.id, f"{c.number}. {tr(c.title)}") for c in catalog.trouble_cases]
        self.fields["measures"].choices = [(m.id, f"{measure_label(m.id)} {tr(m.title)}") for m in catalog.measures]

    def ordered(self) -> tuple[list[str], list[str]]:
        """The chosen IDs in catalog order, so the same choice always stores the same list."""
        order = {cid: i for i, (cid, _) in enumerate(self.fields["trouble_cases"].choices)}
        morder = {mid: i for i, (mid, _) in enumerate(self.fields["measures"].choices)}
        return (sorted(self.cleaned_data["trouble_cases"], key=order.__getitem__),
                sorted(self.cleaned_data["measures"], key=morder.__getitem__))


class FilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All")), ("open", _("Open")), *Status.choices])
