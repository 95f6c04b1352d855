"""Web timings for `make bench`: the consultant overview with 10 vs 1,000 organisations of 50 items each.

Runs against a throw-away SQLite database in a temporary data directory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable


def overview_rows(best_of: Callable[..., float]) -> list[tuple[str, float, str, str]]:
    os.environ["TEBIKI_DATA_DIR"] = tempfile.mkdtemp(prefix="tebiki-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tebiki.web.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tebiki.web.accounts.models import User
    from tebiki.web.assessments.models import ItemRecord
    from tebiki.web.assessments.service import plan_of, summarise
    from tebiki.web.orgs.management.commands.demo import DEMO
    from tebiki.web.orgs.models import Membership, Organisation, Role

    call_command("migrate", verbosity=0)
    import yaml

    from tebiki.core.profile import Profile

    profile = Profile.model_validate(yaml.safe_load(DEMO.read_text(encoding="utf-8"))["profile"]).model_dump(mode="json")
    template = Organisation.objects.create(name="template", profile=profile)
    rows = [r for r in plan_of(template).rows if r.applies][:50]
    summary = summarise(plan_of(template))

    def consultant(n: int) -> Client:
        user = User.objects.create(email=f"c{n}@bench.example", password="!")
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"顧客{n}-{i:04d}", profile=profile, summary=summary) for i in range(n))
        Membership.objects.bulk_create(Membership(user=user, organisation=o, role=Role.CONSULTANT) for o in orgs)
        ItemRecord.objects.bulk_create(
            ItemRecord(organisation=o, item=r.item, scope=r.scope, status="not_done", decision="will_do",
                       deadline="2020-01-01", owner="担当") for o in orgs for r in rows)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    small, large = consultant(10), consultant(1000)

    def get(client: Client) -> None:
        assert client.get("/orgs/").status_code == 200

    t_small = best_of(lambda: get(small), repeat=7)
    t_large = best_of(lambda: get(large), repeat=5)
    ratio = t_large / t_small
    return [
        ("consultant overview, 10 organisations × 50 items", t_small, "1.00×", "baseline"),
        ("consultant overview, 1,000 organisations × 50 items", t_large, f"{ratio:.1f}×",
         "well below 100× (linear) " + ("✓" if ratio < 50 else "✗")),
    ]
