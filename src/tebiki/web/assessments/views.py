"""Dashboard, checklist, one item, evidence and the method comparison. Every view goes through org_view."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tebiki.core.assessment import applicability_problems
from tebiki.core.figures import overdue_rows
from tebiki.core.vocabulary import LEVEL, STATUS, STATUS_VALUE
from tebiki.web.audit import log as audit
from tebiki.web.devices.service import contradictions, fleet_for_measure
from tebiki.web.incidents.models import Incident
from tebiki.web.orgs.access import org_object_or_404, org_objects, org_view
from tebiki.web.paging import page_of
from tebiki.web.people.service import evidence_for_measure
from tebiki.web.recent import Recent
from tebiki.web.vocab import lang as current_lang

from .checklist import PAGE_SIZE, entries, matches, sectioned
from .forms import PROBLEM_MESSAGES, EvidenceForm, FilterForm, ItemForm, PriorityForm, StatusForm
from .models import Evidence, ItemChange, ItemRecord
from .service import InvalidState, item_scopes, plan_key, plan_of, save_item

TOP_ACTIONS = 10  # the dashboard and the set-up result show the same first actions
DASHBOARD_LIST = 10  # overdue decisions and contradictions the dashboard names; the rest are counted and linked


def _first(found: list, name: str) -> dict:
    """*found*[:DASHBOARD_LIST] as *name*, how many more as *name*_more: a dashboard names the first ones (in the
    plan's order) and links to all of them, so that its size does not grow with the organisation's records."""
    return {name: found[:DASHBOARD_LIST], f"{name}_more": max(len(found) - DASHBOARD_LIST, 0)}


# The dashboard's body is made once per change, like the plan: kept per process under a key naming all it is made
# from — the plan's key (records, profile, catalog, code, day), the organisation's evidence revision (devices,
# workers, campaigns and answers, moved by the database on every change: orgs.evidence), the open incidents counted
# (one small query), the language, the organisation's name and the URL prefix. A change to any of them is a new key,
# so nothing stale is shown and nothing has to remember to forget it.
DASHBOARD_CACHE_SIZE = 64
_bodies: Recent[str] = Recent(DASHBOARD_CACHE_SIZE)


@require_GET
@org_view(ready=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    org = request.org
    today = timezone.localdate()
    open_incidents = org_objects(request, Incident).open().count() if request.membership.can_edit else None
    key = "\x1f".join(map(str, (plan_key(org, today), org.evidence_revision, open_incidents, current_lang(), org.name,
                                get_script_prefix())))
    body = _bodies.get(key)
    if body is None:
        body = _bodies.put(key, render_to_string("assessments/_dashboard.html",
                                                 dashboard_context(org, today, open_incidents)))
    return render(request, "assessments/dashboard.html", {"org": org, "body": mark_safe(body)})  # noqa: S308


def dashboard_context(org, today, open_incidents: int | None) -> dict:
    """What the dashboard's body shows (computed only when no body is kept under its key)."""
    plan = plan_of(org)
    lang = current_lang()
    sc = plan.scores()
    catalog = plan.catalog
    role_titles = {r.id: r.title.model_dump()[lang] for r in catalog.roles}
    cat_titles = {c.id: f"{c.id} {c.title.model_dump()[lang]}" for c in catalog.categories}
    level_titles = LEVEL.labels(lang)

    def chart(axis: str, titles: dict[str, str]):
        return [(titles.get(k, k), v["score"], f"{v['done']}/{v['applicable']}") for k, v in sc[axis].items()]

    fig = plan.figures(today)
    exp = plan.exposure()
    todo = plan.measures()
    return {
        "org": org, "overall": fig.score, "applicable": fig.applicable, "done": fig.done,
        "partly": fig.partly, "partly_weight": round(STATUS_VALUE["partly"] * 100),
        "by_role": chart("role", role_titles), "by_category": chart("category", cat_titles),
        "by_level": chart("level", level_titles),
        "actions": todo[:TOP_ACTIONS], "action_count": len(todo), "open_count": fig.open,
        **_first(overdue_rows(plan.rows, today), "overdue"),
        "cases": exp["trouble_cases"], "risks": exp["risk_types"], "today": today,
        **_first(contradictions(org, plan.rows), "contradictions"),
        "open_incidents": open_incidents,
    }


def _statuses() -> list[tuple[str, str]]:
    """The statuses a person can choose on the checklist ("not applicable" follows from the profile)."""
    return [(code, name) for code, name in STATUS.choices(current_lang()) if code != "na"]


def _section_titles(catalog, grouping: str, lang: str) -> dict[str, str]:
    if grouping == "category":
        return {c.id: f"{c.id} {c.title.model_dump()[lang]}" for c in catalog.categories}
    if grouping == "role":
        return {r.id: r.title.model_dump()[lang] for r in catalog.roles}
    return {p.id: p.title.model_dump()[lang] for p in sorted(catalog.priority_rule.priorities, key=lambda p: p.rank)}


@require_GET
@org_view(ready=True)
def checklist(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.org)
    profile = plan.assessment.profile
    lang = current_lang()
    scopes = [("organisation", _("Whole organisation")), *((d.id, d.name) for d in profile.departments)]
    form = FilterForm(request.GET or None, catalog=plan.catalog, scopes=scopes, lang=lang)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    grouping = filters.get("group") or "priority"
    everything = entries(plan.rows, plan.every_measure())
    today = timezone.localdate()
    shown = sectioned([e for e in everything if matches(e, filters, today)], grouping,
                      _section_titles(plan.catalog, grouping, lang))
    page = page_of(request, shown, PAGE_SIZE)
    return render(request, "assessments/checklist.html", {
        "org": request.org, "form": form, "page": page, "entries": page.object_list, "shown": len(shown),
        "total": sum(e.applies for e in everything), "can_edit": request.membership.can_edit,
        "grouping": grouping, "statuses": _statuses(),
    })


def _row(plan, item: str, scope: str):
    row = next((r for r in plan.rows if r.item == item and r.scope == scope), None)
    if row is None:
        raise Http404
    return row


def _item_context(request, plan, row, form=None):
    catalog = plan.catalog
    measure = catalog.by_id[row.item]
    org = request.org
    rec = ItemRecord.objects.filter(organisation=org, item=row.item, scope=row.scope).first()
    if form is None:
        initial = {"status": row.status if row.applies else "unchecked", "decision": row.decision or "",
                   "deadline": row.deadline, "owner": row.owner or "", "reason": row.note or ""}
        form = ItemForm(initial=initial)
    history = (ItemChange.objects.filter(organisation=org, item=row.item, scope=row.scope)
               .select_related("changed_by")[:50])
    evidence = Evidence.objects.filter(organisation=org, item=row.item, scope=row.scope).select_related("uploaded_by")
    return {
        "org": org, "row": row, "measure": measure, "record": rec, "form": form, "history": history,
        "evidence": evidence, "evidence_form": EvidenceForm(), "can_edit": request.membership.can_edit,
        "priority_form": PriorityForm(initial={"importance": rec.importance, "difficulty": rec.difficulty,
                                               "override_reason": rec.override_reason} if rec else None),
        "cases": catalog.cases_for_measure.get(row.item, []), "risks": catalog.risks_for_measure.get(row.item, []),
        "policies": catalog.policies_for_measure.get(row.item, []),
        "category": catalog.category(measure.category),
        "fleet": fleet_for_measure(org, row.item),
        "contradiction": next(iter(contradictions(org, [row])), None),
        "self_check": evidence_for_measure(org, row.item, row.scope) if row.role == "worker" else None,
    }


@require_http_methods(["GET", "POST"])
@org_view(post="edit", ready=True)
def item(request: HttpRequest, item_id: str, scope: str) -> HttpResponse:
    plan = plan_of(request.org)
    row = _row(plan, item_id, scope)
    if request.method == "POST":
        form = ItemForm(request.POST, applies=row.applies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                save_item(request.org, item_id, scope, {
                    "status": data["status"], "decision": data["decision"] or None, "deadline": data["deadline"],
                    "owner": data["owner"].strip(), "reason": data["reason"].strip()}, request.user, request)
            except InvalidState:  # the form checks the same rules; this guards a race
                form.add_error(None, _("The change was not saved."))
            else:
                messages.success(request, _("Saved."))
                if request.htmx:
                    plan = plan_of(request.org)
                    return render(request, "assessments/_item_form.html",
                                  _item_context(request, plan, _row(plan, item_id, scope)) | {"saved": True})
                return redirect("item", org_id=request.org.id, item_id=item_id, scope=scope)
        status = 422
        ctx = _item_context(request, plan, row, form)
        return render(request, "assessments/_item_form.html" if request.htmx else "assessments/item.html", ctx,
                      status=status)
    return render(request, "assessments/item.html", _item_context(request, plan, row))


@require_POST
@org_view("edit")
def item_status(request: HttpRequest, item_id: str, scope: str) -> HttpResponse:
    """Status change from the checklist (htmx or a plain form): for the scope in the URL and any further
    `scope` values posted (one control for all departments that agree); answers with the measure's entry."""
    plan = plan_of(request.org)
    rows = {r.scope: r for r in plan.rows if r.item == item_id}
    wanted = list(dict.fromkeys([scope, *request.POST.getlist("scope")]))
    if not rows or any(s not in rows for s in wanted):
        raise Http404
    form = StatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Unknown status.")
    elif problems := [c for s in wanted for _f, c in applicability_problems(
            rows[s].applies, form.cleaned_data["status"], rows[s].decision)]:
        error = str(PROBLEM_MESSAGES[problems[0]])
    else:
        try:
            with transaction.atomic():  # every scope or none
                for s in wanted:
                    save_item(request.org, item_id, s, {"status": form.cleaned_data["status"]}, request.user, request)
        except InvalidState as err:
            error = " ".join(str(PROBLEM_MESSAGES[c]) for _, c in err.problems)
    if error is None:
        plan = plan_of(request.org)
    # every row: department names come from them
    entry = next(e for e in entries(plan.rows, plan.every_measure()) if e.item == item_id)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect(reverse("checklist", args=[request.org.id]) + "#" + entry.anchor)
    ctx = {"org": request.org, "entries": [entry], "can_edit": True, "row_error": error, "fragment": True,
           "statuses": _statuses(),
           "saved": error is None}
    return render(request, "assessments/_rows.html", ctx, status=422 if error else 200)


@require_POST
@org_view("edit")
def item_priority(request: HttpRequest, item_id: str, scope: str) -> HttpResponse:
    """The organisation's own priority of a measure, for every scope it has (the measure is ranked once)."""
    plan = plan_of(request.org)
    row = _row(plan, item_id, scope)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return render(request, "assessments/item.html", _item_context(request, plan, row) | {"priority_form": form},
                      status=422)
    data = form.cleaned_data
    values = {"importance": data["importance"], "difficulty": data["difficulty"],
              "override_reason": data["override_reason"].strip() if data["importance"] or data["difficulty"] else ""}
    with transaction.atomic():
        for s in item_scopes(plan, item_id):
            save_item(request.org, item_id, s, values, request.user, request)
    messages.success(request, _("Priority saved."))
    return redirect("item", org_id=request.org.id, item_id=item_id, scope=scope)


@require_POST
@org_view("edit")
def evidence_upload(request: HttpRequest, item_id: str, scope: str) -> HttpResponse:
    plan = plan_of(request.org)
    _row(plan, item_id, scope)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        ev = Evidence(organisation=request.org, item=item_id, scope=scope, key=secrets.token_hex(16),
                      original_name=f.name[-200:], content_type=f.tebiki_type, size=f.size, uploaded_by=request.user)
        with transaction.atomic():
            ev.file.save(ev.key, f, save=False)
            ev.save()
            audit.record("evidence.upload", request=request, organisation=request.org, target=f"{item_id} / {scope}",
                         data={"name": ev.original_name, "size": ev.size, "key": ev.key})
        messages.success(request, _("Evidence uploaded."))
    else:
        for err in form.errors.get("file", []):
            messages.error(request, err)
    return redirect("item", org_id=request.org.id, item_id=item_id, scope=scope)


@require_GET
@org_view()
def evidence_download(request: HttpRequest, key: str) -> FileResponse:
    ev = org_object_or_404(request, Evidence, key=key)
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.original_name, content_type=ev.content_type)


@require_GET
@org_view()
def methods(request: HttpRequest) -> HttpResponse:
    from tebiki.catalog import get_catalog

    catalog = get_catalog()
    used = set(request.org.get_profile().methods) if request.org.is_ready else set()
    return render(request, "assessments/methods.html", {
        "org": request.org, "axes": catalog.rating_scale.axes, "grades": catalog.rating_scale.grades,
        "methods": catalog.methods, "used": used,
    })


__all__ = ["dashboard", "checklist", "item", "item_status", "item_priority", "evidence_upload", "evidence_download", "methods"]
