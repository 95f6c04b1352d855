"""Load the demo organisation (サンプル商事): a partly filled assessment, devices, workers with an open self-check,
contacts and incidents, all from demo.yaml and stored through each app's own service code, and a sign-in for it.

The password is generated here and printed once; it is never a constant in the code.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import shlex
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

import tebiki
from tebiki.core.profile import Profile
from tebiki.web.assessments.models import ItemChange, ItemRecord
from tebiki.web.assessments.service import plan_of, refresh_summary
from tebiki.web.orgs.models import Membership, Organisation, Role

DEMO = Path(__file__).resolve().parents[2] / "demo.yaml"
EMAIL = "demo@tebiki.example"
BASE_URL = "http://127.0.0.1:8000/"


def reset_password_hint() -> str:
    """The command that prints a new demo password, for the way tebiki was installed: `make` in a source checkout,
    the installed interpreter otherwise (a wheel has no Makefile)."""
    if (Path(tebiki.__file__).resolve().parents[2] / "Makefile").is_file():
        return "make demo-password"
    return f"{shlex.quote(sys.executable)} -m tebiki.web demo --reset-password"


def new_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters from a 64-symbol alphabet


class Command(BaseCommand):
    help = "Create the demo organisation and its sign-in (idempotent). Example: python -m tebiki.web demo"

    def add_arguments(self, parser):
        parser.add_argument("--reset-password", action="store_true", help="print a new password for the demo sign-in")
        parser.add_argument("--email", default=EMAIL)
        parser.add_argument("--addr", default="127.0.0.1:8000", help="the address runserver listens on (HOST= of make run)")

    def handle(self, *args, email: str, reset_password: bool, addr: str, **options):
        User = get_user_model()
        spec = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
        password = None
        with transaction.atomic():
            user = User.objects.filter(email=email).first()
            if user is None:
                password = new_password()
                user = User.objects.create_superuser(email, password, name="デモ 管理者")
            elif reset_password:
                password = new_password()
                user.set_password(password)
                user.save(update_fields=["password"])
            name = spec["profile"]["name"]
            org = Organisation.objects.filter(name=name, memberships__user=user).first()
            if org is None:
                profile = Profile.model_validate(spec["profile"]).model_dump(mode="json")
                org = Organisation.objects.create(name=name, profile=profile)
                Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)
                fill(org, user, spec)
        url = site_url(addr)
        self.stdout.write(f"\n  tebiki demo: {url}\n  sign in as {email}")
        if password:
            self.stdout.write(f"  password:   {password}   (shown once; `{reset_password_hint()}` prints a new one)")
        else:
            self.stdout.write(f"  password:   as printed at set-up (`{reset_password_hint()}` prints a new one)")
        if settings.SIGNUP_OPEN:
            self.stdout.write(f"  your own organisation (新しく始める): {url}start/")
        self.stdout.write("")


def site_url(addr: str) -> str:
    """The browser address for runserver's addrport: "8001" → 127.0.0.1:8001; all interfaces → 127.0.0.1."""
    host, _, port = addr.rpartition(":")
    host = host or "127.0.0.1"
    if host in ("0.0.0.0", "0", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port or 8000}/"


def fill(org: Organisation, user, spec: dict) -> None:
    """Record a realistic mix of states for the applicable items, with a history entry each."""
    rng = random.Random(spec["seed"])
    today = timezone.localdate()
    shares = spec["fill"]
    plan = plan_of(org)
    records, changes = [], []
    for row in plan.rows:
        if not row.applies:
            continue
        x = rng.random()
        owner = rng.choice(spec["owners"])
        state = {"status": "unchecked", "decision": "", "deadline": None, "owner": "", "reason": ""}
        if x < shares["done"]:
            state.update(status="done", decision="done")
        elif x < shares["done"] + shares["partly"]:
            state.update(status="partly", decision="will_do", owner=owner,
                         deadline=today + dt.timedelta(days=rng.choice([-20, 14, 30, 60])))
        elif x < shares["done"] + shares["partly"] + shares["not_done"]:
            state.update(status="not_done", decision="will_do", owner=owner,
                         deadline=today + dt.timedelta(days=rng.choice([-7, 30, 90])))
        else:
            continue
        records.append(ItemRecord(organisation=org, item=row.item, scope=row.scope, updated_by=user, **state))
        changes.append(ItemChange(organisation=org, item=row.item, scope=row.scope, changed_by=user,
                                  state={**state, "deadline": state["deadline"].isoformat() if state["deadline"] else None}))
    ItemRecord.objects.bulk_create(records)
    ItemChange.objects.bulk_create(changes)
    add_devices(org, user, spec.get("devices", []), today)
    add_people(org, user, spec.get("people"), spec["seed"], today)
    assign_devices(org, user, spec.get("devices", []))
    add_contacts(org, user, spec.get("contacts", []))
    add_incidents(org, user, spec.get("incidents", []))
    refresh_summary(org)


VERDICTS = {"p": "pass", "f": "fail", "u": "unknown"}


def add_devices(org: Organisation, user, devices: list[dict], today: dt.date) -> None:
    """Store each demo terminal's reports through the same ingestion path the agent's uploads take."""
    from tebiki.agent.rules import CHECK_IDS
    from tebiki.web.devices.models import EnrolmentToken
    from tebiki.web.devices.service import ingest

    if not devices:
        return
    token, _ = EnrolmentToken.issue(org, "デモ端末", user)
    for n, d in enumerate(devices):
        reports = d["reports"]
        for age, verdicts in zip(range(len(reports) - 1, -1, -1), reports, strict=True):
            if len(verdicts) != len(CHECK_IDS):
                raise ValueError(f"demo.yaml: {d['hostname']}: {verdicts!r} needs one letter per check")
            checks = {cid: {"verdict": VERDICTS[v], "evidence": {}} | (_unknown(d["os"], cid) if v == "u" else {})
                      for cid, v in zip(CHECK_IDS, verdicts, strict=True)}
            device = {k: d[k] for k in ("hostname", "os", "os_version", "owner", "ownership")} | {"key": f"demo-{n:03d}"}
            ingest(token, f"demo-{n:03d}-{age}", device, today - dt.timedelta(days=30 * age), checks, "agent")


def _unknown(os_name: str, check_id: str) -> dict:
    """Why a demo check is unknown, as the engine words it: the rule's first source was not captured."""
    from tebiki.agent.engine import REGISTRY, reason_text

    rule = REGISTRY[os_name].get(check_id)
    code, params = ("not_captured", {"name": rule.sources[0]}) if rule and rule.sources else ("no_rule", {"os": os_name})
    return {"reason": reason_text(code, params, "en"), "reason_code": code, "reason_params": params}


def assign_devices(org: Organisation, user, devices: list[dict]) -> None:
    """Give a device to the worker who uses it, through the device page's form and audited as its view does, so
    that worker's personal link has a "my devices" page with results."""
    from tebiki.web.audit import log as audit
    from tebiki.web.devices.models import Device
    from tebiki.web.devices.views import DeviceForm
    from tebiki.web.people.models import Worker

    for n, d in enumerate(devices):
        if "worker" not in d:
            continue
        dev = Device.objects.get(organisation=org, key=f"demo-{n:03d}")
        worker = Worker.objects.filter(organisation=org, email=d["worker"]).first()
        form = DeviceForm({"owner": dev.owner, "ownership": dev.ownership, "worker": worker.id if worker else ""},
                          instance=dev)
        if worker is None or not form.is_valid():
            raise ValueError(f"demo.yaml: devices[{n}]: worker {d['worker']!r} is not in people.workers")
        form.save()
        audit.record("device.edit", actor=user, organisation=org, target=dev.hostname, data={"worker": str(worker)})


def add_people(org: Organisation, user, people: dict | None, seed: int, today: dt.date) -> None:
    """The roster (through the bulk form's validation), one open campaign, and the workers' answers and training
    stored the way their personal form stores them."""
    from tebiki.core.campaign import items_for
    from tebiki.core.training import modules, score
    from tebiki.web.audit import log as audit
    from tebiki.web.people import service
    from tebiki.web.people.forms import BulkWorkersForm
    from tebiki.web.people.models import Answer, PersonalLink, Worker

    if not people:
        return
    rng = random.Random(f"{seed}-people")
    form = BulkWorkersForm({"lines": "\n".join(f"{w['name']},{w['email']},{w['department']}" for w in people["workers"])},
                           org=org)
    if not form.is_valid():
        raise ValueError(f"demo.yaml: people.workers: {form.errors.as_text()}")
    rows = form.cleaned_data["lines"]
    Worker.objects.bulk_create([Worker(organisation=org, **r) for r in rows])
    audit.record("worker.bulk_add", actor=user, organisation=org, target=f"{len(rows)}",
                 data={"emails": [r["email"] for r in rows]})

    spec = people["campaign"]
    known = modules()
    unknown = set(spec["modules"]) - set(known)
    if unknown:
        raise ValueError(f"demo.yaml: people.campaign.modules: unknown module {sorted(unknown)[0]!r}")
    departments = [d["id"] for d in org.profile["departments"]]
    campaign = service.create_campaign(org, spec["title"], departments, today + dt.timedelta(days=spec["deadline_in_days"]),
                                       user, modules=spec["modules"])
    service.open_campaign(campaign, BASE_URL, send=False, actor=user)

    hard = set(people.get("hard_items", []))
    comments: dict[str, dict[str, tuple[str, str]]] = {}
    for c in people.get("comments", []):
        if c["value"] not in Answer.Value.values:  # beware YAML reading a bare yes / no as a boolean
            raise ValueError(f"demo.yaml: people.comments: {c['item']}: value {c['value']!r} is not one of "
                             f"{Answer.Value.values}")
        comments.setdefault(c["email"], {})[c["item"]] = (c["value"], c["text"])
    links = {link.worker.email: link for link in PersonalLink.objects.current().filter(campaign=campaign)
             .select_related("worker", "campaign", "organisation")}
    for w in people["workers"]:
        link = links[w["email"]]
        items = items_for(campaign.items, link.worker.department)
        answers: dict[str, tuple[str, str]] = {}
        for item in items[:round(w["answered"] * len(items))]:
            yes = w["care"] - (0.35 if item in hard else 0)
            answers[item] = ("yes" if rng.random() < yes else rng.choice(["no", "unknown"]), "")
        for item, answer in comments.get(w["email"], {}).items():
            if item not in items:
                raise ValueError(f"demo.yaml: people.comments: {item} is not asked of {w['email']}")
            answers[item] = answer
        service.save_answers(link, answers, submit=w["answered"] >= 1)
        for module_id in w["training"]:
            if module_id not in campaign.modules:
                raise ValueError(f"demo.yaml: {w['email']}: training {module_id!r} is not a module of the campaign")
            module = known[module_id]
            given = [q.answer if rng.random() < w["care"] else (q.answer + 1) % len(q.choices) for q in module.quiz]
            service.acknowledge_training(link, module_id, score(module, given) if module.quiz else None)


def add_contacts(org: Organisation, user, contacts: list[dict]) -> None:
    """The contact list, each entry checked by the contact form and audited as the form's view does."""
    from tebiki.web.audit import log as audit
    from tebiki.web.incidents.forms import ContactForm

    for n, data in enumerate(contacts):
        form = ContactForm(data)
        if not form.is_valid():
            raise ValueError(f"demo.yaml: contacts[{n}]: {form.errors.as_text()}")
        contact = form.save(commit=False)
        contact.organisation = org
        contact.save()
        audit.record("contact.create", actor=user, organisation=org, target=contact.name,
                     data={"situation": contact.situation, "availability": contact.availability})


def add_incidents(org: Organisation, user, incidents: list[dict]) -> None:
    """Reports through the organisation's report link (checked by the report form), then their follow-up by the
    demo administrator, backdated so the timeline reads like days of work."""
    from tebiki.web.audit import log as audit
    from tebiki.web.incidents.forms import ReportForm
    from tebiki.web.incidents.models import ReportLink
    from tebiki.web.incidents.service import add_note, change_status, create_report

    if not incidents:
        return
    link, _token = ReportLink.issue(org, user)  # the clear token is not kept; an administrator can issue a new one
    audit.record("report_link.issue", actor=user, organisation=org, target=link.hint,
                 data={"expires": link.expires_at.isoformat()})
    now = timezone.now().replace(second=0, microsecond=0)
    for n, inc in sorted(enumerate(incidents), key=lambda x: -x[1]["days_ago"]):
        reported = now - dt.timedelta(days=inc["days_ago"])
        occurred = timezone.localtime(reported - dt.timedelta(minutes=20))
        form = ReportForm({"situation": inc["situation"], "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
                           "device": inc["device"], "description": inc["description"],
                           "reporter_name": inc["reporter"]["name"], "reporter_contact": inc["reporter"]["contact"]})
        if not form.is_valid():
            raise ValueError(f"demo.yaml: incidents[{n}]: {form.errors.as_text()}")
        incident = create_report(org, form.cleaned_data, request=None, link=link, at=reported)
        for step in inc.get("timeline", []):
            at = reported + dt.timedelta(hours=step["hours"])
            if at > now:
                raise ValueError(f"demo.yaml: incidents[{n}]: a timeline step lies in the future")
            if "status" in step:
                change_status(incident, step["status"], step.get("note", ""), request=None, user=user, at=at)
            else:
                add_note(incident, step["note"], request=None, user=user, at=at)
