"""The big organisation of `make bench` (and, smaller, of the page query-count test): the demo grown.

`grow()` takes a demo organisation (`python -m tebiki.web demo`) to *departments* departments (copies of the demo's,
with the campaign asking them the same items), a record with a history entry for every applicable item, *workers*
workers who all answered the open campaign, *devices* devices with two reports each and *incidents* incidents.
Call it with Django set up.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass

BIG = {"workers": 300, "devices": 300, "departments": 6, "incidents": 20}


@dataclass
class Pair:
    """The demo and the big organisation side by side, each with its administrator and one worker measure."""

    demo: object
    demo_user: object
    big: object
    big_user: object


def demo_org(email: str):
    """A fresh demo organisation for a new administrator *email*: (organisation, user)."""
    from django.core.management import call_command

    from tebiki.web.accounts.models import User
    from tebiki.web.orgs.models import Organisation

    call_command("demo", email=email, stdout=io.StringIO())
    user = User.objects.get(email=email)
    return Organisation.objects.get(memberships__user=user), user


def pair(**sizes) -> Pair:
    """The demo organisation and a second demo organisation grown to *sizes* (default BIG)."""
    demo, demo_user = demo_org("demo-side@bench.example")
    big, big_user = demo_org("big-side@bench.example")
    grow(big, big_user, **(BIG | sizes))
    return Pair(demo, demo_user, big, big_user)


def grow(org, user, *, workers: int, devices: int, departments: int, incidents: int) -> None:
    from tebiki.web.assessments.service import refresh_summary
    from tebiki.web.orgs.models import Organisation

    _departments(org, departments)
    org.refresh_from_db()
    _records(org, user)
    _workers(org, workers)
    _devices(org, user, devices)
    _incidents(org, incidents)
    refresh_summary(Organisation.objects.get(pk=org.pk))


def _departments(org, n: int) -> None:
    """Copies of the demo's departments up to *n*; the open campaign asks each copy what it asks the original."""
    from tebiki.core.profile import Profile
    from tebiki.web.orgs.models import Organisation
    from tebiki.web.people.models import Campaign

    profile = org.get_profile().model_dump(mode="json")
    originals = list(profile["departments"])
    copies = {}
    for i in range(len(originals), n):
        source = originals[i % len(originals)]
        copy = dict(source, id=f"{source['id']}-{i}", name=f"{source['name']}（第{i}）")
        profile["departments"].append(copy)
        copies[copy["id"]] = source["id"]
    profile["size"] = max(profile["size"], sum(d["people"] for d in profile["departments"]))
    profile = Profile.model_validate(profile).model_dump(mode="json")
    Organisation.objects.filter(pk=org.pk).update(profile=profile)
    for campaign in Campaign.objects.filter(organisation=org):
        campaign.departments = [*campaign.departments, *copies]
        campaign.items = {item: [*ds, *(c for c, s in copies.items() if s in ds)] for item, ds in campaign.items.items()}
        campaign.save(update_fields=["departments", "items"])


STATES = ({"status": "done", "decision": "done"}, {"status": "partly", "decision": "will_do", "owner": "担当"},
          {"status": "not_done", "decision": "will_do", "owner": "担当"}, {"status": "not_done", "decision": "not_needed",
                                                                            "reason": "他の対策で代替"})


def _records(org, user) -> None:
    """A record with two history entries for every applicable item without one."""
    from django.utils import timezone

    from tebiki.web.assessments.models import ItemChange, ItemRecord
    from tebiki.web.assessments.service import plan_of

    have = set(ItemRecord.objects.filter(organisation=org).values_list("item", "scope"))
    today = timezone.localdate()
    records, changes = [], []
    todo = [r for r in plan_of(org).rows if r.applies and (r.item, r.scope) not in have]
    for i, row in enumerate(todo):
        state = dict(STATES[i % len(STATES)])
        if state["decision"] == "will_do":
            state["deadline"] = today + dt.timedelta(days=(i % 90) - 30)
        records.append(ItemRecord(organisation=org, item=row.item, scope=row.scope, updated_by=user, **state))
        saved = {**state, "deadline": state["deadline"].isoformat() if state.get("deadline") else None}
        changes += [ItemChange(organisation=org, item=row.item, scope=row.scope, changed_by=user, state={"status": "unchecked"},
                               changed_at=timezone.now() - dt.timedelta(days=60)),
                    ItemChange(organisation=org, item=row.item, scope=row.scope, changed_by=user, state=saved)]
    ItemRecord.objects.bulk_create(records)
    ItemChange.objects.bulk_create(changes)


def _workers(org, n: int) -> None:
    """Workers up to *n*, spread over the departments, each of whom answered every item of the open campaign."""
    from tebiki.core.campaign import items_for
    from tebiki.web.people.models import Answer, Campaign, Submission, Worker

    campaign = Campaign.objects.filter(organisation=org, opened_at__isnull=False).first()
    departments = [d["id"] for d in org.profile["departments"]]
    new = Worker.objects.bulk_create(
        Worker(organisation=org, name=f"勤務者 {i:03d}", email=f"w{i:03d}@bench.example",
               department=departments[i % len(departments)])
        for i in range(n - Worker.objects.filter(organisation=org).count()))
    Answer.objects.bulk_create(
        Answer(organisation=org, campaign=campaign, worker=w, item=item, value="yes" if (i + w.id) % 4 else "no")
        for w in new for i, item in enumerate(items_for(campaign.items, w.department)))
    Submission.objects.bulk_create(Submission(organisation=org, campaign=campaign, worker=w) for w in new)


def _devices(org, user, n: int) -> None:
    """Devices up to *n*, two reports each, through the agent's ingestion path (outbox batches)."""
    from tebiki.agent.rules import CHECK_IDS
    from tebiki.web.devices.models import Device, EnrolmentToken
    from tebiki.web.devices.service import ingest_many

    token, _ = EnrolmentToken.issue(org, "bench", user)
    verdicts = ("pass", "pass", "fail", "unknown")
    start = Device.objects.filter(organisation=org).count()
    reports = [{"key": f"bench-{i:05d}-{age}", "as_of": dt.date.today() - dt.timedelta(days=30 * age),
                "device": {"key": f"bench-{i:05d}", "hostname": f"PC-{i:05d}", "os": "windows",
                           "os_version": "Windows 11 Pro 23H2", "owner": f"勤務者 {i:03d}", "ownership": "company"},
                "checks": {cid: {"verdict": verdicts[(i + j + age) % len(verdicts)], "reason": "", "evidence": {"n": i}}
                           for j, cid in enumerate(CHECK_IDS)}}
               for i in range(start, n) for age in (1, 0)]
    for i in range(0, len(reports), 200):
        ingest_many(token, reports[i:i + 200])


def _incidents(org, n: int) -> None:
    """Copies of the demo's incidents up to *n*."""
    from tebiki.web.incidents.models import Incident

    existing = list(Incident.objects.filter(organisation=org).order_by("number"))
    if not existing:
        return
    number = existing[-1].number
    copies = []
    for source in itertools.islice(itertools.cycle(existing), max(n - len(existing), 0)):
        number += 1
        copies.append(Incident(**{f.attname: getattr(source, f.attname) for f in Incident._meta.concrete_fields
                                  if f.attname != "id"} | {"number": number}))
    Incident.objects.bulk_create(copies)


def signed_in(user):
    """A test client signed in as *user* past the second step, as after entering a code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main_pages(org) -> dict[str, str]:
    """The main pages of *org*: name -> URL. The item page is a worker measure the campaign asks about and a
    device check gives evidence for, in the first department (so it shows every kind of evidence)."""
    from django.urls import reverse

    from tebiki.agent.rules import check_texts
    from tebiki.web.assessments.service import plan_of
    from tebiki.web.people.models import Campaign

    campaign = Campaign.objects.filter(organisation=org, opened_at__isnull=False).first()
    checked = {m for t in check_texts().values() for m in t["measures"]}
    first = org.profile["departments"][0]["id"]
    rows = [r for r in plan_of(org).rows if r.applies and r.scope == first and r.role == "worker" and r.item in campaign.items]
    row = next((r for r in rows if r.item in checked), rows[0])
    pages = {name: reverse(name, args=[org.id]) for name in (
        "dashboard", "checklist", "devices", "workers", "campaigns", "training", "incidents", "reports")}
    pages["item"] = reverse("item", args=[org.id, row.item, row.scope])
    pages["campaign results"] = reverse("campaign", args=[org.id, campaign.id])
    return pages
