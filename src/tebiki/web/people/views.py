"""Managers' pages: the worker roster and self-check campaigns with their results. All through org_view."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tebiki.web.audit import log as audit
from tebiki.web.orgs.access import org_object_or_404, org_objects, org_view
from tebiki.web.orgs.revoking import revoke
from tebiki.web.paging import PEOPLE_PER_PAGE, page_of
from tebiki.web.sealed import show_once, take_once

from . import service
from .forms import BulkWorkersForm, CampaignForm, PeopleFilter, WorkerForm, department_choices
from .models import Campaign, PersonalLink, Submission, TrainingAck, Worker
from .presenters import campaign_rows


def _base(request) -> str:
    return request.build_absolute_uri("/")


# ---------------------------------------------------------------- roster

@require_http_methods(["GET", "POST"])
@org_view("edit", post="manage", ready=True)
def workers(request: HttpRequest) -> HttpResponse:
    org = request.org
    form = WorkerForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            w = Worker.objects.create(organisation=org, **form.cleaned_data)
            audit.record("worker.add", request=request, organisation=org, target=w.email,
                         data={"worker": w.id, "department": w.department})
        messages.success(request, _("Worker added."))
        return redirect("workers", org_id=org.id)
    return _roster(request, form, BulkWorkersForm(org=org), status=422 if form.errors else 200)


def _roster(request, form, bulk_form, status=200):
    names = dict(department_choices(request.org))
    people = PeopleFilter(request.GET, org=request.org)
    page = page_of(request, people.apply(org_objects(request, Worker)), PEOPLE_PER_PAGE)
    return render(request, "people/workers.html", {
        "org": request.org, "form": form, "bulk_form": bulk_form, "can_manage": request.membership.can_manage,
        "workers": [(w, names.get(w.department, w.department)) for w in page.object_list], "page": page,
        "filter": people,
    }, status=status)


@require_POST
@org_view("manage")
def workers_bulk(request: HttpRequest) -> HttpResponse:
    org = request.org
    form = BulkWorkersForm(request.POST, org=org)
    if not form.is_valid():
        return _roster(request, WorkerForm(org=org), form, status=422)
    rows = form.cleaned_data["lines"]
    with transaction.atomic():
        Worker.objects.bulk_create([Worker(organisation=org, **r) for r in rows])
        audit.record("worker.bulk_add", request=request, organisation=org, target=f"{len(rows)}",
                     data={"emails": [r["email"] for r in rows]})
    messages.success(request, _("%(n)d workers added.") % {"n": len(rows)})
    return redirect("workers", org_id=org.id)


@require_http_methods(["GET", "POST"])
@org_view("manage")
def worker_edit(request: HttpRequest, worker_id: int) -> HttpResponse:
    w = org_object_or_404(request, Worker, id=worker_id)
    initial = {"name": w.name, "email": w.email, "department": w.department}
    form = WorkerForm(request.POST or None, org=request.org, instance=w, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for k, v in form.cleaned_data.items():
                setattr(w, k, v)
            w.save()
            audit.record("worker.edit", request=request, organisation=request.org, target=w.email,
                         data={"worker": w.id, **form.cleaned_data})
        messages.success(request, _("Saved."))
        return redirect("workers", org_id=request.org.id)
    return render(request, "people/worker_edit.html", {"org": request.org, "worker": w, "form": form},
                  status=422 if form.errors else 200)


@require_POST
@org_view("manage")
def worker_delete(request: HttpRequest, worker_id: int) -> HttpResponse:
    w = org_object_or_404(request, Worker, id=worker_id)
    with transaction.atomic():
        audit.record("worker.remove", request=request, organisation=request.org, target=w.email, data={"worker": w.id})
        w.delete()  # with the worker go their links and answers
    messages.success(request, _("Worker removed."))
    return redirect("workers", org_id=request.org.id)


# ---------------------------------------------------------------- campaigns

@require_http_methods(["GET", "POST"])
@org_view("edit", post="manage", ready=True)
def campaigns(request: HttpRequest) -> HttpResponse:
    org = request.org
    form = CampaignForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        c = service.create_campaign(org, d["title"], d["departments"], d["deadline"], request.user, request,
                                    modules=d.get("modules"))
        return redirect("campaign", org_id=org.id, campaign_id=c.id)
    return render(request, "people/campaigns.html", {
        "org": org, "form": form, "can_manage": request.membership.can_manage,
        "campaigns": org_objects(request, Campaign), "has_workers": org_objects(request, Worker).exists(),
    }, status=422 if form.errors else 200)


@require_GET
@org_view("edit")
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = org_object_or_404(request, Campaign, id=campaign_id)
    res = service.results(c)
    people = PeopleFilter(request.GET, org=request.org, departments=c.departments)
    page = page_of(request, people.apply(service.campaign_workers(c)), PEOPLE_PER_PAGE)
    shown = list(page.object_list)
    links = {link.worker_id: link for link in PersonalLink.objects.current().filter(campaign=c, worker__in=shown)}
    submitted = dict(Submission.objects.filter(campaign=c, worker__in=shown).values_list("worker_id", "submitted_at"))
    new_links = take_once(request, f"campaign-links-{c.id}") or {}
    names = dict(department_choices(request.org))
    return render(request, "people/campaign.html", {
        "org": request.org, "campaign": c, "can_manage": request.membership.can_manage, "results": res,
        "comments": service.comments(c), "page": page, "filter": people,
        # a worker's link actions are <id>/link/ and <id>/revoke/ under it: joined per row, not resolved 100 times
        "workers_url": reverse("campaign", args=[request.org.id, c.id]) + "workers/",
        **campaign_rows(c, res, shown, links, submitted, names, {int(k): v for k, v in new_links.items()},
                        scope=people.chosen_department or "organisation"),
    })


def _remember_links(request, c: Campaign, urls: dict[int, str]) -> None:
    """Clear links are shown once on the next page, then gone (only their hashes are stored)."""
    show_once(request, f"campaign-links-{c.id}", {str(k): v for k, v in urls.items()})


def _mail_failed(request, c: Campaign, err) -> None:
    _remember_links(request, c, err.urls)
    messages.error(request, _("The links were created but the mail could not be sent. Copy the links below and "
                              "pass them on, or try again later."))


@require_POST
@org_view("manage")
def campaign_open(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = org_object_or_404(request, Campaign, id=campaign_id)
    if c.state != "draft":
        messages.error(request, _("This campaign has already been opened."))
    else:
        send = request.POST.get("send") == "1"
        try:
            urls = service.open_campaign(c, _base(request), send, request)
        except service.MailError as err:
            _mail_failed(request, c, err)
        else:
            _remember_links(request, c, urls)
            messages.success(request, _("Campaign opened: %(n)d personal links.") % {"n": len(urls)}
                             + (" " + _("They were sent by email.") if send else ""))
    return redirect("campaign", org_id=request.org.id, campaign_id=c.id)


@require_POST
@org_view("manage")
def campaign_close(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = org_object_or_404(request, Campaign, id=campaign_id)
    if c.state == "open":
        service.close_campaign(c, request)
        messages.success(request, _("Campaign closed; the links no longer work."))
    return redirect("campaign", org_id=request.org.id, campaign_id=c.id)


@require_POST
@org_view("manage")
def campaign_remind(request: HttpRequest, campaign_id: int) -> HttpResponse:
    c = org_object_or_404(request, Campaign, id=campaign_id)
    if not c.is_open:
        messages.error(request, _("Only an open campaign can send reminders."))
    else:
        try:
            late = service.remind(c, _base(request), request=request)
        except service.MailError as err:
            _mail_failed(request, c, err)
        else:
            messages.success(request, _("Reminders sent to %(n)d workers, each with a new link.") % {"n": len(late)})
    return redirect("campaign", org_id=request.org.id, campaign_id=c.id)


@require_POST
@org_view("manage")
def link_reissue(request: HttpRequest, campaign_id: int, worker_id: int) -> HttpResponse:
    c = org_object_or_404(request, Campaign, id=campaign_id)
    w = org_object_or_404(request, Worker, id=worker_id)
    if not c.is_open or w.department not in c.departments:
        raise Http404
    send = request.POST.get("send") == "1"
    try:
        urls = service.issue_links(c, [w], _base(request), send, request=request, action="campaign.reissue")
    except service.MailError as err:
        _mail_failed(request, c, err)
    else:
        _remember_links(request, c, urls)
        messages.success(request, _("New link for %(name)s; the previous one no longer works.") % {"name": w.name})
    return redirect("campaign", org_id=request.org.id, campaign_id=c.id)


@require_POST
@org_view("manage")
def link_revoke(request: HttpRequest, campaign_id: int, worker_id: int) -> HttpResponse:
    c = org_object_or_404(request, Campaign, id=campaign_id)
    w = org_object_or_404(request, Worker, id=worker_id)
    link = PersonalLink.objects.current().filter(campaign=c, worker=w).first()
    if link is None:
        raise Http404
    revoke(request, link, action="campaign.revoke", target=w.email, data={"campaign": c.id, "worker": w.id})
    messages.success(request, _("Link revoked for %(name)s.") % {"name": w.name})
    return redirect("campaign", org_id=request.org.id, campaign_id=c.id)


# ---------------------------------------------------------------- training


@require_GET
@org_view("edit")
def training(request: HttpRequest) -> HttpResponse:
    """Who has confirmed which module, for one campaign with training at a time (the newest unless ?campaign=
    names another); overdue once the deadline has passed. The workers are filtered and paged."""
    from tebiki.core.training import Ack, modules, quiz_sizes, statuses

    camps = [c for c in org_objects(request, Campaign).filter(opened_at__isnull=False).order_by("-opened_at", "-id")
             if c.modules]
    c = next((c for c in camps if str(c.id) == request.GET.get("campaign")), camps[0] if camps else None)
    if c is None:
        return render(request, "people/training.html", {"org": request.org, "campaigns": [], "training": None})
    all_modules = modules()
    people = PeopleFilter(request.GET, org=request.org, departments=c.departments)
    page = page_of(request, people.apply(service.campaign_workers(c)), PEOPLE_PER_PAGE)
    shown = list(page.object_list)
    acks = [Ack(*a) for a in TrainingAck.objects.filter(campaign=c).values_list(
        "worker_id", "module", "acknowledged_at", "score")]
    today, sizes = timezone.localdate(), quiz_sizes(c.modules)
    everyone = list(service.campaign_workers(c).values_list("id", flat=True))
    overdue = {s.worker for s in statuses(c.modules, everyone, acks, c.deadline, today, sizes) if s.state == "overdue"}
    by_worker: dict[int, list] = {}
    for s in statuses(c.modules, [w.id for w in shown], acks, c.deadline, today, sizes):
        by_worker.setdefault(s.worker, []).append(s)
    names = dict(department_choices(request.org))
    rows = [{"worker": w, "department": names.get(w.department, w.department), "statuses": by_worker[w.id]}
            for w in shown]
    block = {"campaign": c, "modules": [all_modules[m] for m in c.modules if m in all_modules], "rows": rows,
             "overdue": len(overdue)}
    return render(request, "people/training.html", {"org": request.org, "campaigns": camps, "training": block,
                                                    "page": page, "filter": people})
