"""Write and verify the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
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


PURGE = "audit.purge"


def chain_start() -> tuple[int, str]:
    """Where the chain begins: entry 1 after GENESIS, or where the newest purge entry says the kept part starts."""
    purge = AuditEntry.objects.filter(action=PURGE).order_by("-seq").first()
    if purge is None:
        return 1, GENESIS
    return int(purge.data["first_kept"]), str(purge.data["continues_from"])


def verify(entries=None) -> list[Problem]:
    """Walk the chain from its start; report every entry whose content or link does not hold."""
    problems: list[Problem] = []
    expected_seq, prev_hash = chain_start()
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


class RetentionError(Exception):
    """A purge that would shorten the log below the minimum (exit 2), or would hide a broken chain (exit 1)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Purge:
    deleted: int
    cutoff: Any
    first_kept: int | None


def purge(older_than_days: int, *, actor: str = "", dry_run: bool = False) -> Purge:
    """Delete the oldest entries (only a leading run older than the cutoff) and record where the chain continues.

    The purge entry itself is chained, so the deletion shows in the log and `verify` starts from it.
    Refuses to run on a broken chain: purging must never erase the evidence of tampering.
    """
    minimum = settings.AUDIT_RETENTION_MIN_DAYS
    if older_than_days < minimum:
        raise RetentionError(f"audit entries are kept at least {minimum} days; {older_than_days} is too short", 2)
    problems = verify()
    if problems:
        raise RetentionError(f"the audit chain is broken at entry {problems[0].seq} ({problems[0].kind}): "
                             "not purging; investigate with `tebiki audit verify`", 1)
    cutoff = timezone.now() - timedelta(days=older_than_days)
    with transaction.atomic():
        AuditHead.objects.select_for_update().get_or_create(pk=1)  # no appends while the start moves
        start, _ = chain_start()
        newer = AuditEntry.objects.filter(seq__gte=start, at__gte=cutoff).order_by("seq").first()
        last = AuditEntry.objects.filter(seq__gte=start, seq__lt=newer.seq if newer else 2**62).order_by("-seq").first()
        if last is None:
            return Purge(0, cutoff, None)
        doomed = AuditEntry.objects.filter(seq__lte=last.seq)
        count = doomed.count()
        if dry_run:
            return Purge(count, cutoff, last.seq + 1)
        doomed.delete()
        record(PURGE, actor=actor, data={"first_kept": last.seq + 1, "continues_from": last.hash, "deleted": count,
                                         "cutoff": cutoff.isoformat(), "older_than_days": older_than_days})
    return Purge(count, cutoff, last.seq + 1)
