"""Enrolment tokens, the device register and the endpoint-check reports devices send."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.core.vocabulary import OWNERSHIP
from tebiki.web.orgs.models import BearerToken, Organisation
from tebiki.web.vocab import text_choices

TOKEN_PREFIX = "tbk_"


class EnrolmentToken(BearerToken):
    """A secret that lets devices of one organisation upload check reports, and nothing else."""

    PREFIX = TOKEN_PREFIX

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="enrolment_tokens")

    class Meta:
        ordering = ["-created_at"]


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
