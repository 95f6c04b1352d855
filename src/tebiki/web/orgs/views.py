"""Home, the consultant overview, creating an organisation, the onboarding wizard, members and invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from tebiki.catalog import get_catalog
from tebiki.core.diagnose import diagnosis, questionnaire
from tebiki.core.plan import no_longer_applying
from tebiki.core.profile import Profile
from tebiki.web.assessments.checklist import entries
from tebiki.web.assessments.service import plan_of, refresh_summary, summaries
from tebiki.web.assessments.views import TOP_ACTIONS
from tebiki.web.audit import log as audit
from tebiki.web.vocab import lang as current_lang

from .access import org_object_or_404, org_objects, org_view
from .forms import DepartmentForm, DepartmentFormSet, InvitationForm, OrganisationForm, ProfileForm
from .models import Invitation, Membership, Organisation, Role
from .revoking import revoke


def _attention(o: dict) -> tuple:
    """Who needs help first: new incidents, then failing devices, overdue items, low self-check response, exposure."""
    response = o["response"] if o["response"] is not None else 1.0
    return (-o["new_incidents"], -o["failing_devices"], -o["overdue"], response, -o["affected"], o["org"].name)


SORTS = {"attention": _attention, "name": lambda o: o["org"].name, "score": lambda o: o["score"],
         "open": lambda o: -o["open"], "exposed": lambda o: -o["affected"], "overdue": lambda o: -o["overdue"],
         "incidents": lambda o: -o["new_incidents"], "devices": lambda o: -o["failing_devices"],
         "response": lambda o: o["response"] if o["response"] is not None else 2.0}


def _attention_counts(org_ids: list[int]) -> dict[int, dict]:
    """New incidents, devices failing a check in their newest report, and the response to the open self-checks
    (workers who submitted / workers invited), per organisation, in a few queries for the whole list."""
    from django.db.models import Count

    from tebiki.web.devices.models import Device
    from tebiki.web.incidents.models import Incident
    from tebiki.web.people.models import Campaign, PersonalLink, Submission

    out = {oid: {"new_incidents": 0, "failing_devices": 0, "invited": 0, "submitted": 0} for oid in org_ids}
    for row in (Incident.objects.filter(organisation_id__in=org_ids, status="new").values("organisation_id")
                .annotate(n=Count("id"))):
        out[row["organisation_id"]]["new_incidents"] = row["n"]
    for oid, latest in Device.objects.filter(organisation_id__in=org_ids).values_list("organisation_id", "latest"):
        out[oid]["failing_devices"] += "fail" in (latest or {}).values()
    open_ids = [c.id for c in Campaign.objects.filter(organisation_id__in=org_ids, opened_at__isnull=False,
                                                      closed_at__isnull=True, closes_at__gt=timezone.now())]
    for row in (PersonalLink.objects.current().filter(campaign_id__in=open_ids).values("organisation_id")
                .annotate(n=Count("worker_id", distinct=True))):
        out[row["organisation_id"]]["invited"] = row["n"]
    for row in (Submission.objects.filter(campaign_id__in=open_ids).values("organisation_id")
                .annotate(n=Count("worker_id", distinct=True))):
        out[row["organisation_id"]]["submitted"] = row["n"]
    return out


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    ms = list(Membership.objects.filter(user=request.user).select_related("organisation")[:2])
    if len(ms) == 1 and ms[0].role != Role.CONSULTANT:
        return redirect("dashboard", org_id=ms[0].organisation_id)
    return redirect("overview")


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every organisation the user belongs to, those needing attention first; the same figures as each dashboard."""
    ms = list(Membership.objects.filter(user=request.user).select_related("organisation"))
    ids = [m.organisation_id for m in ms]
    figures = summaries([m.organisation for m in ms])
    attention = _attention_counts(ids)
    rows = []
    for m in ms:
        s = figures[m.organisation_id]
        a = attention[m.organisation_id]
        rows.append({"org": m.organisation, "role": m.get_role_display(), "ready": m.organisation.is_ready,
                     "score": s.get("score", 0), "applicable": s.get("applicable", 0), "done": s.get("done", 0),
                     "open": s.get("open", 0), "top_open": s.get("top_open", 0),
                     "exposed": s.get("exposed_cases", 0), "partly": s.get("partly_cases", 0),
                     "affected": s.get("exposed_cases", 0) + s.get("partly_cases", 0),
                     "overdue": s.get("overdue", 0), **a,
                     "response": a["submitted"] / a["invited"] if a["invited"] else None})
    sort = request.GET.get("sort", "attention")
    if sort not in SORTS:
        sort = "attention"
    rows.sort(key=SORTS[sort])
    return render(request, "orgs/overview.html", {"rows": rows, "sort": sort})


@require_http_methods(["GET", "POST"])
@login_required
def org_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            org = Organisation.objects.create(name=form.cleaned_data["name"].strip())
            Membership.objects.create(user=request.user, organisation=org, role=Role.ADMIN)
            audit.record("org.create", request=request, organisation=org, target=org.name)
        return redirect("setup_profile", org_id=org.id)
    from .templating import TemplateStartForm, template_sources

    template_form = TemplateStartForm(sources=template_sources(request.user), prefix="tpl")
    return render(request, "orgs/new.html", {"form": form, "template_form": template_form},
                  status=422 if form.errors else 200)


def _profile_initial(org: Organisation) -> dict:
    if org.is_ready:
        return ProfileForm.initial_from(org.profile)
    return org.draft.get("profile") or {"name": org.name, "windows": True, "admin": "inhouse"}


def _profile_data(org: Organisation) -> dict:
    """The profile step's answers as profile data (not form values): the stored profile once the organisation is set
    up, so its department step can be opened and saved directly."""
    if org.is_ready:
        return {k: v for k, v in org.profile.items() if k != "departments"}
    return _profile_initial(org)


@require_http_methods(["GET", "POST"])
@org_view("manage")
def setup_profile(request: HttpRequest) -> HttpResponse:
    org = request.org
    form = ProfileForm(request.POST or None, initial=_profile_initial(org))
    if request.method == "POST" and form.is_valid():
        old_name, org.name = org.name, form.cleaned_data["name"]
        org.draft = {**org.draft, "profile": form.cleaned_data}
        with transaction.atomic():
            org.save(update_fields=["draft", "name"])
            if org.name != old_name:
                audit.record("org.rename", request=request, organisation=org, target=org.name, data={"from": old_name})
        return redirect("setup_departments", org_id=org.id)
    return render(request, "orgs/setup_profile.html", {"org": org, "form": form, "step": 1},
                  status=422 if form.errors else 200)


@require_GET
@org_view("manage")
def setup_methods(request: HttpRequest) -> HttpResponse:
    """The method questions now sit in each department of the department step."""
    return redirect("setup_departments", org_id=request.org.id)


def _department_initial(org: Organisation, profile_data: dict) -> list[dict]:
    if org.is_ready:
        return [DepartmentForm.initial_from(d) for d in org.profile["departments"]]
    methods = ["cloud_service"] if profile_data.get("cloud") else []
    return [{"id": "d1", "name": _("All staff"), "people": profile_data["size"], "methods": methods,
             "work_forms": ["home"], "equipment": ["pc:company"]}]


def _rework(data, action: str, index: str, catalog, size: int) -> tuple[object, dict]:
    """Add, remove or suggest methods for one department: a new form state to show again; nothing is saved.

    An added department starts like the one above it (methods, devices, where they work) with the people not yet
    counted in any department, so a company that splits its staff mostly types names and numbers."""
    data = data.copy()
    notes: dict[int, dict] = {}
    if action == "add":
        raw = data.get("dept-TOTAL_FORMS", "")
        total = min(int(raw), DepartmentFormSet.absolute_max) if raw.isdigit() else 0
        data["dept-TOTAL_FORMS"] = str(total + 1)
        kept = [i for i in range(total) if not data.get(f"dept-{i}-DELETE")]
        if kept:
            for field in ("methods", "work_forms", "equipment"):
                data.setlist(f"dept-{total}-{field}", data.getlist(f"dept-{kept[-1]}-{field}"))
        counted = [data.get(f"dept-{i}-people", "") for i in kept]
        rest = size - sum(int(n) for n in counted if n.isdigit())
        if rest > 0:
            data[f"dept-{total}-people"] = str(rest)
    elif index.isdigit() and action == "remove":
        data[f"dept-{index}-DELETE"] = "on"
    elif index.isdigit() and action == "suggest":
        form = DepartmentForm(data, prefix=f"dept-{index}")
        found = diagnosis(form.answers())
        if found.candidates:
            data.setlist(f"dept-{index}-methods", [c.method for c in found.candidates])
        if found.byod:
            ticked = data.getlist(f"dept-{index}-equipment")
            data.setlist(f"dept-{index}-equipment", list(dict.fromkeys(
                [*ticked, *(f"{e['kind']}:{e['owner']}" for e in found.equipment)])))
        questions = {q.id: q.text for q in questionnaire().questions}
        notes[int(index)] = {
            "candidates": [(catalog.method(c.method).title, c.reason, found.notes.get(c.method))
                           for c in found.candidates],
            "open": [(catalog.method(o.method).title, [(questions[q], a) for q, a in o.questions])
                     for o in found.open],
            "advice": found.advice,
        }
    return data, notes


@require_http_methods(["GET", "POST"])
@org_view("manage")
def setup_departments(request: HttpRequest) -> HttpResponse:
    org = request.org
    profile_data = org.draft.get("profile") or _profile_data(org)
    if "size" not in profile_data:
        return redirect("setup_profile", org_id=org.id)
    catalog = get_catalog()
    initial = _department_initial(org, profile_data)
    data = request.POST or None
    ctx = {"org": org, "step": 2, "methods": {m.id: m.definition for m in catalog.methods}, "notes": {}}
    action = next((a for a in ("add", "remove", "suggest") if data is not None and a in data), None)
    if action:  # the same page again with one change; nothing is stored and no error is shown yet
        data, ctx["notes"] = _rework(data, action, data.get(action, ""), catalog, int(profile_data["size"]))
        formset = DepartmentFormSet(data, initial=initial, prefix="dept")
        return render(request, "orgs/setup_departments.html", {**ctx, "formset": formset, "reworking": True})
    formset = DepartmentFormSet(data, initial=initial, prefix="dept")
    error = None
    if request.method == "POST" and formset.is_valid():
        depts = [f.department() for f in formset.forms if f.cleaned_data and not formset._should_delete_form(f)]
        used = {d["id"] for d in depts if d["id"]}
        n = 1
        for d in depts:
            if not d["id"]:
                while f"d{n}" in used:
                    n += 1
                d["id"] = f"d{n}"
                used.add(d["id"])
        try:
            profile = Profile.model_validate({**profile_data, "departments": depts})
        except ValidationError as err:
            error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        else:
            with transaction.atomic():
                org.profile = profile.model_dump(mode="json")
                org.save(update_fields=["profile"])
                refresh_summary(org)
                audit.record("org.profile", request=request, organisation=org, target=org.name, data=org.profile)
            return redirect("setup_ready", org_id=org.id)
    return render(request, "orgs/setup_departments.html", {**ctx, "formset": formset, "error": error},
                  status=422 if request.method == "POST" else 200)


@require_GET
@org_view(ready=True)
def setup_ready(request: HttpRequest) -> HttpResponse:
    org = request.org
    plan = plan_of(org)
    catalog = plan.catalog
    by_role = {r.id: {"title": r.title, "applies": 0, "not": 0} for r in catalog.roles}
    reasons: dict[str, int] = {}
    for row in plan.rows:
        by_role[row.role]["applies" if row.applies else "not"] += 1
    lang = current_lang()
    for row in plan.rows:
        if not row.applies:
            reasons[row.reason[lang]] = reasons.get(row.reason[lang], 0) + 1
    todo = plan.measures()
    names = {r.scope: r.scope_name for r in plan.rows}
    stale = [(s, catalog.by_id[s.item].title, names.get(s.scope, s.scope))
             for s in no_longer_applying(plan.rows, plan.assessment)]
    return render(request, "orgs/setup_ready.html", {
        "stale": stale,
        "org": org, "step": 3, "by_role": by_role.values(), "applicable": sum(r.applies for r in plan.rows),
        "measures": sum(e.applies for e in entries(plan.rows)),  # as the checklist counts them
        "not_applicable": sorted(reasons.items(), key=lambda kv: -kv[1])[:8], "actions": todo[:TOP_ACTIONS],
        "action_count": len(todo), "today": timezone.localdate(),  # the action list marks passed deadlines
    })


@require_http_methods(["GET", "POST"])
@org_view(post="manage")
def members(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            inv, token = Invitation.issue(request.org, form.cleaned_data["email"], form.cleaned_data["role"],
                                          request.user)
            audit.record("invitation.create", request=request, organisation=request.org, target=inv.email,
                         data={"role": inv.role, "invitation": inv.id})
        link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
        if _mail_invitation(request, inv, link):
            messages.success(request, _("Invitation mailed to %(email)s. The link is also below, shown only once, "
                                        "in case the mail does not arrive.") % {"email": inv.email})
        else:
            messages.warning(request, _("The invitation could not be mailed. Send the link below yourself; it is "
                                        "shown only once."))
        form = InvitationForm()
    return render(request, "orgs/members.html", {
        "org": request.org, "form": form, "link": link, "can_manage": request.membership.can_manage,
        "members": org_objects(request, Membership).select_related("user").order_by("role", "user__email"),
        "invitations": org_objects(request, Invitation).order_by("-created_at")[:50], "now": timezone.now(),
    }, status=422 if form.errors else 200)


def _mail_invitation(request: HttpRequest, inv: Invitation, link: str) -> bool:
    """Mail the link to the invited address; False when the mail server refuses (the link is still shown once)."""
    import logging

    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"org": request.org, "link": link, "by": request.user.display_name, "role": inv.get_role_display()}
        subject = render_to_string("orgs/invitation_subject.txt", ctx).strip().replace("\n", " ")
        body = render_to_string("orgs/invitation_body.txt", ctx)
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [inv.email]) == 1
    except Exception:  # noqa: BLE001 - the invitation exists; the page shows the link instead
        logging.getLogger(__name__).exception("invitation %s: mail failed", inv.id)
        return False


@require_POST
@org_view("manage")
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    inv = org_object_or_404(request, Invitation, id=invitation_id)
    if inv.state == "open":
        revoke(request, inv, action="invitation.revoke", target=inv.email, data={"invitation": inv.id})
        messages.success(request, _("Invitation revoked."))
    return redirect("members", org_id=request.org.id)


@require_GET
@org_view("edit", ready=True)
def profile(request: HttpRequest) -> HttpResponse:
    """The profile that decides which measures apply, read only (consultants read it; managers edit it in set-up).

    Shown through the set-up's own form fields, so the page names the same facts in the same words as the set-up."""
    from django import forms

    from .forms import EQUIPMENT_CHOICES, WORK_FORM_CHOICES, method_choices

    def words(values, choices) -> str:
        """The labels of the chosen values; nothing chosen reads as the field's own label for it ("Not sure …")."""
        label = dict(choices)
        values = values if isinstance(values, (list, tuple)) else [values]
        return "、".join(str(label.get(v, v)) for v in values if v not in (None, "")) or str(label.get("", "–"))

    form = ProfileForm(initial=_profile_initial(request.org))
    facts = []
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(field, forms.BooleanField):
            text = _("Yes") if value else _("No")
        elif getattr(field, "choices", None):
            text = words(value, field.choices)
        else:
            text = "–" if value in (None, "") else value
        facts.append((field.label, text))
    departments = [{"name": d.name, "people": d.people, "methods": words(d.methods, method_choices()),
                    "work_forms": words(d.work_forms, WORK_FORM_CHOICES),
                    "equipment": words([f"{e.kind}:{e.owner}" for e in d.equipment], EQUIPMENT_CHOICES)}
                   for d in request.org.get_profile().departments]
    return render(request, "orgs/profile.html", {"org": request.org, "facts": facts, "departments": departments,
                                                 "can_manage": request.membership.can_manage})
