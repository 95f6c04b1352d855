"""Workers of an organisation, self-check campaigns, personal links (hashed tokens) and answers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tebiki.web.orgs.models import Organisation, token_hash


class Worker(models.Model):
    """Someone who teleworks for the organisation; reached by personal links, without an account."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="workers")
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"))
    department = models.CharField(_("department"), max_length=40)  # a department ID of the organisation's profile
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["department", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "email"], name="one_worker_per_email")]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """One round of worker self-checks: the items are fixed when the campaign is created."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(_("title"), max_length=100)
    departments = models.JSONField(default=list)  # department IDs
    items = models.JSONField(default=dict)  # item ID -> department IDs it applies to (tebiki.core.campaign)
    modules = models.JSONField(default=list, blank=True)  # training module IDs (tebiki.core.training)
    deadline = models.DateField(_("deadline"))
    closes_at = models.DateTimeField()  # links stop working then, at the latest
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # bumped by every stored answer in its transaction: part of the key of the cached results (service.results)
    revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        """draft / open / closed (closed also once the closing time has passed)."""
        if self.closed_at or (self.opened_at and self.closes_at <= timezone.now()):
            return "closed"
        return "open" if self.opened_at else "draft"

    @property
    def is_open(self) -> bool:
        return self.state == "open"


class LinkQuerySet(models.QuerySet):
    def current(self):
        return self.filter(revoked_at__isnull=True)


class PersonalLink(models.Model):
    """A worker's link to one campaign. Only the token's hash is stored; its form works while the campaign is open,
    its "my devices" page while the link is valid."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="links")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "worker"], condition=Q(revoked_at__isnull=True),
                                               name="one_current_link_per_worker")]

    @classmethod
    def issue(cls, campaign: Campaign, worker: Worker) -> tuple[PersonalLink, str]:
        """A new link for *worker*, revoking the one before; returns it with the clear token (never stored)."""
        now = timezone.now()
        cls.objects.current().filter(campaign=campaign, worker=worker).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        link = cls.objects.create(organisation=campaign.organisation, campaign=campaign, worker=worker,
                                  token_hash=token_hash(token), created_at=now)
        return link, token

    @classmethod
    def find(cls, token: str) -> PersonalLink | None:
        """The link a token belongs to, usable or not; None for a token that was never issued."""
        if not token or len(token) > 100:
            return None
        return (cls.objects.filter(token_hash=token_hash(token))
                .select_related("campaign", "worker", "organisation").first())

    @property
    def valid(self) -> bool:
        """Not revoked and not expired (its campaign opened and its closing time is still ahead). The worker's "my
        devices" page follows this, not the campaign: it stays reachable after the campaign was closed early."""
        return not self.revoked_at and self.campaign.opened_at is not None and self.campaign.closes_at > timezone.now()

    @property
    def refusal(self) -> str | None:
        """Why the link no longer opens the form (revoked / closed / not_open), or None when it works."""
        if self.revoked_at:
            return "revoked"
        state = self.campaign.state
        return None if state == "open" else "closed" if state == "closed" else "not_open"


class Answer(models.Model):
    class Value(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Don't know")
        NA = "na", pgettext_lazy("answer", "Does not apply")  # offered only where the question says it may not apply

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="answers")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=60)
    value = models.CharField(max_length=10, choices=Value.choices)
    comment = models.CharField(max_length=500, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "worker", "item"], name="one_answer_per_item")]
        # the results page lists the few answers with a comment (service.comments): read through this partial
        # index, not by scanning every answer of the campaign
        indexes = [models.Index(fields=["campaign"], condition=~models.Q(comment=""), name="answer_with_comment"),
                   # the dashboard reads who answered no to the done items' questions (service.no_answers): a
                   # covering index reads those answers alone, not every answer of the campaign
                   models.Index(fields=["campaign", "value", "item", "worker"], name="answer_by_value")]


class Submission(models.Model):
    """When a worker last pressed "submit" for a campaign (answers stay editable until it closes)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="submissions")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="submissions")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "worker"], name="one_submission_per_worker")]


class TrainingAck(models.Model):
    """A worker confirmed reading a training module of a campaign (tebiki.core.training), with the quiz score."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="training_acks")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="training_acks")
    module = models.CharField(max_length=30)
    acknowledged_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # right answers; None when the module has no quiz

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "worker", "module"], name="one_ack_per_module")]
