"""Storing endpoint-check reports: one transaction per report, stored once per idempotency key."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tebiki.agent.rules import CHECK_IDS, check_texts

from .models import CheckReport, CheckResult, Device, EnrolmentToken

VERDICTS = ("pass", "fail", "unknown")
# One encoder for every evidence value: json.dumps with options builds a new encoder on each call, which was
# the largest cost of a batch upload (three encodings per check result).
to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
TOKEN_TOUCH = dt.timedelta(minutes=5)  # "last used" is precise to a few minutes; saves a write per report


def ingest(token: EnrolmentToken, key: str, device: dict[str, Any], as_of: dt.date,
           checks: dict[str, dict[str, Any]], source: str) -> tuple[CheckReport, bool]:
    """Store one report; returns (report, created). A repeated idempotency key returns the stored report.

    Four statements in one transaction: upsert the device, insert the report (its unique key refuses a
    repeat), insert the results, and now and then note when the token was last used.
    """
    org = token.organisation
    now = timezone.now()
    dev = Device(organisation=org, key=device["key"], hostname=device["hostname"], os=device["os"],
                 os_version=device.get("os_version") or "", owner=device.get("owner") or "",
                 ownership=device.get("ownership") or "unknown", first_seen=now, last_seen=now,
                 latest={cid: c["verdict"] for cid, c in checks.items()})
    update = ["hostname", "os", "last_seen", "latest"] + [
        name for name in ("os_version", "owner") if getattr(dev, name)] + (
        ["ownership"] if dev.ownership != "unknown" else [])
    try:
        with transaction.atomic():
            report = CheckReport(organisation=org, idempotency_key=key, received_at=now, as_of=as_of, source=source)
            Device.objects.bulk_create([dev], update_conflicts=True, unique_fields=["organisation", "key"],
                                       update_fields=update)
            if dev.pk is None:  # databases that cannot return the id of an upserted row
                dev = Device.objects.get(organisation=org, key=device["key"])
            report.device = dev
            report.save(force_insert=True)
            CheckResult.objects.bulk_create(
                CheckResult(report=report, check_id=cid, verdict=c["verdict"], reason=(c.get("reason") or "")[:500],
                            evidence=c.get("evidence") or {}) for cid, c in checks.items())
            if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH:
                EnrolmentToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except IntegrityError:  # this idempotency key was stored before (a retry): nothing above was kept
        return CheckReport.objects.get(organisation=org, idempotency_key=key), False
    return report, True


def ingest_many(token: EnrolmentToken, reports: list[dict[str, Any]], source: str = "agent") -> list[dict[str, Any]]:
    """Store a batch of reports (an agent's outbox) in one transaction with bulk statements.

    Reports whose idempotency key is already stored are answered with the stored report and not written
    again. Each entry of *reports*: {"key", "device", "as_of", "checks"} as in ingest().
    """
    org = token.organisation
    now = timezone.now()
    with transaction.atomic():
        keys = [r["key"] for r in reports]
        known = dict(CheckReport.objects.filter(organisation=org, idempotency_key__in=keys)
                     .values_list("idempotency_key", "id"))
        fresh: dict[str, dict[str, Any]] = {}
        for r in reports:
            if r["key"] not in known:
                fresh.setdefault(r["key"], r)  # a key twice in one batch counts once
        newest: dict[str, Device] = {}
        for r in fresh.values():  # the last report of a device decides its register entry
            d = r["device"]
            newest[d["key"]] = Device(
                organisation=org, key=d["key"], hostname=d["hostname"], os=d["os"], os_version=d.get("os_version") or "",
                owner=d.get("owner") or "", ownership=d.get("ownership") or "unknown", first_seen=now, last_seen=now,
                latest={cid: c["verdict"] for cid, c in r["checks"].items()})
        if newest:
            Device.objects.bulk_create(newest.values(), update_conflicts=True, unique_fields=["organisation", "key"],
                                       update_fields=["hostname", "os", "os_version", "last_seen", "latest"])
        ids = dict(Device.objects.filter(organisation=org, key__in=list(newest)).values_list("key", "id"))
        received = connection.ops.adapt_datetimefield_value(now)
        _insert(CheckReport, ("organisation", "device", "idempotency_key", "received_at", "as_of", "source"),
                [(org.id, ids[r["device"]["key"]], k, received, connection.ops.adapt_datefield_value(r["as_of"]), source)
                 for k, r in fresh.items()])
        stored = dict(CheckReport.objects.filter(organisation=org, idempotency_key__in=list(fresh))
                      .values_list("idempotency_key", "id"))
        _insert(CheckResult, ("report", "check_id", "verdict", "reason", "evidence"),
                [(stored[k], cid, c["verdict"], (c.get("reason") or "")[:500],
                  to_json(c.get("evidence") or {}))
                 for k, r in fresh.items() for cid, c in r["checks"].items()])
        if fresh and (token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH):
            EnrolmentToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return [{"key": k, "report": stored.get(k) or known[k], "created": k in stored and k not in known}
            for k in dict.fromkeys(keys)]


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows with one executemany: the ORM's per-object work is most of a batch's cost, and these rows need
    none of it (no signals; every column is given). Values must already be in database form."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(n).column) for n in fields)
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def fleet(org) -> dict[str, dict[str, int]]:
    """Per check, how many devices passed, failed or are unknown in their newest report."""
    counts: dict[str, Counter] = {cid: Counter() for cid in CHECK_IDS}
    for latest in Device.objects.filter(organisation=org).values_list("latest", flat=True):
        for cid, verdict in (latest or {}).items():
            if cid in counts:
                counts[cid][verdict] += 1
    return {cid: {"pass": c["pass"], "fail": c["fail"], "unknown": c["unknown"], "devices": sum(c.values())}
            for cid, c in counts.items()}


def fleet_for_measure(org, measure_id: str) -> list[dict[str, Any]]:
    """The checks that give evidence for a measure, with the fleet counts (for the item page)."""
    texts = check_texts()
    related = [cid for cid in CHECK_IDS if measure_id in texts[cid]["measures"]]
    if not related:
        return []
    counts = fleet(org)
    return [{"id": cid, "title": texts[cid]["title"], **counts[cid]} for cid in related]
