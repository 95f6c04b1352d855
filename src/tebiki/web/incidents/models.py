"""The contact list, the organisation's report link, incidents and their append-only timeline."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tebiki.core.incidents import OPEN_STATUSES
from tebiki.core.vocabulary import INCIDENT_STATUS
from tebiki.web.orgs.models import Organisation, token_hash
from tebiki.web.vocab import text_choices


class Availability(models.TextChoices):
    BUSINESS_HOURS = "business_hours", _("Business hours")
    OUT_OF_HOURS = "out_of_hours", _("Out of hours")
    ALWAYS = "always", _("Any time")


class Contact(models.Model):
    """Whom a worker calls for one situation (or for every situation: "general")."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incident_contacts")
    situation = models.CharField(_("situation"), max_length=30)  # an ID of core/data/incident_situations.yaml
    availability = models.CharField(_("availability"), max_length=20, choices=Availability.choices,
                                    default=Availability.BUSINESS_HOURS)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role or team"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=10)

    class Meta:
        ordering = ["position", "id"]


class ReportLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, token: str) -> ReportLink | None:
        if not token or len(token) > 100:
            return None
        return self.usable().filter(token_hash=token_hash(token)).select_related("organisation").first()


class ReportLink(models.Model):
    """The organisation's link to the report form for people without an account. Only the token's hash is stored."""

    VALID_FOR = timedelta(days=365)
    GRACE = timedelta(days=14)  # an earlier link keeps working this long after a new one is issued
    MAX_PER_HOUR = 10  # reports one link accepts per hour; more is refused with 429

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="report_links")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8)  # first characters, to tell links apart
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ReportLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    @classmethod
    def issue(cls, organisation: Organisation, by) -> tuple[ReportLink, str]:
        """A new link; earlier open links keep working for GRACE (printed cards carry them), then expire.
        Returns the clear token, shown once. Revoking (revoke_link) is how a leaked link is stopped at once."""
        now = timezone.now()
        cls.objects.usable().filter(organisation=organisation, expires_at__gt=now + cls.GRACE).update(
            expires_at=now + cls.GRACE)
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(organisation=organisation, token_hash=token_hash(token), hint=token[:6],
                                  created_by=by, created_at=now, expires_at=now + cls.VALID_FOR)
        return link, token

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "open"

    def recent_reports(self) -> int:
        return self.incidents.filter(created_at__gt=timezone.now() - timedelta(hours=1)).count()


Status = text_choices("Status", INCIDENT_STATUS)


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Incident(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incidents")
    number = models.PositiveIntegerField()  # 1, 2, … within the organisation
    situation = models.CharField(_("what happened"), max_length=30)
    occurred_at = models.DateTimeField(_("when"), null=True, blank=True)  # None: the reporter did not say
    occurred_about = models.CharField(_("about when"), max_length=100, blank=True)  # the reporter's words
    device = models.CharField(_("device involved"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    reporter_name = models.CharField(_("your name"), max_length=100)
    reporter_contact = models.CharField(_("how to reach you"), max_length=150)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    report_link = models.ForeignKey(ReportLink, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="incidents")
    status = models.CharField(pgettext_lazy("incident", "Status"), max_length=20, choices=Status.choices, default=Status.NEW)
    trouble_cases = models.JSONField(default=list, blank=True)  # MIC trouble case IDs
    measures = models.JSONField(default=list, blank=True)  # MIC measure IDs
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="one_incident_number_per_org")]
        indexes = [models.Index(fields=["organisation", "status"])]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    STATUS = "status", _("Status changed")
    NOTE = "note", _("Note")
    LINKS = "links", _("Related cases and measures changed")


class AppendOnly(Exception):
    """Timeline events are never changed or deleted once written."""


class IncidentEvent(models.Model):
    """One entry of an incident's timeline: written once, never edited or deleted."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_name = models.CharField(max_length=100)  # kept when the account goes; the reporter's name for link reports
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly("incident events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("incident events cannot be deleted")
