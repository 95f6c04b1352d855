from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tebiki.catalog import get_catalog
from tebiki.core.diagnose import questionnaire

from .models import Role

CLOUD_CHOICES = [("mail", _("Mail")), ("chat", _("Chat")), ("meeting", _("Online meetings")),
                 ("file_sharing", _("File sharing")), ("saas", _("Other SaaS")), ("iaas", _("IaaS / PaaS"))]
WIFI_CHOICES = [("home", _("Wi-Fi at home")), ("public", _("Public Wi-Fi"))]
WORK_FORM_CHOICES = [("home", _("At home")), ("satellite", _("Satellite office")), ("mobile", _("On the move"))]
TERMINAL_CHOICES = [("company", _("Company-issued")), ("byod", _("Privately owned (BYOD)"))]
DEVICE_CHOICES = [("pc", _("PC")), ("mobile", _("Smartphone or tablet"))]


def _lang_title(text) -> str:
    from tebiki.web.assessments.templatetags.tebiki_tags import tr
    return tr(text)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=100)


class ProfileForm(forms.Form):
    """Step 1: the facts that hold for the whole organisation."""

    name = forms.CharField(label=_("Organisation name"), max_length=100)
    size = forms.IntegerField(label=_("Number of employees"), min_value=1, max_value=1_000_000)
    cloud = forms.MultipleChoiceField(label=_("Cloud services in use"), choices=CLOUD_CHOICES, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    wifi = forms.MultipleChoiceField(label=_("Wi-Fi used for telework"), choices=WIFI_CHOICES, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    windows = forms.BooleanField(label=_("Windows PCs are used"), required=False, initial=True)
    active_directory = forms.BooleanField(label=_("Active Directory is used"), required=False)
    external_media = forms.BooleanField(label=_("USB sticks or other removable media are used"), required=False)
    local_breakout = forms.BooleanField(label=_("Cloud traffic goes straight to the internet (local breakout)"),
                                        required=False)
    admin = forms.ChoiceField(label=_("Who runs IT"), choices=[("inhouse", _("Our own staff")),
                                                               ("outsourced", _("An outside provider"))])


ANSWER_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("", _("Not sure"))]


class DiagnosisForm(forms.Form):
    """Step 2: the method questionnaire from the engine; 'not sure' leaves a question unanswered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in questionnaire().questions:
            self.fields[q.id] = forms.ChoiceField(label=_lang_title(q.text), choices=ANSWER_CHOICES, required=False,
                                                  widget=forms.RadioSelect)

    def answers(self) -> dict[str, bool]:
        return {k: v == "yes" for k, v in self.cleaned_data.items() if v in ("yes", "no")}


def method_choices():
    return [(m.id, _lang_title(m.title)) for m in get_catalog().methods]


class DepartmentForm(forms.Form):
    id = forms.RegexField(regex=r"^[a-z0-9][a-z0-9_-]{0,39}$", required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Department"), max_length=100)
    people = forms.IntegerField(label=_("Teleworkers"), min_value=1, max_value=100_000, initial=1)
    methods = forms.MultipleChoiceField(label=_("Telework methods"), widget=forms.CheckboxSelectMultiple)
    work_forms = forms.MultipleChoiceField(label=_("Where they work"), choices=WORK_FORM_CHOICES,
                                           widget=forms.CheckboxSelectMultiple)
    terminals = forms.MultipleChoiceField(label=_("Terminals"), choices=TERMINAL_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)
    devices = forms.MultipleChoiceField(label=_("Devices"), choices=DEVICE_CHOICES, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methods"].choices = method_choices()


class BaseDepartmentFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        names = [f.cleaned_data["name"].strip() for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not names:
            raise forms.ValidationError(_("Add at least one department."))
        if len(names) != len(set(names)):
            raise forms.ValidationError(_("Two departments have the same name."))


DepartmentFormSet = forms.formset_factory(DepartmentForm, formset=BaseDepartmentFormSet, extra=0, min_num=1,
                                          max_num=30, validate_max=True, can_delete=True)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
