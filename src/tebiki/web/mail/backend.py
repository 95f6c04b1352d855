"""Django's EMAIL_BACKEND for the app: messages are stored in the queue, in the caller's transaction, not sent."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from .models import OutgoingMail

ORGANISATION_HEADER = "X-Tebiki-Organisation"  # the sender names the organisation; removed before delivery


class QueueBackend(BaseEmailBackend):
    """Stores each message as an OutgoingMail row; `tebiki mail send` delivers them through MAIL_TRANSPORT."""

    def send_messages(self, email_messages) -> int:
        rows = []
        for m in email_messages:
            if getattr(m, "alternatives", None):
                raise ValueError("the mail queue stores plain-text messages only")
            if m.attachments:
                raise ValueError("the mail queue stores messages without attachments only")
            headers = {k: str(v) for k, v in m.extra_headers.items()}
            org = headers.pop(ORGANISATION_HEADER, None)
            rows.append(OutgoingMail(organisation_id=int(org) if org else None, from_email=m.from_email,
                                     to=list(m.to), cc=list(m.cc), bcc=list(m.bcc), reply_to=list(m.reply_to),
                                     subject=str(m.subject), body=m.body, headers=headers))
        OutgoingMail.objects.bulk_create(rows)
        return len(rows)
