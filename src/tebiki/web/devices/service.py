"""Storing endpoint-check reports: a batch in one transaction, each report stored once per idempotency key."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from tebiki.agent.rules import CHECK_IDS, check_texts
from tebiki.core.evidence import Contradiction, FailingCheck
from tebiki.core.evidence import contradictions as find_contradictions
from tebiki.web.people.service import no_answers
from tebiki.web.sql import column, insert_sql, placeholders, plain_rows, table

from .models import CheckReport, CheckResult, Device, DeviceLink, EnrolmentToken

VERDICTS = ("pass", "fail", "unknown")
MAX_EVIDENCE = 4096  # characters of one check's evidence, as stored JSON
# One encoder for every evidence value: json.dumps with options builds a new encoder on each call.
# allow_nan=False: NaN and Infinity are not JSON, and both databases' JSON checks refuse them.
to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# JSON writes NUL as \u0000 whatever ensure_ascii says; after an even run of backslashes it is the text "\u0000"
NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
TOKEN_TOUCH = dt.timedelta(minutes=5)  # "last used" is precise to a few minutes; saves a write per report


def json_text(value: Any) -> str:
    """*value* as stored JSON text; nothing (None or empty) as "{}", which most checks' parameters are (without
    building the text each time)."""
    return to_json(value) if value else "{}"


class Rejected(ValueError):
    """Some reports cannot be stored as they are; *errors* say where ({"loc": [...], "msg": ...}). Nothing
    of the batch was written."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(e["msg"] for e in errors))
        self.errors = errors


def evidence_texts(reports: list[dict[str, Any]]) -> list[list[str]]:
    """Each check's evidence as the JSON text that will be stored (encoded once, here), refusing evidence over
    4 KiB, with a NUL character (PostgreSQL cannot store it) or with NaN or Infinity. Raises Rejected listing every
    bad check."""
    texts, errors = [], []
    for i, r in enumerate(reports):
        row = []
        for cid, c in r["checks"].items():
            try:
                text = json_text(c.get("evidence"))
                msg = ("evidence is limited to 4 KiB" if len(text) > MAX_EVIDENCE
                       else "evidence may not contain NUL characters" if NUL_ESCAPE.search(text) else None)
            except ValueError:
                text, msg = "", "evidence may not contain NaN or Infinity"
            if msg:
                errors.append({"type": "value_error", "loc": ["reports", i, "checks", cid, "evidence"], "msg": msg})
            row.append(text)
        texts.append(row)
    if errors:
        raise Rejected(errors)
    return texts


def ingest(token: EnrolmentToken, key: str, device: dict[str, Any], as_of: dt.date,
           checks: dict[str, dict[str, Any]], source: str) -> dict[str, Any]:
    """Store one report: {"key", "report", "device", "created"}. A repeated idempotency key answers with the
    stored report (created False) and writes nothing."""
    return ingest_many(token, [{"key": key, "device": device, "as_of": as_of, "checks": checks}], source)[0]


def ingest_many(token: EnrolmentToken, reports: list[dict[str, Any]], source: str = "agent",
                links: bool = False) -> list[dict[str, Any]]:
    """Store reports (one upload, or an agent's outbox) in one transaction with one statement per table.

    Each entry: {"key", "device": {"key", "hostname", "os", "os_version"?, "owner"?, "ownership"?}, "as_of",
    "checks": {check id: {"verdict", "reason"?, "evidence"?, "reason_code"?, "reason_params"?}}}. Reports whose
    key is stored already are answered with the stored report and not written again; a key twice in one batch
    counts once. Each device's entry in the register takes the last of its reports in the batch; owner, OS version
    and ownership are only changed when a report gives them. Answers one {"key", "report", "device", "created"}
    per distinct key, in order; with *links*, each new report's answer also has "link", a new personal link to its
    device's page (DeviceLink.for_device), issued in the same transaction.
    """
    texts = evidence_texts(reports)  # before any write: a bad report stores nothing

    def attempt() -> list[dict[str, Any]]:
        # one BEGIN … COMMIT per upload, with no savepoint inside; the retry below is outside it
        with transaction.atomic(), connection.cursor() as cur:  # one cursor for every statement
            items = _store(cur, token, reports, texts, source)
            if links:  # no link without its report, and one commit (one fsync) for both
                for item in items:
                    if item["created"]:
                        item["link"] = DeviceLink.for_device(token.organisation_id, item["device"], cur)
            return items

    try:
        return attempt()
    except IntegrityError:  # a concurrent upload stored one of these keys first; now they are known: once more
        return attempt()


def _store(cur, token: EnrolmentToken, reports: list[dict[str, Any]], texts: list[list[str]],
           source: str) -> list[dict[str, Any]]:
    """The writes of ingest_many, inside its transaction, on its cursor *cur*."""
    org_id = token.organisation_id  # every statement below is scoped by it
    now = timezone.now()
    ops = connection.ops
    keys = list(dict.fromkeys(r["key"] for r in reports))
    cur.execute(_known_sql(len(keys)), [org_id, *keys])
    known = {k: (rid, did) for k, rid, did in cur.fetchall()}
    fresh: dict[str, int] = {}  # key -> index into reports
    for i, r in enumerate(reports):
        if r["key"] not in known:
            fresh.setdefault(r["key"], i)
    received = ops.adapt_datetimefield_value(now)
    newest = {reports[i]["device"]["key"]: reports[i] for i in fresh.values()}  # the last one wins
    # RETURNING gives the ids of the rows written, so no look-up follows each insert
    ids = dict(_returning(cur, _device_upsert(len(newest)), [
        v for r in newest.values() for d in (r["device"],)
        for v in (org_id, d["key"], d["hostname"], d.get("owner") or "", d.get("ownership") or "unknown", d["os"],
                  d.get("os_version") or "", received, received,
                  to_json({cid: c["verdict"] for cid, c in r["checks"].items()}))]))
    stored = dict(_returning(cur, insert_sql(CheckReport, _REPORT_FIELDS, len(fresh), "idempotency_key"), [
        v for k, i in fresh.items()
        for v in (org_id, ids[reports[i]["device"]["key"]], k, received, ops.adapt_datefield_value(reports[i]["as_of"]),
                  source)]))
    if fresh:  # rows in database form, with one executemany: no ORM work per row (no signals; every column given)
        cur.executemany(insert_sql(CheckResult, _RESULT_FIELDS), [
            (stored[k], cid, c["verdict"], (c.get("reason") or "")[:500], text, c.get("reason_code") or "",
             json_text(c.get("reason_params")))
            for k, i in fresh.items()
            for (cid, c), text in zip(reports[i]["checks"].items(), texts[i], strict=True)])
    if fresh and (token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH):
        EnrolmentToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return [{"key": k, "report": stored[k], "device": ids[reports[fresh[k]]["device"]["key"]], "created": True}
            if k in fresh else {"key": k, "report": known[k][0], "device": known[k][1], "created": False}
            for k in keys]


# Why SQL and not the ORM here (issue 16.6): the same writes through bulk_create (devices grouped by the optional
# fields they carry, each group one bulk_create(update_conflicts=True, unique_fields=["organisation", "key"],
# update_fields=[…]); reports and results by bulk_create) ran the outbox batches at 0.10× the raw insert rate in
# `make bench` (python -m bench ingestion, SQLite, 2026-12-02) against 0.40× for these statements, in the same run
# conditions: the ORM's per-object work (model instances, field preparation, JSON encoding a second time) is most of a
# batch's cost. The goal for moving was ≥ 0.5×; so the statements stay, built from the models' metadata.


_REPORT_FIELDS = ("organisation", "device", "idempotency_key", "received_at", "as_of", "source")
_RESULT_FIELDS = ("report", "check_id", "verdict", "reason", "evidence", "reason_code", "reason_params")


@functools.lru_cache(maxsize=64)
def _known_sql(keys: int) -> str:
    """(idempotency key, id, device id) of an organisation's stored reports with one of *keys* keys (parameters:
    the organisation's id, then the keys)."""
    q = functools.partial(column, CheckReport)
    return (f"SELECT {q('idempotency_key')}, {q('id')}, {q('device')} FROM {table(CheckReport)} "
            f"WHERE {q('organisation')} = %s AND {q('idempotency_key')} IN ({', '.join(['%s'] * keys)})")


@functools.lru_cache(maxsize=64)
def _device_upsert(rows: int) -> str:
    """*rows* device rows per (organisation, key): inserted, or updated keeping first_seen, and keeping owner,
    OS version and ownership when the report does not give them; returns (key, id) of each. ON CONFLICT … DO UPDATE
    and RETURNING are the same on SQLite (3.35+) and PostgreSQL."""
    t, q = table(Device), functools.partial(column, Device)
    cols = ("organisation", "key", "hostname", "owner", "ownership", "os", "os_version", "first_seen", "last_seen",
            "latest")
    keep_unless = {"owner": "''", "os_version": "''", "ownership": "'unknown'"}
    sets = [f"{q(n)} = excluded.{q(n)}" for n in ("hostname", "os", "last_seen", "latest")] + [
        f"{q(n)} = CASE WHEN excluded.{q(n)} = {empty} THEN {t}.{q(n)} ELSE excluded.{q(n)} END"
        for n, empty in keep_unless.items()]
    return (f"INSERT INTO {t} ({', '.join(q(n) for n in cols)}) VALUES {placeholders(len(cols), rows)} "
            f"ON CONFLICT ({q('organisation')}, {q('key')}) DO UPDATE SET {', '.join(sets)} "
            f"RETURNING {q('key')}, {q('id')}")


def _returning(cur, sql: str, params: list) -> list[tuple]:
    """Run one multi-row INSERT … RETURNING on *cur*; nothing when there are no rows."""
    if not params:
        return []
    cur.execute(sql, params)
    return cur.fetchall()


def fleet(org, checks: tuple[str, ...] | list[str] = CHECK_IDS) -> dict[str, dict[str, int]]:
    """Per check, how many devices passed, failed or are unknown in their newest report ("devices": how many have a
    verdict for it).

    One query, grouped by the newest verdicts themselves: devices with the same verdicts are one row, and a fleet has
    few distinct combinations (9 rows for the bench's 300 devices), so Python adds up a handful of rows whatever the
    fleet's size. Nine grouped queries on a JSON key, one per check, cost ten times as much.
    """
    counts = {cid: Counter() for cid in checks}
    for latest, n in (Device.objects.filter(organisation=org).order_by().values_list("latest")
                      .annotate(n=Count("id"))):
        if isinstance(latest, dict):
            for cid in checks:
                if isinstance(verdict := latest.get(cid), str) and verdict:
                    counts[cid][verdict] += n
    return {cid: {"pass": c["pass"], "fail": c["fail"], "unknown": c["unknown"], "devices": c.total()}
            for cid, c in counts.items()}


def fleet_for_measure(org, measure_id: str) -> list[dict[str, Any]]:
    """The checks that give evidence for a measure, with the fleet counts (for the item page)."""
    texts = check_texts()
    related = [cid for cid in CHECK_IDS if measure_id in texts[cid]["measures"]]
    if not related:
        return []
    counts = fleet(org, related)
    return [{"id": cid, "title": texts[cid]["title"], **counts[cid]} for cid in related]


def failing_devices(org, checks: tuple[str, ...] | list[str] = CHECK_IDS) -> dict[str, list[str]]:
    """Per check, the names of the devices whose newest report fails it (in name order). Only devices with a failed
    check are read, picked by the database from the text of their verdicts (a match on "fail" as JSON writes it:
    cheaper than a look-up per check, and each candidate is then checked key by key)."""
    out: dict[str, list[str]] = {cid: [] for cid in checks}
    text = Cast("latest", TextField())
    rows = (Device.objects.filter(organisation=org).alias(text=text).filter(text__contains='"fail"')
            .order_by("hostname", "id").values_list("hostname", text))
    for hostname, latest in plain_rows(rows):
        verdicts = json.loads(latest) if latest else {}
        for cid in checks:
            if isinstance(verdicts, dict) and verdicts.get(cid) == "fail":
                out[cid].append(hostname)
    return out


def contradictions(org, rows) -> list[Contradiction]:
    """Evidence over assertion (tebiki.core.evidence): the applicable *rows* recorded as done while devices fail a
    check that gives evidence for their measure, or workers answered no to it in the newest self-check."""
    done = [r for r in rows if r.applies and r.status == "done"]
    if not done:
        return []
    texts = check_texts()
    failing = [(FailingCheck(cid, texts[cid]["title"], tuple(names)), texts[cid]["measures"])
               for cid, names in failing_devices(org).items() if names]
    return find_contradictions(done, failing, no_answers(org, [(r.item, r.scope) for r in done]))
