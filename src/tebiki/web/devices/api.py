"""The JSON API (django-ninja, OpenAPI at /api/v1/openapi.json): endpoint-check report ingestion.

Devices authenticate with the organisation's enrolment token (`Authorization: Bearer tbk_…`). A report is
validated, size-limited (256 KiB), stored in one transaction, and stored once per idempotency key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tebiki.agent.rules import CHECK_IDS, evaluate

from .models import EnrolmentToken
from .service import ingest, ingest_many, to_json

MAX_BODY = 256 * 1024
MAX_FILE = 64 * 1024
MAX_BATCH = 500
MAX_BATCH_BODY = 2 * 1024 * 1024  # = DATA_UPLOAD_MAX_MEMORY_SIZE


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        # runs before the body is parsed, so an oversized body is refused without parsing it
        limit = MAX_BATCH_BODY if request.path.endswith("/batch") else MAX_BODY
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise HttpError(413, f"body larger than {limit} bytes")
        return EnrolmentToken.find(token)


api = NinjaAPI(title="tebiki API", version="1", urls_namespace="api", docs_url=None, auth=TokenAuth())

class In(BaseModel):
    """Input models are plain pydantic (ninja's Schema adds ORM-reading work that inputs do not need)."""

    model_config = ConfigDict(extra="forbid")


NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # PostgreSQL refuses NUL in text; other controls are noise
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{8,100}$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_CONTROL)]
Line = Annotated[str, StringConstraints(max_length=100, pattern=NO_CONTROL)]
OsName = Literal["windows", "macos", "linux"]


class DeviceIn(In):
    key: Key
    hostname: Short
    os: OsName
    os_version: Line = ""
    owner: Line = ""
    ownership: Literal["company", "byod", "unknown"] = "unknown"


class CheckIn(In):
    verdict: Literal["pass", "fail", "unknown"]
    reason: Annotated[str, StringConstraints(max_length=500, pattern=NO_CONTROL)] = ""
    evidence: dict = Field(default_factory=dict)

    @field_validator("evidence")
    @classmethod
    def _small_and_storable(cls, value: dict) -> dict:
        text = to_json(value)  # JSON escapes NUL as \u0000 whatever ensure_ascii says
        if len(text) > 4096:
            raise ValueError("evidence is limited to 4 KiB")
        if "\\u0000" in text:
            raise ValueError("evidence may not contain NUL characters")
        return value


class ReportIn(In):
    idempotency_key: Key
    device: DeviceIn
    as_of: dt.date
    checks: dict[str, CheckIn]

    @field_validator("checks")
    @classmethod
    def _known(cls, value: dict[str, CheckIn]) -> dict[str, CheckIn]:
        unknown = sorted(set(value) - set(CHECK_IDS))
        if unknown:
            raise ValueError(f"unknown check ids: {', '.join(unknown)}")
        if not value:
            raise ValueError("at least one check is needed")
        return value


class CaptureIn(In):
    """Raw command outputs from the capture scripts; tebiki evaluates them here."""

    idempotency_key: Key
    device: DeviceIn
    as_of: dt.date | None = None
    files: dict[Annotated[str, StringConstraints(pattern=r"^(windows|macos|linux)/[a-z0-9_.-]{1,40}$")],
                Annotated[str, StringConstraints(max_length=MAX_FILE)]]


class Stored(Schema):
    report: int
    device: int
    created: bool


class BatchIn(In):
    reports: list[ReportIn] = Field(min_length=1, max_length=MAX_BATCH)


class BatchItem(Schema):
    key: str
    report: int
    created: bool




@api.post("/agent/reports", response={200: Stored, 201: Stored}, summary="Upload an evaluated check report")
def post_report(request: HttpRequest, report: ReportIn):
    checks = {cid: c.model_dump() for cid, c in report.checks.items()}
    stored, created = ingest(request.auth, report.idempotency_key, report.device.model_dump(), report.as_of,
                             checks, "agent")
    return Status(201 if created else 200, {"report": stored.id, "device": stored.device_id, "created": created})


@api.post("/agent/captures", response={200: Stored, 201: Stored}, summary="Upload raw outputs of a capture script")
def post_capture(request: HttpRequest, capture: CaptureIn):
    os_name = capture.device.os
    if any(not name.startswith(os_name + "/") for name in capture.files):
        raise HttpError(422, f"every file must be under {os_name}/")
    as_of = capture.as_of or dt.date.today()
    result = evaluate(os_name, {k: v.encode("utf-8") for k, v in capture.files.items()}, as_of)
    checks = {cid: {"verdict": c["verdict"], "reason": c["reason"].replace("\x00", ""),
                    "evidence": json.loads(json.dumps(c["evidence"]).replace("\\u0000", ""))}
              for cid, c in result["checks"].items()}
    stored, created = ingest(request.auth, capture.idempotency_key, capture.device.model_dump(), as_of, checks,
                             "capture")
    return Status(201 if created else 200, {"report": stored.id, "device": stored.device_id, "created": created})


@api.post("/agent/reports/batch", response=list[BatchItem], summary="Upload many evaluated reports at once (outbox)")
def post_batch(request: HttpRequest, batch: BatchIn):
    """All reports are validated first; if one is invalid nothing is stored. Stored reports are skipped."""
    reports = batch.model_dump()["reports"]  # one dump for the whole batch
    return ingest_many(request.auth, [{"key": r["idempotency_key"], "device": r["device"], "as_of": r["as_of"],
                                       "checks": r["checks"]} for r in reports])
