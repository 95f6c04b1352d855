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
EQUIPMENT_CHOICES = [("pc:company", _("Company PC")), ("mobile:company", _("Company smartphone or tablet")),
                     ("pc:private", _("Own PC (BYOD)")), ("mobile:private", _("Own smartphone or tablet (BYOD)"))]
REMOTE_ACCESS_CHOICES = [("vpn_appliance", _("VPN equipment")), ("rd_gateway", _("Remote desktop gateway")),
                         ("vdi_gateway", _("Virtual desktop (VDI) gateway")), ("none", _("None"))]
INFORMATION_CHOICES = [("personal_data", _("Personal data of customers or staff")),
                       ("my_number", _("My Number (individual numbers)")),
                       ("customer_confidential", _("Customers' confidential information"))]
SERVER_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("", _("Not sure (decide from the methods)"))]
NONE = "none"  # "none of these", as opposed to nothing ticked, which means "as the organisation" / "not sure"


def _lang_title(text) -> str:
    from tebiki.web.assessments.templatetags.tebiki_tags import tr
    return tr(text)


def _checkboxes(label, choices, help_text="") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, help_text=help_text,
                                     widget=forms.CheckboxSelectMultiple)


def _none_or_list(values: list[str], field: str) -> list[str] | None:
    """Nothing ticked → None (not said); "none" → []; "none" together with a value is a contradiction."""
    if not values:
        return None
    if NONE in values:
        if len(values) > 1:
            raise forms.ValidationError({field: _("“None” cannot be ticked together with another answer.")})
        return []
    return values


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=100)


class ProfileForm(forms.Form):
    """Step 1: the facts that hold for the whole organisation (departments may differ in the next step)."""

    name = forms.CharField(label=_("Organisation name"), max_length=100)
    size = forms.IntegerField(label=_("Number of employees"), min_value=1, max_value=1_000_000)
    cloud = _checkboxes(_("Cloud services in use"), CLOUD_CHOICES)
    wifi = _checkboxes(_("Wi-Fi used for telework"), WIFI_CHOICES)
    windows = forms.BooleanField(label=_("Windows PCs are used"), required=False, initial=True)
    active_directory = forms.BooleanField(
        label=_("Active Directory is used"), required=False,
        help_text=_("Windows' central management of accounts and PCs (a server that signs everyone in)."))
    external_media = forms.BooleanField(label=_("USB sticks or other removable media are used"), required=False)
    servers = forms.ChoiceField(
        label=_("Servers or a NAS in the office"), choices=SERVER_CHOICES, required=False, widget=forms.RadioSelect,
        help_text=_("File servers, business systems or a network disk (NAS) that run on your own premises."))
    remote_access = _checkboxes(
        _("Remote-access equipment reachable from the internet"), REMOTE_ACCESS_CHOICES,
        _("Devices that let people into the office network from outside, such as a VPN box on the internet line. "
          "Leave empty if you are not sure: it is then taken from the telework methods."))
    information = _checkboxes(
        _("Information you handle"), INFORMATION_CHOICES,
        _("Sensitive information makes leaks more serious, so measures that protect it move up."))
    local_breakout = forms.BooleanField(
        label=_("Cloud traffic goes straight to the internet (local breakout)"), required=False,
        help_text=_("Traffic to cloud services leaves from the home or branch line instead of passing through the "
                    "office network. Tick it if telework PCs reach the cloud without the office VPN."))
    admin = forms.ChoiceField(label=_("Who runs IT"), choices=[("inhouse", _("Our own staff")),
                                                               ("outsourced", _("An outside provider"))])

    def clean(self):
        data = super().clean()
        if "remote_access" in data:
            data["remote_access"] = _none_or_list(data["remote_access"], "remote_access")
        if "servers" in data:
            data["servers"] = {"yes": True, "no": False}.get(data["servers"])
        return data

    @staticmethod
    def initial_from(profile: dict) -> dict:
        """Form values for a stored profile (the reverse of clean())."""
        out = {k: v for k, v in profile.items() if k != "departments"}
        ra = profile.get("remote_access")
        out["remote_access"] = [] if ra is None else (list(ra) or [NONE])
        out["servers"] = {True: "yes", False: "no"}.get(profile.get("servers"), "")
        return out


ANSWER_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("", _("Not sure"))]


def question_field(name: str) -> str:
    return f"q_{name}"


def method_choices():
    return [(m.id, _lang_title(m.title)) for m in get_catalog().methods]


class DepartmentForm(forms.Form):
    """One department: who, how many, how they telework and on what; what differs from the organisation.

    The method questions are optional: answering some of them and pressing "suggest" ticks the methods they
    point to (see setup_departments); they are not stored.
    """

    id = forms.RegexField(regex=r"^[a-z0-9][a-z0-9_-]{0,39}$", required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Department"), max_length=100)
    people = forms.IntegerField(label=_("Teleworkers"), min_value=1, max_value=100_000)
    methods = forms.MultipleChoiceField(label=_("Telework methods"), widget=forms.CheckboxSelectMultiple)
    equipment = forms.MultipleChoiceField(label=_("Devices people use"), choices=EQUIPMENT_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)
    work_forms = forms.MultipleChoiceField(label=_("Where they work"), choices=WORK_FORM_CHOICES,
                                           widget=forms.CheckboxSelectMultiple)
    own_cloud = _checkboxes(_("Cloud services (if not those of the organisation)"),
                            [*CLOUD_CHOICES, (NONE, _("None"))])
    own_wifi = _checkboxes(_("Wi-Fi (if not as the organisation)"), [*WIFI_CHOICES, (NONE, _("None"))])
    own_media = forms.ChoiceField(label=_("Removable media"), required=False,
                                  choices=[("", _("As the organisation")), ("yes", _("Used")), ("no", _("Not used"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methods"].choices = method_choices()
        for q in questionnaire().questions:
            self.fields[question_field(q.id)] = forms.ChoiceField(
                label=_lang_title(q.text), choices=ANSWER_CHOICES, required=False, widget=forms.RadioSelect)

    @property
    def main_fields(self):
        return [self["name"], self["people"]]

    @property
    def how_fields(self):
        return [self["equipment"], self["work_forms"]]

    @property
    def own_fields(self):
        return [self["own_cloud"], self["own_wifi"], self["own_media"]]

    @property
    def deleted(self) -> bool:
        return bool(self["DELETE"].value()) if "DELETE" in self.fields else False

    @property
    def question_fields(self):
        return [self[question_field(q.id)] for q in questionnaire().questions]

    @property
    def differs(self) -> bool:
        """The department has its own cloud, Wi-Fi or media answer (the form opens that part)."""
        return any(self[name].value() for name in ("own_cloud", "own_wifi", "own_media"))

    def answers(self) -> dict[str, bool]:
        """The method questions answered yes or no (from the raw data: the form need not be valid)."""
        out = {}
        for q in questionnaire().questions:
            value = self[question_field(q.id)].value()
            if value in ("yes", "no"):
                out[q.id] = value == "yes"
        return out

    def department(self) -> dict:
        """The cleaned data as a profile department (version 2)."""
        d = self.cleaned_data
        out = {"id": d.get("id") or "", "name": d["name"].strip(), "people": d["people"], "methods": d["methods"],
               "work_forms": d["work_forms"],
               "equipment": [dict(zip(("kind", "owner"), e.split(":"), strict=True)) for e in d["equipment"]]}
        cloud, wifi = _none_or_list(d["own_cloud"], "own_cloud"), _none_or_list(d["own_wifi"], "own_wifi")
        if cloud is not None:
            out["cloud"] = cloud
        if wifi is not None:
            out["wifi"] = wifi
        if d["own_media"]:
            out["removable_media"] = d["own_media"] == "yes"
        return out

    def clean(self):
        data = super().clean()
        for name in ("own_cloud", "own_wifi"):
            if name in data:
                _none_or_list(data[name], name)
        return data

    @staticmethod
    def initial_from(dept: dict) -> dict:
        """Form values for a stored department (the reverse of department())."""
        out = {k: dept[k] for k in ("id", "name", "people", "methods", "work_forms") if k in dept}
        out["equipment"] = [f"{e['kind']}:{e['owner']}" for e in dept.get("equipment", [])]
        for key, name in (("cloud", "own_cloud"), ("wifi", "own_wifi")):
            if dept.get(key) is not None:
                out[name] = list(dept[key]) or [NONE]
        if dept.get("removable_media") is not None:
            out["own_media"] = "yes" if dept["removable_media"] else "no"
        return out


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
