"""Write and verify the audit log, and anchor its head outside the database.

The chain shows an edited, removed or reordered entry, but not a cut tail: delete the newest entries, move the head
back, and what is left still verifies. So each backup, purge and successful verify appends the head (sequence number,
hash, the entry's time) to an append-only anchor file in the data directory and prints it; `anchor_problems` finds
every anchored entry that is gone or changed, and an expected hash kept elsewhere (`tebiki audit verify --expect`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
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


def head() -> dict[str, Any]:
    """The newest entry as an anchor records it: {"seq", "hash", "entry_at"} (seq 0 for an empty log)."""
    h = AuditHead.objects.filter(pk=1).first()
    if h is None or h.seq == 0:
        return {"seq": 0, "hash": GENESIS, "entry_at": None}
    at = AuditEntry.objects.filter(seq=h.seq).values_list("at", flat=True).first()
    return {"seq": h.seq, "hash": h.hash, "entry_at": at.isoformat() if at else None}


def anchor(event: str) -> dict[str, Any]:
    """Append the head to the anchor file (opened append-only, mode 0600) and return the line's content.

    A restore starts the file afresh in effect: anchors written before it describe a log that was replaced."""
    line = {"at": timezone.now().isoformat(), "event": event, **head()}
    fd = os.open(Path(settings.AUDIT_ANCHOR_FILE), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return line


def anchors() -> list[dict[str, Any]]:
    """The anchors that describe the log as it is now: those after the newest restore. Raises ValueError if the
    file holds a line that is not an anchor (it was edited)."""
    path = Path(settings.AUDIT_ANCHOR_FILE)
    if not path.exists():
        return []
    found: list[dict[str, Any]] = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            line = json.loads(text)
            line = {"at": str(line["at"]), "event": str(line["event"]), "seq": int(line["seq"]),
                    "hash": str(line["hash"]), "entry_at": line.get("entry_at")}
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}, line {n}: not an anchor") from err
        found = [line] if line["event"] == "restore" else [*found, line]
    return found


def anchor_problems(expect: str | None = None) -> list[Problem]:
    """Every anchored entry (and *expect*, a head hash kept elsewhere) that the log no longer holds as it was."""
    try:
        wanted = [a for a in anchors() if a["seq"] > 0]
    except ValueError as err:
        return [Problem(0, "anchor", str(err))]
    start, continues_from = chain_start()
    kept = dict(AuditEntry.objects.filter(seq__in=[a["seq"] for a in wanted]).values_list("seq", "hash"))
    problems = []
    for a in wanted:
        if a["seq"] >= start and kept.get(a["seq"]) != a["hash"]:
            problems.append(Problem(a["seq"], "cut", f"entry {a['seq']}, anchored at {a['at']} ({a['event']}), is "
                                    "missing or changed: the log was cut or rebuilt"))
        elif a["seq"] < start and not _purgeable(a):
            problems.append(Problem(a["seq"], "cut", f"entry {a['seq']}, anchored at {a['at']}, was removed by a "
                                    "purge that could not have removed it (too young for its cutoff)"))
    if expect is not None and not (AuditEntry.objects.filter(hash=expect).exists() or expect == continues_from):
        problems.append(Problem(0, "cut", f"no entry has the expected hash {expect}: the log was cut or rebuilt "
                                "(or that entry was purged)"))
    return problems


def _purgeable(a: dict[str, Any]) -> bool:
    """Could the newest purge have removed the anchored entry? Only if it was older than the purge's cutoff, and the
    cutoff lies at least the minimum retention before the purge; a forged purge entry fails one of these."""
    purge = AuditEntry.objects.filter(action=PURGE).order_by("-seq").first()
    try:
        cutoff = datetime.fromisoformat(purge.data["cutoff"])
        entry_at = datetime.fromisoformat(a["entry_at"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return (entry_at < cutoff and purge.at - cutoff >= timedelta(days=settings.AUDIT_RETENTION_MIN_DAYS)
            and purge.at <= timezone.now())


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
    problems = verify() + anchor_problems()
    if problems:
        raise RetentionError(f"the audit chain is broken at entry {problems[0].seq} ({problems[0].kind}): "
                             "not purging; investigate with `tebiki audit verify`", 1)
    cutoff = timezone.now() - timedelta(days=older_than_days)
    result = _purge(cutoff, older_than_days, actor, dry_run)
    if not dry_run:
        anchor("purge")
    return result


def _purge(cutoff, older_than_days: int, actor: str, dry_run: bool) -> Purge:
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
