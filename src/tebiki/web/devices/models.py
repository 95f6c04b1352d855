"""Enrolment tokens, the device register and the endpoint-check reports devices send."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.core.vocabulary import OWNERSHIP
from tebiki.web.orgs.models import Organisation, token_hash
from tebiki.web.vocab import text_choices

TOKEN_PREFIX = "tbk_"


class EnrolmentToken(models.Model):
    """A secret that lets devices of one organisation upload check reports, and nothing else."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="enrolment_tokens")
    label = models.CharField(_("label"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @classmethod
    def issue(cls, organisation: Organisation, label: str, by) -> tuple[EnrolmentToken, str]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        obj = cls.objects.create(organisation=organisation, label=label, token_hash=token_hash(token),
                                 hint=token[:10], created_by=by)
        return obj, token

    @classmethod
    def find(cls, token: str) -> EnrolmentToken | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        return cls.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True).order_by().first()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


Ownership = text_choices("Ownership", OWNERSHIP)


class Device(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="devices")
    key = models.CharField(max_length=64)  # random ID the agent keeps on the device
    hostname = models.CharField(_("device name"), max_length=100)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN)
    os = models.CharField(max_length=10)
    os_version = models.CharField(max_length=100, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    latest = models.JSONField(default=dict, blank=True)  # check id -> verdict of the newest report

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="one_device_per_key")]
        ordering = ["hostname", "id"]


class CheckReport(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="check_reports")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="reports")
    idempotency_key = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)
    as_of = models.DateField()
    source = models.CharField(max_length=10)  # "agent" (evaluated on the device) or "capture" (here)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "idempotency_key"], name="one_report_per_key")]
        ordering = ["-received_at", "-id"]


class CheckResult(models.Model):
    report = models.ForeignKey(CheckReport, on_delete=models.CASCADE, related_name="results")
    check_id = models.CharField(max_length=40)
    verdict = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
