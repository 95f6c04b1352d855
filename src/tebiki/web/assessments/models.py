"""What an organisation recorded about each item (measure or CSAJ policy) in each scope, with history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.core.vocabulary import DECISION, DIFFICULTY, IMPORTANCE, STATUS
from tebiki.web.orgs.models import Organisation
from tebiki.web.vocab import text_choices

Status = text_choices("Status", STATUS)
Decision = text_choices("Decision", DECISION)


Importance = text_choices("Importance", IMPORTANCE)
Difficulty = text_choices("Difficulty", DIFFICULTY)


class ItemRecord(models.Model):
    """The current state of one item in one scope ("organisation" or a department ID)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="records")
    item = models.CharField(max_length=60)
    scope = models.CharField(max_length=40, default="organisation")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNCHECKED)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    reason = models.TextField(_("reason or note"), max_length=2000, blank=True)
    # the organisation's own view of the measure's priority (blank: the default), as `tebiki assess set` records it
    importance = models.CharField(_("importance"), max_length=8, choices=Importance.choices, blank=True)
    difficulty = models.CharField(_("difficulty"), max_length=8, choices=Difficulty.choices, blank=True)
    override_reason = models.TextField(_("why the priority was changed"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "item", "scope"], name="one_record_per_item_scope")]
        indexes = [models.Index(fields=["organisation", "decision", "deadline"])]


class ItemChange(models.Model):
    """Append-only history: the whole state after each change."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="changes")
    item = models.CharField(max_length=60)
    scope = models.CharField(max_length=40)
    state = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["organisation", "item", "scope"])]


def evidence_path(instance: Evidence, filename: str) -> str:
    # the stored name is random; the original name is kept only as data
    return f"evidence/{instance.organisation_id}/{instance.key}"


class Evidence(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="evidence")
    item = models.CharField(max_length=60)
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=40, unique=True)
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
