"""One cast for the web tests: an organisation with members in every role, and an outsider's organisation."""

from __future__ import annotations

import functools

import pytest
import yaml
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tebiki.core.profile import Profile
from tebiki.web.accounts.models import User
from tebiki.web.assessments.service import refresh_summary
from tebiki.web.orgs.management.commands.demo import DEMO
from tebiki.web.orgs.models import Membership, Organisation, Role

PASSWORD = "correct horse battery staple"


def make_org(name: str, profile: dict | None = None) -> Organisation:
    data = dict(profile or yaml.safe_load(DEMO.read_text(encoding="utf-8"))["profile"], name=name)
    org = Organisation.objects.create(name=name, profile=Profile.model_validate(data).model_dump(mode="json"))
    refresh_summary(org)
    return org


@functools.cache
def password_hash() -> str:
    return make_password(PASSWORD)  # Argon2 once per run, not once per user


def make_user(email: str, org: Organisation | None = None, role: str = Role.ADMIN) -> User:
    user = User.objects.create(email=email, password=password_hash(), name=email.split("@")[0])
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


class Cast:
    def __init__(self):
        self.org = make_org("テスト商事")
        self.other = make_org("よその会社")
        self.admin = make_user("admin@test.example", self.org, Role.ADMIN)
        self.executive = make_user("exec@test.example", self.org, Role.EXECUTIVE)
        self.consultant = make_user("consultant@test.example", self.org, Role.CONSULTANT)
        self.worker = make_user("worker@test.example", self.org, Role.WORKER)
        self.viewer = make_user("viewer@test.example", self.org, Role.VIEWER)
        self.outsider = make_user("outsider@other.example", self.other, Role.ADMIN)

    def client(self, user: User | None, verified: bool = True) -> Client:
        return signed_in(user, verified)


def signed_in(user: User | None, verified: bool = True) -> Client:
    """A client signed in as *user*; `verified` also passes the second step, as after entering a code."""
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if verified:
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
            session = c.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return c


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.fixture(autouse=True)
def audit_anchor_file(settings, tmp_path):
    """Each test its own audit anchor file: anchors outlive the test database, and another test's would not match."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"
    return settings.AUDIT_ANCHOR_FILE


@pytest.fixture(autouse=True)
def no_results_from_another_test():
    """Campaign results are kept per process under their inputs; each test's database starts again at the same IDs
    (and often at the same frozen time), so another test's entry would answer for this one's."""
    from tebiki.web.people import service

    service._recent_results.clear()
