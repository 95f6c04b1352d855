from __future__ import annotations

import zipfile

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tebiki.core.assessment import applicability_problems, coherence_problems
from tebiki.web.widgets import Select

from .models import Decision, Difficulty, Importance, Status

PROBLEM_MESSAGES = {
    "will_do_needs_deadline": _("A decision to do it needs a deadline."),
    "will_do_needs_owner": _("A decision to do it needs an owner."),
    "will_do_but_done": _("An item that is done cannot also be planned; choose the decision “Done”."),
    "not_needed_needs_reason": _("Say why it is not needed."),
    "done_needs_done_status": _("The decision “Done” needs the status “Done” or “Partly done”."),
    "na_needs_reason": _("Say why it does not apply."),
    "not_applicable_done": _("This item does not apply here, so it cannot be marked as done or partly done."),
    "not_applicable_will_do": _("This item does not apply here, so there is nothing to plan."),
}


class ItemForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    decision = forms.ChoiceField(label=_("Decision"), choices=[("", "—"), *Decision.choices], required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason or note"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, applies: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.applies = applies

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for _field, code in applicability_problems(self.applies, data["status"], data.get("decision") or None):
            self.add_error(None, PROBLEM_MESSAGES[code])  # the page shows no fields for such a row
        problems = coherence_problems(data["status"], data.get("decision") or None, data.get("deadline"),
                                      (data.get("owner") or "").strip() or None, (data.get("reason") or "").strip() or None)
        for field, code in problems:
            self.add_error(field, PROBLEM_MESSAGES[code])
        return data


class PriorityForm(forms.Form):
    """The organisation's own importance and difficulty of a measure (blank: the default), with the reason."""

    importance = forms.ChoiceField(label=_("Importance"), choices=[("", _("Default")), *Importance.choices],
                                   required=False)
    difficulty = forms.ChoiceField(label=_("Difficulty"), choices=[("", _("Default")), *Difficulty.choices],
                                   required=False)
    override_reason = forms.CharField(label=_("Why"), max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if (data.get("importance") or data.get("difficulty")) and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the priority differs here."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        ext = ("." + f.name.rsplit(".", 1)[-1].lower()) if "." in f.name else ""
        if ext not in settings.EVIDENCE_TYPES:
            raise forms.ValidationError(_("This file type is not accepted. Allowed: %(types)s"),
                                        params={"types": ", ".join(sorted(settings.EVIDENCE_TYPES))})
        if f.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB."),
                                        params={"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)})
        head = f.read(8)
        f.seek(0)
        if not _content_matches(ext, head):
            raise forms.ValidationError(_("The file's content does not match its extension."))
        if ext in ZIP_CONTAINERS:
            _check_zip(f)
        f.tebiki_type = settings.EVIDENCE_TYPES[ext]
        return f


ZIP_CONTAINERS = (".xlsx", ".docx")
MAGIC = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
         **{ext: (b"PK\x03\x04",) for ext in ZIP_CONTAINERS}}


def _content_matches(ext: str, head: bytes) -> bool:
    if ext in MAGIC:
        return head.startswith(MAGIC[ext])
    return b"\x00" not in head  # text types: no binary content


def _check_zip(f) -> None:
    """Refuse an Office file (a zip container) that is damaged or unpacks to far more than it weighs (a zip bomb).

    The sizes the archive declares are checked; then every part is unpacked once, because a crafted archive can
    declare less than it holds: zipfile stops at the declared size, and the part's CRC check fails.
    """
    limit, ratio = settings.EVIDENCE_UNZIPPED_MAX_BYTES, settings.EVIDENCE_ZIP_MAX_RATIO
    # small files of repetitive XML compress well; judge the ratio only beyond 1 MiB unpacked
    allowed = min(limit, max(f.size * ratio, 1024 * 1024))
    try:
        with zipfile.ZipFile(f) as zf:
            parts = zf.infolist()
            if "[Content_Types].xml" not in zf.NameToInfo:
                raise forms.ValidationError(_("The file is a zip archive but not an Office document."))
            if len(parts) > settings.EVIDENCE_ZIP_MAX_PARTS or sum(p.file_size for p in parts) > allowed:
                raise forms.ValidationError(
                    _("The file unpacks to more than %(mb)s MB, to more than %(ratio)s times its size or into more "
                      "than %(parts)s parts: it is refused as a possible zip bomb."),
                    params={"mb": limit // (1024 * 1024), "ratio": ratio, "parts": settings.EVIDENCE_ZIP_MAX_PARTS})
            for part in parts:
                with zf.open(part) as member:
                    while member.read(1024 * 1024):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError,
            OSError) as err:  # damaged, encrypted, or a compression method Python lacks
        raise forms.ValidationError(_("The file is damaged: it cannot be read as an Office document.")) from err
    finally:
        f.seek(0)


class FilterForm(forms.Form):
    """Checklist filters; every field optional, unknown values are ignored by the choices."""

    role = forms.ChoiceField(required=False, widget=Select)
    category = forms.ChoiceField(required=False, widget=Select)
    scope = forms.ChoiceField(required=False, widget=Select)
    level = forms.ChoiceField(required=False, widget=Select)
    priority = forms.ChoiceField(required=False, widget=Select)
    status = forms.ChoiceField(required=False, widget=Select)
    show = forms.ChoiceField(required=False, widget=Select, choices=[
        ("applicable", _("Applicable only")), ("all", _("All items")), ("overdue", _("Past their deadline"))])
    group = forms.ChoiceField(required=False, widget=Select, choices=[
        ("priority", _("By priority")), ("category", _("By category")), ("role", _("By role"))])

    def __init__(self, data, *, catalog, scopes, lang):
        super().__init__(data)
        any_ = [("", _("All"))]
        self.fields["role"].choices = any_ + [(r.id, r.title.model_dump()[lang]) for r in catalog.roles]
        self.fields["role"].label = _("Role")
        self.fields["category"].choices = any_ + [(c.id, f"{c.id} {c.title.model_dump()[lang]}") for c in catalog.categories]
        self.fields["category"].label = _("Category")
        self.fields["scope"].choices = any_ + scopes
        self.fields["scope"].label = _("Scope")
        self.fields["level"].choices = any_ + [("basic", _("Basic")), ("advanced", _("Advanced"))]
        self.fields["level"].label = _("Level")
        self.fields["priority"].choices = any_ + [(p.id, p.title.model_dump()[lang]) for p in catalog.priority_rule.priorities]
        self.fields["priority"].label = _("Priority")
        self.fields["status"].choices = any_ + list(Status.choices)
        self.fields["status"].label = _("Status")
        self.fields["show"].label = _("Show")
        self.fields["group"].label = _("Group")
