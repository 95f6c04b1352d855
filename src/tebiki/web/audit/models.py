"""An append-only audit log whose entries are chained by SHA-256, so an edit, deletion or reordering shows.

Each entry's hash covers its own fields and the previous entry's hash. Appends lock one head row, so
concurrent writers cannot fork the chain. Entries are never updated or deleted by the application.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils import timezone

GENESIS = "0" * 64


class AuditHead(models.Model):
    """One row: the sequence number and hash of the newest entry (locked while appending)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=254, blank=True)  # email at the time; kept if the user is deleted
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def payload(self) -> bytes:
        fields = {"seq": self.seq, "at": self.at.isoformat(timespec="microseconds"), "actor": self.actor,
                  "organisation_id": self.organisation_id, "action": self.action, "target": self.target,
                  "data": self.data, "ip": self.ip, "prev": self.prev_hash}
        return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()
