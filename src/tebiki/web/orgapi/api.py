"""Read an organisation's plan, items, devices and campaigns; write an item's state. For consultants and scripts.

`Authorization: Bearer tbo_…` with an organisation's API token (issued on the organisation's API tokens page,
hashed, read or read-write, revocable). A token opens its own organisation only: any other organisation ID
answers 404, as if it did not exist. Every write goes through the same service as the web app (history and
audit entry); a read-only token gets 403 on writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, StringConstraints

from tebiki.core.plan import action_list
from tebiki.core.text import NO_CONTROL
from tebiki.web.assessments.service import InvalidState, plan_of, save_item
from tebiki.web.audit import log as audit
from tebiki.web.bearer import Bearer
from tebiki.web.devices.models import Device
from tebiki.web.people.models import Answer, Campaign, PersonalLink

from .models import ApiToken


class OrgTokenAuth(Bearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = ApiToken.find(token)
        if found is not None:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


router = Router(auth=OrgTokenAuth(), tags=["organisations"])


class Error(Schema):
    detail: Any


ERRORS = {401: Error, 403: Error, 404: Error}


class Text(Schema):
    ja: str
    en: str


class ItemOut(Schema):
    item: str
    scope: str
    scope_name: str
    role: str
    category: str
    level: str
    title: Text
    applies: bool
    reason: Text
    priority: str
    priority_rank: int
    status: str
    decision: str | None
    deadline: dt.date | None
    owner: str | None
    overdue: bool


class Counts(Schema):
    rows: int
    applicable: int
    open: int
    overdue: int


class PlanOut(Schema):
    organisation: str
    date: dt.date
    counts: Counts
    actions: list[ItemOut]


class DeviceOut(Schema):
    hostname: str
    os: str
    os_version: str
    owner: str
    ownership: str
    last_seen: dt.datetime
    verdicts: dict[str, str]


class CampaignOut(Schema):
    id: int
    title: str
    state: str
    deadline: dt.date
    invited: int
    answered: int


Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100, pattern=NO_CONTROL)]


class ItemPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["unchecked", "done", "partly", "not_done", "na"] | None = None
    decision: Literal["done", "will_do", "not_needed"] | None = None
    deadline: dt.date | None = None
    owner: Short | None = None
    reason: Annotated[str, StringConstraints(max_length=1000, pattern=NO_CONTROL)] | None = None
    unset: list[Literal["decision", "deadline", "owner", "reason"]] = Field(default_factory=list)


def _token(request: HttpRequest, org_id: int) -> ApiToken:
    token: ApiToken = request.auth
    if token.organisation_id != org_id:
        raise HttpError(404, "no such organisation")  # another organisation's ID is not even confirmed to exist
    return token


def _item(row: Any, today: dt.date) -> dict[str, Any]:
    return {"item": row.item, "scope": row.scope, "scope_name": row.scope_name, "role": row.role,
            "category": row.category, "level": row.level, "title": row.title, "applies": row.applies,
            "reason": row.reason, "priority": row.priority.priority, "priority_rank": row.priority.rank,
            "status": row.status, "decision": row.decision, "deadline": row.deadline, "owner": row.owner,
            "overdue": row.overdue(today)}


@router.get("/{org_id}/plan", response={200: PlanOut, **ERRORS}, summary="The organisation's action list, in order")
def get_plan(request: HttpRequest, org_id: int):
    token = _token(request, org_id)
    plan, today = plan_of(token.organisation), timezone.localdate()
    rows = plan.rows
    return {"organisation": token.organisation.name, "date": today,
            "counts": {"rows": len(rows), "applicable": sum(r.applies for r in rows),
                       "open": sum(r.is_open for r in rows), "overdue": sum(r.overdue(today) for r in rows)},
            "actions": [_item(r, today) for r in action_list(rows)]}


@router.get("/{org_id}/items", response={200: list[ItemOut], **ERRORS}, summary="Every measure and scope with its state")
def get_items(request: HttpRequest, org_id: int, applies: bool | None = None,
              status: Literal["unchecked", "done", "partly", "not_done", "na"] | None = None):
    token = _token(request, org_id)
    today = timezone.localdate()
    return [_item(r, today) for r in plan_of(token.organisation).rows
            if (applies is None or r.applies == applies) and (status is None or r.status == status)]


@router.patch("/{org_id}/items/{item_id}/{scope}", response={200: ItemOut, 409: Error, 422: Error, **ERRORS},
              summary="Record an item's status, decision, owner or deadline (read-write token)")
def patch_item(request: HttpRequest, org_id: int, item_id: str, scope: str, patch: ItemPatch):
    token = _token(request, org_id)
    if not token.can_write:
        raise HttpError(403, "this token is read-only")
    org = token.organisation
    row = next((r for r in plan_of(org).rows if r.item == item_id and r.scope == scope), None)
    if row is None:
        raise HttpError(404, "no such item in this scope")
    values = {k: v for k, v in patch.model_dump(exclude={"unset"}, exclude_unset=True).items() if v is not None}
    values.update({name: None for name in patch.unset})
    if not values:
        raise HttpError(422, "nothing to change: give status, decision, deadline, owner or reason")
    if not row.applies and (values.get("status") == "done" or values.get("decision") in ("done", "will_do")):
        raise HttpError(409, "this item does not apply to the organisation; it cannot be done or planned")
    try:
        with transaction.atomic():
            save_item(org, item_id, scope, values, token.created_by, request=request)
            audit.record("api.write", organisation=org, target=f"{item_id} / {scope}",
                         data={"token": token.hint, "fields": sorted(values)}, request=request)
    except InvalidState as err:
        return Status(422, {"detail": {"problems": [{"field": f, "code": code} for f, code in err.problems]}})
    new = next(r for r in plan_of(org).rows if r.item == item_id and r.scope == scope)
    return _item(new, timezone.localdate())


@router.get("/{org_id}/devices", response={200: list[DeviceOut], **ERRORS}, summary="Devices and their latest verdicts")
def get_devices(request: HttpRequest, org_id: int):
    token = _token(request, org_id)
    return [{"hostname": d.hostname, "os": d.os, "os_version": d.os_version, "owner": d.owner, "ownership": d.ownership,
             "last_seen": d.last_seen, "verdicts": d.latest or {}}
            for d in Device.objects.filter(organisation=token.organisation).order_by("hostname", "id")]


@router.get("/{org_id}/campaigns", response={200: list[CampaignOut], **ERRORS},
            summary="Worker self-check campaigns and how many answered")
def get_campaigns(request: HttpRequest, org_id: int):
    token = _token(request, org_id)
    campaigns = list(Campaign.objects.filter(organisation=token.organisation))
    invited = dict(PersonalLink.objects.filter(campaign__in=campaigns).values("campaign")
                   .annotate(n=Count("worker", distinct=True)).values_list("campaign", "n"))
    answered = dict(Answer.objects.filter(campaign__in=campaigns).values("campaign")
                    .annotate(n=Count("worker", distinct=True)).values_list("campaign", "n"))
    return [{"id": c.id, "title": c.title, "state": c.state, "deadline": c.deadline,
             "invited": invited.get(c.id, 0), "answered": answered.get(c.id, 0)} for c in campaigns]
