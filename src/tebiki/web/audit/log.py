"""Write and verify the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import GENESIS, AuditEntry, AuditHead


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(action: str, *, actor=None, request=None, organisation=None, target: str = "",
           data: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry; call inside the transaction of the change it describes so both land or neither."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    email = actor if isinstance(actor, str) else getattr(actor, "email", "") or ""
    org_id = getattr(organisation, "id", organisation)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(seq=head.seq + 1, at=timezone.now(), actor=email[:254], organisation_id=org_id,
                           action=action, target=str(target)[:200], data=data or {}, ip=client_ip(request),
                           prev_hash=head.hash)
        # JSON round trip so the hash covers exactly what the database gives back (dates become strings)
        entry.data = _plain(entry.data)
        entry.hash = entry.compute_hash()
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def _plain(data: Any) -> Any:
    import json

    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


@dataclass
class Problem:
    seq: int
    kind: str  # edited / missing / reordered / head
    detail: str


def verify(entries=None) -> list[Problem]:
    """Walk the chain from the first entry; report every entry whose content or link does not hold."""
    problems: list[Problem] = []
    prev_hash, expected_seq = GENESIS, 1
    qs = entries if entries is not None else AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    last = None
    for e in qs:
        if e.seq != expected_seq:
            kind = "missing" if e.seq > expected_seq else "reordered"
            problems.append(Problem(e.seq, kind, f"expected entry {expected_seq}, found {e.seq}"))
        if e.compute_hash() != e.hash:
            problems.append(Problem(e.seq, "edited", f"entry {e.seq} ({e.action}) does not match its hash"))
        elif e.prev_hash != prev_hash:
            problems.append(Problem(e.seq, "reordered",
                                    f"entry {e.seq} ({e.action}) does not follow the entry before it"))
        prev_hash, expected_seq, last = e.hash, e.seq + 1, e
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (last is None or head.seq != last.seq or head.hash != last.hash):
        problems.append(Problem(head.seq, "missing", f"the newest entry {head.seq} is missing or changed"))
    return problems
