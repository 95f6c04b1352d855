"""Enrolment tokens, the device register and the endpoint-check reports devices send."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.core.vocabulary import OWNERSHIP
from tebiki.web.orgs.models import BearerToken, Organisation
from tebiki.web.sql import insert
from tebiki.web.vocab import text_choices

TOKEN_PREFIX = "tbk_"
LINK_PREFIX = "tbd_"


class EnrolmentToken(BearerToken):
    """A secret that lets devices of one organisation upload check reports, and nothing else."""

    PREFIX = TOKEN_PREFIX
    # an upload needs the organisation's id only, which the token's row holds: its profile and figures (JSON, a few
    # KB to decode) are not read for every report (half of a 126 µs look-up for the bench's 300-worker organisation)
    LOADED_WITH = None

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="enrolment_tokens")

    class Meta:
        ordering = ["-created_at"]


Ownership = text_choices("Ownership", OWNERSHIP)


class Device(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="devices")
    key = models.CharField(max_length=64)  # random ID the agent keeps on the device
    hostname = models.CharField(_("device name"), max_length=100)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    # the worker who uses it, chosen by a manager: their personal link shows this device's checks
    worker = models.ForeignKey("people.Worker", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="devices", verbose_name=_("worker"))
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.UNKNOWN)
    os = models.CharField(max_length=10)
    os_version = models.CharField(max_length=100, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    latest = models.JSONField(default=dict, blank=True)  # check id -> verdict of the newest report

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="one_device_per_key")]
        ordering = ["hostname", "id"]


class DeviceLink(BearerToken):
    """A personal link to one device's page, given in the answer to an upload (agent or capture script): whoever
    ran the check sees its result and how to fix it, without an account. Hashed, expiring, revocable."""

    PREFIX = LINK_PREFIX
    VALID_FOR = dt.timedelta(days=30)

    # not indexed on its own: a link is found by its hash and listed by its device; only deleting an organisation
    # looks links up by it, and the table is small (an unattended upload makes none)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="links")
    # A link issued by an upload has no creator, and uploads issue nearly all of them: only links made by a person
    # are indexed (partial index), so a user's deletion still finds theirs and an upload writes one index fewer.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   db_index=False)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["created_by"], condition=models.Q(created_by__isnull=False),
                                name="devicelink_created_by")]

    PURGE_EVERY = dt.timedelta(minutes=10)
    _purged_at: dt.datetime | None = None  # in this process

    @classmethod
    def for_device(cls, organisation_id: int, device_id: int, cursor=None) -> str:
        """A new link to the device's page (its clear token), written with one INSERT built once (tebiki.web.sql),
        on *cursor* if given (an upload's, in its transaction): no instance is needed, only the clear token."""
        if cursor is None:
            with connection.cursor() as cursor:
                return cls.for_device(organisation_id, device_id, cursor)
        now = timezone.now()
        cls.purge_expired(now)
        token, stored = cls.new_secret()
        when = connection.ops.adapt_datetimefield_value
        insert(cursor, cls, organisation_id=organisation_id, device_id=device_id, label="upload", created_by_id=None,
               created_at=when(now), revoked_at=None, last_used_at=None, expires_at=when(now + cls.VALID_FOR), **stored)
        return token

    @classmethod
    def purge_expired(cls, now: dt.datetime) -> None:
        """Drop every expired link, at most once per PURGE_EVERY in a process (and again if the clock went back).
        An expired link opens nothing (find), so this only keeps the table small; a delete on every upload was
        one statement of about ten per report."""
        last = cls._purged_at
        if last is None or not last <= now < last + cls.PURGE_EVERY:
            cls.objects.filter(expires_at__lte=now).delete()
            cls._purged_at = now

    @classmethod
    def find(cls, token: str):
        link = super().find(token)
        return link if link is not None and link.expires_at > timezone.now() else None


class CheckReport(models.Model):
    # no index of its own: the unique (organisation, idempotency_key) index begins with it and serves every look-up
    # by organisation; one index fewer to write for every report
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="check_reports",
                                     db_index=False)
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
    reason = models.CharField(max_length=500, blank=True)  # as sent (English); shown when the code is missing
    # why the verdict is unknown, language-neutral (tebiki.agent.engine.REASONS): shown in the reader's language
    reason_code = models.CharField(max_length=30, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
