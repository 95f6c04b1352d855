"""Load the demo organisation (サンプル商事) with a partly filled assessment and a sign-in for it.

The password is generated here and printed once; it is never a constant in the code.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tebiki.core.profile import Profile
from tebiki.web.assessments.models import ItemChange, ItemRecord
from tebiki.web.assessments.service import plan_of, refresh_summary
from tebiki.web.orgs.models import Membership, Organisation, Role

DEMO = Path(__file__).resolve().parents[2] / "demo.yaml"
EMAIL = "demo@tebiki.example"


def new_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters from a 64-symbol alphabet


class Command(BaseCommand):
    help = "Create the demo organisation and its sign-in (idempotent). Example: python -m tebiki.web demo"

    def add_arguments(self, parser):
        parser.add_argument("--reset-password", action="store_true", help="print a new password for the demo sign-in")
        parser.add_argument("--email", default=EMAIL)

    def handle(self, *args, email: str, reset_password: bool, **options):
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
        url = "http://127.0.0.1:8000/"
        self.stdout.write(f"\n  tebiki demo: {url}\n  sign in as {email}")
        if password:
            self.stdout.write(f"  password:   {password}   (shown once; `make demo-password` prints a new one)\n")
        else:
            self.stdout.write("  password:   as printed at set-up (`make demo-password` prints a new one)\n")


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
            checks = {cid: {"verdict": VERDICTS[v], "reason": "" if v != "u" else "demo: not reported by this OS",
                            "evidence": {}} for cid, v in zip(CHECK_IDS, verdicts, strict=True)}
            device = {k: d[k] for k in ("hostname", "os", "os_version", "owner", "ownership")} | {"key": f"demo-{n:03d}"}
            ingest(token, f"demo-{n:03d}-{age}", device, today - dt.timedelta(days=30 * age), checks, "agent")
