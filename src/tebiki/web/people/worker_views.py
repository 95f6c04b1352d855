"""The worker's side: no account, only a personal link (/w/<token>/). It reaches that worker's form and nothing else.

Unknown tokens answer 404; revoked links, closed or not yet opened campaigns answer 410 with a page that
says what to do. Nothing of the organisation beyond its name, the campaign and this worker's own answers
is read here.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tebiki.catalog import get_catalog
from tebiki.core.training import content, modules, score
from tebiki.core.worker_guide import guide, minutes

from .forms import AnswerForm, TrainingForm
from .models import Answer, PersonalLink, Submission, TrainingAck
from .service import acknowledge_training, items_for, save_answers


def _refuse(request, reason: str, status: int, devices: str = "") -> HttpResponse:
    resp = render(request, "people/link_invalid.html", {"reason": reason, "devices_token": devices}, status=status)
    resp["X-Robots-Tag"] = "noindex"
    return resp


def open_link(request, token: str) -> PersonalLink | HttpResponse:
    """The usable link for *token*, or the refusal page to answer with."""
    link = PersonalLink.find(token)
    if link is None:
        return _refuse(request, "unknown", 404)
    if link.refusal:  # a closed campaign's link may still show the worker's devices
        return _refuse(request, link.refusal, 410, token if link.valid else "")
    return link


def _answer_form(link: PersonalLink, data=None) -> tuple[AnswerForm, list[str], dict[str, tuple[str, str]]]:
    """The worker's form for *link*: its questions, with the answers stored so far as initial values."""
    campaign, worker = link.campaign, link.worker
    items = items_for(campaign.items, worker.department)
    texts = guide()
    stored = {a.item: (a.value, a.comment) for a in Answer.objects.filter(campaign=campaign, worker=worker)}
    form = AnswerForm(data, items=items, initial_answers=stored,
                      may_not_apply={i for i in items if i in texts and texts[i].may_not_apply})
    return form, items, stored


def _steps(form: AnswerForm) -> list[dict]:
    """The questions in consecutive groups of one step each, numbered from 1 across the page."""
    texts = guide()
    steps: list[dict] = []
    for n, (item, radio, comment) in enumerate(form.pairs(), 1):
        g = texts[item]
        if not steps or steps[-1]["id"] != g.step:
            steps.append({"id": g.step, "title": g.step_title, "entries": []})
        steps[-1]["entries"].append((n, g, radio, comment))
    return steps


@never_cache
@require_http_methods(["GET", "POST"])
def worker_form(request: HttpRequest, token: str) -> HttpResponse:
    """The self-check. "Save" and "submit" both store every valid answer given; "submit" with questions left open
    stores them too, records no submission and names what is missing (422)."""
    link = open_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    campaign, worker = link.campaign, link.worker
    form, items, stored = _answer_form(link, request.POST or None)
    status, gaps = 200, []
    if request.method == "POST":
        submit = "submit" in request.POST
        if form.is_valid():
            gaps = form.missing() if submit else []
            save_answers(link, form.answers(), submit and not gaps)
            if not gaps:
                return redirect(request.path + ("?submitted=1" if submit else "?saved=1"))
            stored = {**stored, **form.answers()}
        status = 422
    PersonalLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())
    submission = Submission.objects.filter(campaign=campaign, worker=worker).first()
    acked = set(TrainingAck.objects.filter(campaign=campaign, worker=worker).values_list("module", flat=True))
    all_modules = modules()
    resp = render(request, "people/worker_form.html", {
        "campaign": campaign, "worker": worker, "org_name": link.organisation.name, "form": form,
        "steps": _steps(form), "minutes": minutes(len(items)),
        "answered": sum(1 for i in items if i in stored), "total": len(items), "submission": submission,
        "saved": request.GET.get("saved") == "1", "submitted": request.GET.get("submitted") == "1",
        "error": status == 422, "gaps": gaps,
        "training": [(all_modules[m], m in acked) for m in campaign.modules if m in all_modules],
        "token": token,
        "first_missing": gaps[0] if gaps else next(
            (n + 1 for n, (_, radio, _c) in enumerate(form.pairs()) if radio.errors), None),
    }, status=status)
    resp["X-Robots-Tag"] = "noindex"
    return resp


@never_cache
@require_POST
def worker_answer(request: HttpRequest, token: str) -> HttpResponse:
    """One answer saved as it is given (selfcheck.js posts the question's fields); JSON with the progress.

    Bad values answer 422 and store nothing; a link that no longer works answers its refusal page (404/410).
    """
    link = open_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    form, items, stored = _answer_form(link, request.POST)
    if not form.is_valid() or not form.answers():
        return JsonResponse({"saved": False, "error": _("This answer could not be saved.")}, status=422)
    save_answers(link, form.answers(), submit=False)
    PersonalLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())
    answered = len({*stored, *form.answers()} & set(items))
    resp = JsonResponse({"saved": True, "answered": answered, "total": len(items),
                         "message": _("Saved: %(n)s of %(total)s answered.") % {"n": answered, "total": len(items)},
                         "progress": _("%(n)s of %(total)s answered") % {"n": answered, "total": len(items)}})
    resp["X-Robots-Tag"] = "noindex"
    return resp


@never_cache
@require_http_methods(["GET", "POST"])
def worker_training(request: HttpRequest, token: str, module_id: str) -> HttpResponse:
    """One training module of the worker's campaign: read, confirm, and answer the quiz if there is one."""
    link = open_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    campaign, worker = link.campaign, link.worker
    module = modules().get(module_id)
    if module is None or module_id not in campaign.modules:
        raise Http404
    ack = TrainingAck.objects.filter(campaign=campaign, worker=worker, module=module_id).first()
    form = TrainingForm(request.POST or None, module=module)
    if request.method == "POST" and form.is_valid():
        right = score(module, form.answers()) if module.quiz else None
        acknowledge_training(link, module_id, right)
        request.session[f"quiz-{link.pk}-{module_id}"] = form.answers()
        return redirect(request.path + "?done=1")
    given = request.session.get(f"quiz-{link.pk}-{module_id}") if request.GET.get("done") else None
    resp = render(request, "people/worker_training.html", {
        **content(module, get_catalog()), "campaign": campaign, "worker": worker, "org_name": link.organisation.name,
        "form": form, "ack": ack, "token": token, "done": request.GET.get("done") == "1",
        "results": [(q, given[n] == q.answer, q.choices[q.answer]) for n, q in enumerate(module.quiz)] if given else None,
    }, status=422 if form.errors else 200)
    resp["X-Robots-Tag"] = "noindex"
    return resp


__all__ = ["worker_form", "worker_answer", "worker_training", "open_link"]
