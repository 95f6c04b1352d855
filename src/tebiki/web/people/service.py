"""Campaign operations between the views, the management command and the pure core (tebiki.core.campaign)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tebiki import __version__
from tebiki.catalog import get_catalog
from tebiki.core import campaign as campaign_core
from tebiki.core.campaign import ANSWERS, Results, Tally, WorkerRef, aggregate_counted, campaign_items
from tebiki.core.evidence import NoAnswers
from tebiki.core.training import Ack, Status, quiz_sizes, statuses
from tebiki.core.worker_guide import in_order, question_for, questions
from tebiki.web.audit import log as audit
from tebiki.web.mail.backend import ORGANISATION_HEADER
from tebiki.web.recent import Recent
from tebiki.web.sql import plain_rows

from .models import Answer, Campaign, PersonalLink, Submission, TrainingAck, Worker

log = logging.getLogger(__name__)


class MailError(Exception):
    """The links were issued but the mail could not be sent; carries the links so they can be copied instead."""

    def __init__(self, urls: dict[int, str]):
        super().__init__("mail could not be sent")
        self.urls = urls


def closing_time(deadline: dt.date) -> dt.datetime:
    """Links work until the end of the deadline day, local time."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def create_campaign(org, title: str, departments: list[str], deadline: dt.date, user, request=None,
                    modules: list[str] | None = None) -> Campaign:
    """A draft campaign with its items fixed now, from the organisation's profile and the catalog."""
    items = campaign_items(get_catalog(), org.get_profile(), departments, questions())
    with transaction.atomic():
        c = Campaign.objects.create(organisation=org, title=title, departments=departments, items=items,
                                    modules=modules or [], deadline=deadline, closes_at=closing_time(deadline),
                                    created_by=user)
        audit.record("campaign.create", request=request, actor=user, organisation=org, target=title,
                     data={"campaign": c.id, "departments": departments, "items": len(items)})
    return c


def items_for(items: dict[str, list[str]], department: str) -> list[str]:
    """The questions a worker of *department* is asked, in the guide's order (the order the form shows)."""
    return in_order(campaign_core.items_for(items, department))


def campaign_workers(campaign: Campaign):
    return Worker.objects.filter(organisation_id=campaign.organisation_id, department__in=campaign.departments)


def link_url(base: str, token: str) -> str:
    return base.rstrip("/") + reverse("worker_form", args=[token])


def _message(campaign: Campaign, worker: Worker, url: str, reminder: bool) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"campaign": campaign, "worker": worker, "url": url, "org_name": campaign.organisation.name,
               "reminder": reminder}
        subject = (_("Reminder: %(title)s") if reminder else _("Security self-check: %(title)s")) % {
            "title": campaign.title}
        body = render_to_string("people/email_link.html", ctx)  # plain text; .html so it is packaged
    return EmailMessage(subject=f"[{campaign.organisation.name}] {subject}", body=body, to=[worker.email],
                        headers={ORGANISATION_HEADER: str(campaign.organisation_id)})


def issue_links(campaign: Campaign, workers, base: str, send: bool, request=None, actor=None,
                action: str = "campaign.links") -> dict[int, str]:
    """New personal links for *workers* (earlier ones are revoked); mails them when *send*. Worker ID -> URL.

    The links are committed before mailing, so a mail server that is down does not undo them: MailError
    then carries the links to show for copying, and no link is marked as sent.
    """
    urls: dict[int, str] = {}
    issued: list[PersonalLink] = []
    with transaction.atomic():
        for w in workers:
            link, token = PersonalLink.issue(campaign, w)
            urls[w.id] = link_url(base, token)
            issued.append(link)
        audit.record(action, request=request, actor=actor, organisation=campaign.organisation, target=campaign.title,
                     data={"campaign": campaign.id, "workers": [w.id for w in workers], "sent": send})
    if send and issued:
        reminder = action == "campaign.remind"
        try:
            get_connection().send_messages([_message(campaign, link.worker, urls[link.worker_id], reminder)
                                            for link in issued])
        except (smtplib.SMTPException, OSError) as err:
            log.warning("campaign %s: mail not sent: %s", campaign.id, err)
            raise MailError(urls) from err
        now = timezone.now()
        fields = {"sent_at": now, **({"reminded_at": now} if reminder else {})}
        PersonalLink.objects.filter(pk__in=[link.pk for link in issued]).update(**fields)
    return urls


def open_campaign(campaign: Campaign, base: str, send: bool, request=None, actor=None) -> dict[int, str]:
    with transaction.atomic():
        campaign.opened_at = timezone.now()
        campaign.save(update_fields=["opened_at"])
        audit.record("campaign.open", actor=actor, request=request, organisation=campaign.organisation,
                     target=campaign.title, data={"campaign": campaign.id})
    return issue_links(campaign, list(campaign_workers(campaign)), base, send, request=request, actor=actor)


def close_campaign(campaign: Campaign, request=None) -> None:
    with transaction.atomic():
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["closed_at"])
        audit.record("campaign.close", request=request, organisation=campaign.organisation, target=campaign.title,
                     data={"campaign": campaign.id})


def save_answers(link: PersonalLink, answers: dict[str, tuple[str, str]], submit: bool) -> None:
    """Store a worker's answers (item -> (value, comment)), replacing earlier ones; *submit* also records the
    submission and audits it. The worker form and the demo loader both come through here."""
    now = timezone.now()
    rows = [Answer(organisation=link.organisation, campaign=link.campaign, worker=link.worker, item=item, value=value,
                   comment=comment, answered_at=now) for item, (value, comment) in answers.items()]
    with transaction.atomic():
        if rows:
            Answer.objects.bulk_create(rows, update_conflicts=True, unique_fields=["campaign", "worker", "item"],
                                       update_fields=["value", "comment", "answered_at"])
            Campaign.objects.filter(pk=link.campaign_id).update(revision=F("revision") + 1)
        if submit:
            Submission.objects.update_or_create(campaign=link.campaign, worker=link.worker,
                                                defaults={"organisation": link.organisation, "submitted_at": now})
            audit.record("campaign.submit", actor=f"worker:{link.worker.email}", request=None,
                         organisation=link.organisation, target=link.campaign.title,
                         data={"campaign": link.campaign.id, "worker": link.worker.id, "answers": len(rows)})


def acknowledge_training(link: PersonalLink, module_id: str, right: int | None) -> None:
    """The worker confirmed reading *module_id* (with *right* quiz answers, None without a quiz); audited."""
    campaign, worker = link.campaign, link.worker
    with transaction.atomic():
        TrainingAck.objects.update_or_create(campaign=campaign, worker=worker, module=module_id, defaults={
            "organisation": link.organisation, "acknowledged_at": timezone.now(), "score": right})
        audit.record("training.ack", actor=f"worker:{worker.email}", organisation=link.organisation,
                     target=module_id, data={"campaign": campaign.id, "worker": worker.id, "score": right})


# A campaign's results are counted once per change, not per request: kept in a small per-process LRU under a key that
# names everything they are counted from — the campaign (its items, departments and revision, which every stored
# answer bumps in its transaction: save_answers is the only code that writes answers), how many answers it has (so
# that an answer added or deleted by other means, e.g. with its worker, still makes a new key) and its workers (id,
# name and department of each, read anyway). A change of any of them is a new key: nothing has to be invalidated and
# nothing stale is shown. (The answers' latest time was part of the key too; reading it for 7,000 answers cost 1 ms
# a request and told nothing the revision does not.)
RESULTS_FORMAT = 1  # bump when Results changes shape
RESULTS_CACHE_SIZE = 16
_recent_results: Recent[Results] = Recent(RESULTS_CACHE_SIZE)


def results(campaign: Campaign, workers: list[Worker] | None = None) -> Results:
    """The campaign's aggregation (see _count), from the per-process cache when nothing it is counted from has
    changed since. *workers* are the campaign's (campaign_workers), read when not given. Callers must not change
    the Results they get: it may be shared."""
    refs = [WorkerRef(*w) for w in campaign_workers(campaign).values_list("id", "name", "department")] \
        if workers is None else [WorkerRef(w.id, w.name, w.department) for w in workers]
    answers = Answer.objects.filter(campaign=campaign).count()
    key = hashlib.sha256(json.dumps(
        [RESULTS_FORMAT, __version__, campaign.id, campaign.revision, campaign.items, campaign.departments, answers,
         [(r.id, r.name, r.department) for r in refs]],
        ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    found = _recent_results.get(key)
    return found if found is not None else _recent_results.put(key, _count(campaign, refs))


def _count(campaign: Campaign, refs: list[WorkerRef]) -> Results:
    """Counted by the database (grouped by item, department and answer, and by worker): two queries and no answer
    read one by one, whatever the number of workers."""
    items = campaign.items
    # only the campaign's departments count: aggregate_counted drops the others from *counts*, *asked* names them
    answers = Answer.objects.filter(campaign=campaign, value__in=ANSWERS).order_by()
    asked = Q(pk__in=[])
    for dept in {w.department for w in refs}:
        asked |= Q(worker__department=dept, item__in=campaign_core.items_for(items, dept))
    answered = dict(answers.filter(asked).values_list("worker_id").annotate(n=Count("id")))
    counts = answers.values_list("item", "worker__department", "value").annotate(n=Count("id"))
    return aggregate_counted(items, refs, answered, counts)


def comments(campaign: Campaign) -> list[Answer]:
    """The answers that carry a comment, in item order then by worker (one query)."""
    order = {item: n for n, item in enumerate(campaign.items)}
    found = list(Answer.objects.filter(campaign=campaign).exclude(comment="").select_related("worker"))
    return sorted(found, key=lambda a: (order.get(a.item, len(order)), a.worker.name))


def training(campaign: Campaign, worker_ids: list[int]) -> list[Status]:
    """Each worker's state for each training module of the campaign (done / pending / overdue); one query."""
    if not campaign.modules:
        return []
    acks = [Ack(w, m, at, score) for w, m, at, score in TrainingAck.objects.filter(campaign=campaign)
            .values_list("worker_id", "module", "acknowledged_at", "score")]
    return statuses(campaign.modules, worker_ids, acks, campaign.deadline, timezone.localdate(),
                    quiz_sizes(campaign.modules))


def behind(campaign: Campaign, workers: list[Worker]) -> set[int]:
    """Workers who have not answered every item or not confirmed every training module."""
    late = {w.id for w in results(campaign, workers).not_answered}
    return late | {s.worker for s in training(campaign, [w.id for w in workers]) if s.state != "done"}


def remind(campaign: Campaign, base: str, request=None, actor=None) -> list[Worker]:
    """Mail a fresh link to every worker who has not answered everything or not done the training; returns them."""
    if not campaign.is_open:
        return []
    workers = list(campaign_workers(campaign))
    late = behind(campaign, workers)
    targets = [w for w in workers if w.id in late]
    if targets:
        issue_links(campaign, targets, base, send=True, request=request, actor=actor, action="campaign.remind")
    return targets


def item_tally(campaign: Campaign, item: str, scope: str = "organisation") -> Tally | None:
    """The answers to one item, counted by the database (filter by item, group by answer); the same numbers as
    results(campaign).tally(item, scope) without reading every answer of the campaign."""
    depts = [d for d in campaign.items.get(item, []) if d in campaign.departments]
    if item not in campaign.items or scope != "organisation" and scope not in depts:
        return None
    workers = campaign_workers(campaign).filter(department__in=depts if scope == "organisation" else [scope])
    asked = workers.count()
    if scope != "organisation" and not asked:
        return None
    counts = dict(Answer.objects.filter(campaign=campaign, item=item, worker__in=workers, value__in=ANSWERS)
                  .order_by().values_list("value").annotate(n=Count("id")))
    return Tally(asked=asked, **{v: counts.get(v, 0) for v in ANSWERS})


def evidence_for_measure(org, item: str, scope: str) -> dict[str, Any] | None:
    """What workers answered about *item* in the newest opened campaign that asked it (for the item page).

    An entry is asked through the question that evidences it (tebiki.core.worker_guide), which may be keyed by
    another entry; campaigns created before the questions were merged still count under the entry's own ID."""
    keys = [k for k in dict.fromkeys([question_for(item), item]) if k]
    found = Q()
    for k in keys:
        found |= Q(items__has_key=k)
    campaign = (Campaign.objects.filter(found, organisation=org, opened_at__isnull=False)
                .order_by("-opened_at").first())
    if campaign is None:
        return None
    key = next(k for k in keys if k in campaign.items)
    tally = item_tally(campaign, key, scope)
    if tally is None:
        return None
    return {"campaign": campaign, "question": key, "yes": tally.yes, "no": tally.no, "unknown": tally.unknown,
            "na": tally.na, "asked": tally.asked, "answered": tally.answered}


def no_answers(org, keys) -> dict[tuple[str, str], NoAnswers]:
    """By (item, scope): who answered no in the newest opened campaign that asked the item, counted among the
    workers it was asked of there (as item_tally counts them; a department scope counts only that department).
    Three queries, whatever the number of keys, workers or answers."""
    keys = list(keys)
    campaigns = list(Campaign.objects.filter(organisation=org, opened_at__isnull=False).order_by("-opened_at")) \
        if keys else []
    # an entry is asked through its question (as in evidence_for_measure), or under its own ID in older campaigns
    newest: dict[tuple[str, str], tuple[Campaign, str]] = {}
    for item, scope in keys:
        asked_as = [k for k in dict.fromkeys([question_for(item), item]) if k]
        found = next(((c, k) for c in campaigns for k in asked_as if k in c.items), None)
        if found:
            newest[(item, scope)] = found
    if not newest:
        return {}
    roster: dict[str, list[tuple[int, str]]] = {}  # department -> (id, name) in the roster's order
    for wid, name, dept in plain_rows(Worker.objects.filter(organisation=org).values_list("id", "name", "department")):
        roster.setdefault(dept, []).append((wid, name))
    said: dict[tuple[int, str], set[int]] = {}
    asking = list(newest.values())
    for cid, question, wid in plain_rows(Answer.objects.filter(
            campaign__in={c.id for c, q in asking}, item__in={q for c, q in asking}, value=Answer.Value.NO)
            .values_list("campaign_id", "item", "worker_id")):
        said.setdefault((cid, question), set()).add(wid)
    out, tallied = {}, {}  # many rows share a question and departments: each tally is made once
    for (item, scope), (c, question) in newest.items():
        depts = set(c.items[question]) & set(c.departments)
        if scope != "organisation":
            depts &= {scope}
        key = (c.id, question, tuple(sorted(depts)))
        if key not in tallied:
            asked = [w for d, ws in roster.items() if d in depts for w in ws]  # in the roster's order
            no = said.get((c.id, question), set())
            tallied[key] = NoAnswers(c.title, len(asked), tuple(name for wid, name in asked if wid in no)) \
                if asked else None
        if tallied[key] is not None:
            out[(item, scope)] = tallied[key]
    return out


__all__ = ["create_campaign", "open_campaign", "close_campaign", "issue_links", "save_answers", "acknowledge_training",
           "results", "remind", "training", "behind",
           "evidence_for_measure", "item_tally", "no_answers", "items_for", "closing_time", "link_url"]
