"""The device register: enrolment tokens, devices with their latest checks, and the fleet summary."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from pathlib import Path

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tebiki.agent.rules import CHECK_IDS, check_texts
from tebiki.core.vocabulary import VERDICT
from tebiki.web.assessments.templatetags.tebiki_tags import tr
from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_object_or_404, org_objects, org_view
from tebiki.web.orgs.revoking import token_revoke_view
from tebiki.web.paging import page_of
from tebiki.web.people.models import Worker
from tebiki.web.sealed import show_once, take_once
from tebiki.web.vocab import lang

from .models import CheckReport, Device, EnrolmentToken
from .pages import check_again, newest_checks
from .service import fleet


class TokenForm(forms.Form):
    label = forms.CharField(max_length=100, required=False)  # Django refuses NUL characters here


class DeviceForm(forms.ModelForm):
    """What the register knows better than the device: who uses it, who owns it, and which worker sees its
    checks through their personal link."""

    class Meta:
        model = Device
        fields = ["owner", "ownership", "worker"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # only the organisation's own workers can be chosen (a foreign id is refused as an invalid choice)
        self.fields["worker"].queryset = Worker.objects.filter(organisation=self.instance.organisation_id)
        self.fields["worker"].label_from_instance = lambda w: f"{w.name} <{w.email}>"


class DeviceFilter(forms.Form):
    """Filters of the register: a name or owner, an OS, not reporting lately, and a verdict — of one check, or of any
    check when none is chosen ("not checked": no result for it). A value that is not valid filters nothing and is
    named at its field."""

    q = forms.CharField(label=gettext_lazy("Device name or owner"), required=False, max_length=100)
    os = forms.ChoiceField(label="OS", required=False, choices=[("", gettext_lazy("All")), ("windows", "Windows"),
                                                                  ("macos", "macOS"), ("linux", "Linux")])
    check = forms.ChoiceField(label=gettext_lazy("Check"), required=False)
    verdict = forms.ChoiceField(label=gettext_lazy("Result"), required=False)
    stale = forms.BooleanField(label=gettext_lazy("Silent for over 30 days"), required=False)

    def __init__(self, data, *, checks):
        super().__init__(data)
        self.fields["check"].choices = [("", _("Any check")), *((c["id"], tr(c["title"])) for c in checks)]
        self.fields["verdict"].choices = [("", _("All")), *VERDICT.choices(lang()), ("none", _("Not checked"))]

    @property
    def active(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def apply(self, devices, stale_before: dt.datetime):
        """*devices* (a queryset) narrowed to the filters."""
        if not self.is_valid():
            return devices
        d = self.cleaned_data
        if q := d["q"].strip():
            devices = devices.filter(Q(hostname__icontains=q) | Q(owner__icontains=q))
        if d["os"]:
            devices = devices.filter(os=d["os"])
        if d["stale"]:
            devices = devices.filter(last_seen__lt=stale_before)
        if verdict := d["verdict"]:
            def has(cid: str) -> Q:
                return ~Q(latest__has_key=cid) if verdict == "none" else Q(**{f"latest__{cid}": verdict})

            devices = devices.filter(has(d["check"]) if d["check"] else functools.reduce(
                operator.or_, (has(cid) for cid in CHECK_IDS)))
        return devices


PAGE_SIZE = 100  # devices per page of the register (the xlsx has them all)
STALE_DAYS = 30  # a terminal silent this long is flagged: its last result may no longer be true
SCRIPTS = Path(__file__).resolve().parents[2] / "agent" / "scripts"


def _flash_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)


def _checks():
    texts = check_texts()
    return [{"id": cid, "title": texts[cid]["title"]} for cid in CHECK_IDS]


@require_GET
@org_view()
def register(request: HttpRequest) -> HttpResponse:
    every = org_objects(request, Device).order_by("hostname", "id")
    stale_before = timezone.now() - dt.timedelta(days=STALE_DAYS)
    checks = _checks()
    chosen = DeviceFilter(request.GET or None, checks=checks)
    # plain values, not model instances: the rows show these and nothing else (tebiki_tags.device_rows)
    page = page_of(request, chosen.apply(every, stale_before).values(
        "id", "hostname", "ownership", "owner", "os", "os_version", "last_seen", "latest"), PAGE_SIZE)
    return render(request, "devices/register.html", {
        "org": request.org, "devices": page.object_list, "page": page, "checks": checks, "fleet": fleet(request.org),
        "filter": chosen, "any_devices": chosen.active or bool(page.object_list) or every.exists(),
        "stale_before": stale_before, "stale_days": STALE_DAYS,
        # per row, a label looked up and a link joined, not get_ownership_display and {% url %} on 100 rows:
        # each rebuilt the choices or resolved the URL pattern again (a device's page is devices/<id>/)
        "ownership": {code: str(label) for code, label in Device._meta.get_field("ownership").flatchoices},
        "devices_url": reverse("devices", args=[request.org.id]),
        "stale": every.filter(last_seen__lt=stale_before).count(),
        "tokens": org_objects(request, EnrolmentToken) if request.membership.can_manage else [],
        "can_manage": request.membership.can_manage, "new_token": take_once(request, "new_token"),
        "api_url": request.build_absolute_uri("/api/v1/"),
    })


@require_GET
@org_view()
def register_xlsx(request: HttpRequest) -> HttpResponse:
    from tebiki.documents.report import devices_xlsx
    from tebiki.web.reports.views import XLSX, download, export_name

    def when(value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    ownership = dict(Device._meta.get_field("ownership").flatchoices)
    rows = org_objects(request, Device).order_by("hostname", "id").values_list(
        "hostname", "owner", "ownership", "os", "os_version", "first_seen", "last_seen", "latest")
    devices = ({"hostname": hostname, "owner": owner, "ownership": str(ownership.get(own, own)), "os": version or os_,
                "first_seen": when(first), "last_seen": when(last), "latest": latest or {}}
               for hostname, owner, own, os_, version, first, last, latest in rows.iterator(chunk_size=2000))
    body = devices_xlsx(request.org.name, _checks(), devices, fleet(request.org), timezone.localdate(),
                        count=rows.count())
    return download(request, body, XLSX, export_name(request, "xlsx", "devices"))


@require_POST
@org_view("manage")
def create_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect("devices", org_id=request.org.id)
    label = form.cleaned_data["label"] or _("Enrolment token")
    with transaction.atomic():
        token, secret = EnrolmentToken.issue(request.org, label, request.user)
        audit.record("token.create", request=request, organisation=request.org, target=label, data={"hint": token.hint})
    show_once(request, "new_token", secret)  # shown once on the next page, then gone; sealed meanwhile
    return redirect(reverse("devices", args=[request.org.id]) + "#enrol")


revoke_token = token_revoke_view(
    EnrolmentToken, action="token.revoke", then="devices",
    message=gettext_lazy("Token revoked; devices using it can no longer upload."))


@require_GET
@org_view()
def device(request: HttpRequest, device_id: int) -> HttpResponse:
    dev = org_object_or_404(request, Device, id=device_id)
    reports = CheckReport.objects.filter(device=dev).order_by("-as_of", "-received_at", "-id") \
        .prefetch_related("results")[:30]
    history = [{"report": r, "verdicts": {res.check_id: res for res in r.results.all()}} for r in reports]
    newest = newest_checks(dev, history[0]["verdicts"]) if history else []
    return render(request, "devices/device.html", {
        "org": request.org, "device": dev, "checks": _checks(), "history": history, "newest": newest,
        "can_manage": request.membership.can_manage, "form": DeviceForm(instance=dev),
        "report_count": dev.reports.count(), "links": dev.links.filter(revoked_at__isnull=True,
                                                                          expires_at__gt=timezone.now()).count(),
        "again": check_again(request, dev, history[0]["report"].source if history else "capture")})


@require_POST
@org_view("manage")
def edit_device(request: HttpRequest, device_id: int) -> HttpResponse:
    dev = org_object_or_404(request, Device, id=device_id)
    form = DeviceForm(request.POST, instance=dev)
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect("device", org_id=request.org.id, device_id=dev.id)
    if form.has_changed():
        with transaction.atomic():
            form.save()
            audit.record("device.edit", request=request, organisation=request.org, target=dev.hostname,
                         data={f: str(v) if isinstance(v := form.cleaned_data[f], Worker) else v
                               for f in form.changed_data})
        messages.success(request, _("Saved."))
    return redirect("device", org_id=request.org.id, device_id=dev.id)


@require_POST
@org_view("manage")
def revoke_device_links(request: HttpRequest, device_id: int) -> HttpResponse:
    """Withdraw every personal link to this device's page (e.g. a link was forwarded to the wrong person)."""
    dev = org_object_or_404(request, Device, id=device_id)
    with transaction.atomic():
        n = dev.links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record("device.links_revoke", request=request, organisation=request.org, target=dev.hostname,
                     data={"links": n})
    messages.success(request, _("The links to this device's page no longer work. The next check gives a new one."))
    return redirect("device", org_id=request.org.id, device_id=dev.id)


@require_POST
@org_view("manage")
def remove_device(request: HttpRequest, device_id: int) -> HttpResponse:
    """Take a retired terminal out of the register, with its reports. If it reports again, it comes back."""
    dev = org_object_or_404(request, Device, id=device_id)
    with transaction.atomic():
        reports = dev.reports.count()
        audit.record("device.remove", request=request, organisation=request.org, target=dev.hostname,
                     data={"key": dev.key, "reports": reports})
        dev.delete()
    messages.success(request, _("%(name)s was removed from the register with its %(count)d reports.")
                     % {"name": dev.hostname, "count": reports})
    return redirect("devices", org_id=request.org.id)


@require_GET
def script(request: HttpRequest, name: str) -> FileResponse:
    """The capture scripts, public and without secrets: the token is passed when running them."""
    if name not in ("capture.sh", "capture.ps1"):
        raise Http404
    resp = FileResponse((SCRIPTS / name).open("rb"), as_attachment=True, filename=name,
                        content_type="text/plain; charset=utf-8")
    return resp
