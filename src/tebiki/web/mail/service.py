"""Delivering the queue: due messages go to MAIL_TRANSPORT; a failure is retried later, then given up and shown."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from tebiki.web.logs import redact

from .models import OutgoingMail

log = logging.getLogger(__name__)

# Minutes to wait after the n-th failed attempt; after the last one the message is marked failed (about a day).
RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)


@dataclass(frozen=True)
class Delivery:
    sent: int
    retrying: int
    failed: int


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1])


def deliver_due(limit: int = 200) -> Delivery:
    """Send up to *limit* messages whose time has come. Rows being sent by another process are skipped."""
    now = timezone.now()
    sent = failed = 0
    with transaction.atomic():
        due = list(OutgoingMail.objects.select_for_update(skip_locked=True)
                   .filter(status=OutgoingMail.Status.QUEUED, next_attempt_at__lte=now)
                   .order_by("next_attempt_at", "id")[:limit])
        if not due:
            return Delivery(0, 0, 0)
        connection = get_connection(settings.MAIL_TRANSPORT, fail_silently=False)
        try:
            connection.open()
        except Exception as err:  # noqa: BLE001 - the server is unreachable: every message waits for the next run
            for row in due:
                failed += _failed(row, err, now)
            return Delivery(0, len(due) - failed, failed)
        try:
            for row in due:
                try:
                    connection.send_messages([row.message()])
                except Exception as err:  # noqa: BLE001 - one refused message must not stop the others
                    failed += _failed(row, err, now)
                    continue
                row.status, row.sent_at, row.attempts, row.last_error = OutgoingMail.Status.SENT, now, row.attempts + 1, ""
                row.save(update_fields=["status", "sent_at", "attempts", "last_error"])
                sent += 1
        finally:
            connection.close()
    return Delivery(sent, len(due) - sent - failed, failed)


def _failed(row: OutgoingMail, err: Exception, now: dt.datetime) -> int:
    """Record a failed attempt; 1 when it was the last one allowed."""
    row.attempts += 1
    row.last_error = redact(f"{type(err).__name__}: {err}")[:300]
    given_up = row.attempts >= settings.MAIL_MAX_ATTEMPTS
    if given_up:
        row.status = OutgoingMail.Status.FAILED
        log.warning("mail %s given up after %s attempts: %s", row.id, row.attempts, row.last_error)
    else:
        row.next_attempt_at = now + retry_delay(row.attempts)
    row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    return int(given_up)


def retry_failed(ids: list[int] | None = None) -> int:
    """Put given-up messages (all, or those *ids*) back in the queue for the next run."""
    qs = OutgoingMail.objects.filter(status=OutgoingMail.Status.FAILED)
    if ids:
        qs = qs.filter(id__in=ids)
    return qs.update(status=OutgoingMail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now())
