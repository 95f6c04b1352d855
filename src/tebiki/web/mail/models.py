"""The outgoing-mail queue: every message the app sends waits here until `tebiki mail send` delivers it."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import models
from django.utils import timezone

from tebiki.web.orgs.models import Organisation


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"  # gave up after MAIL_MAX_ATTEMPTS

    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="outgoing_mail")
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    reply_to = models.JSONField(default=list)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    headers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"

    def message(self) -> EmailMessage:
        """The message as it was queued, for the real mail backend."""
        return EmailMessage(subject=self.subject, body=self.body, from_email=self.from_email, to=self.to, cc=self.cc,
                            bcc=self.bcc, reply_to=self.reply_to, headers=self.headers)
