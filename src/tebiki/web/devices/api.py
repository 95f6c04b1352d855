"""The JSON API (django-ninja, OpenAPI at /api/v1/openapi.json): endpoint-check report ingestion.

Devices authenticate with the organisation's enrolment token (`Authorization: Bearer tbk_…`). A report is
validated, size-limited (256 KiB), stored in one transaction, and stored once per idempotency key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, NotRequired

from django.http import HttpRequest
from ninja import NinjaAPI, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints, with_config
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from tebiki.agent.rules import CHECK_IDS, evaluate

from .models import EnrolmentToken
from .service import Rejected, ingest_many

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
    model_config = ConfigDict(extra="forbid")


# Reports are validated into plain dicts (TypedDicts, wrapped in a RootModel so that ninja reads the whole body
# and documents it): pydantic-core does all the checking, and the storage code gets dicts without a dump step.
strict = with_config(ConfigDict(extra="forbid"))
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"  # PostgreSQL refuses NUL in text; other controls are noise
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{8,100}$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NO_CONTROL)]
Line = Annotated[str, StringConstraints(max_length=100, pattern=NO_CONTROL)]
OsName = Literal["windows", "macos", "linux"]
CheckId = Literal[tuple(CHECK_IDS)]  # type: ignore[valid-type]  (the ids come from checks.yaml)


@strict
class DeviceIn(TypedDict):
    key: Key
    hostname: Short
    os: OsName
    os_version: NotRequired[Line]
    owner: NotRequired[Line]
    ownership: NotRequired[Literal["company", "byod", "unknown"]]


@strict
class CheckIn(TypedDict):
    verdict: Literal["pass", "fail", "unknown"]
    reason: NotRequired[Annotated[str, StringConstraints(max_length=500, pattern=NO_CONTROL)]]
    evidence: NotRequired[dict[str, Any]]  # at most 4 KiB as JSON, no NUL: checked where it is encoded


@strict
class ReportIn(TypedDict):
    idempotency_key: Key
    device: DeviceIn
    as_of: dt.date
    checks: Annotated[dict[CheckId, CheckIn], Field(min_length=1)]


@strict
class BatchIn(TypedDict):
    reports: Annotated[list[ReportIn], Field(min_length=1, max_length=MAX_BATCH)]


class ReportBody(RootModel[ReportIn]):
    """An evaluated check report, as `tebiki check --report` sends it."""


class BatchBody(RootModel[BatchIn]):
    """Up to 500 reports, e.g. an agent's outbox."""


class CaptureIn(In):
    """Raw command outputs from the capture scripts; tebiki evaluates them here."""

    idempotency_key: Key
    device: DeviceIn
    as_of: dt.date | None = None
    files: dict[Annotated[str, StringConstraints(pattern=r"^(windows|macos|linux)/[a-z0-9_.-]{1,40}$")],
                Annotated[str, StringConstraints(max_length=MAX_FILE)]]


class Stored(BaseModel):  # plain pydantic: ninja's Schema adds ORM-reading work per object
    report: int
    device: int
    created: bool


class BatchItem(Stored):
    key: str


def store(request: HttpRequest, reports: list[dict], source: str, param: str = "report") -> list[dict]:
    """Store validated reports; evidence refused by the service is answered like any other 422."""
    try:
        return ingest_many(request.auth, [{"key": r["idempotency_key"], "device": r["device"], "as_of": r["as_of"],
                                           "checks": r["checks"]} for r in reports], source)
    except Rejected as err:
        single = param != "batch"  # a single report's errors point into it, not into a list
        raise ValidationError([{**e, "loc": ["body", param, *e["loc"][2 if single else 0:]]}
                               for e in err.errors]) from None


def answer(item: dict) -> Status:
    return Status(201 if item["created"] else 200, {k: item[k] for k in ("report", "device", "created")})


@api.post("/agent/reports", response={200: Stored, 201: Stored}, summary="Upload an evaluated check report")
def post_report(request: HttpRequest, report: ReportBody):
    return answer(store(request, [report.root], "agent")[0])


@api.post("/agent/captures", response={200: Stored, 201: Stored}, summary="Upload raw outputs of a capture script")
def post_capture(request: HttpRequest, capture: CaptureIn):
    os_name = capture.device["os"]
    if any(not name.startswith(os_name + "/") for name in capture.files):
        raise HttpError(422, f"every file must be under {os_name}/")
    as_of = capture.as_of or dt.date.today()
    result = evaluate(os_name, {k: v.encode("utf-8") for k, v in capture.files.items()}, as_of)
    # evaluate() answers unknown for unreadable files and keeps no NUL or NaN in reasons and evidence
    checks = {cid: {"verdict": c["verdict"], "reason": c["reason"], "evidence": c["evidence"]}
              for cid, c in result["checks"].items()}
    return answer(store(request, [{"idempotency_key": capture.idempotency_key, "device": capture.device,
                                   "as_of": as_of, "checks": checks}], "capture", "capture")[0])


@api.post("/agent/reports/batch", response=list[BatchItem], summary="Upload many evaluated reports at once (outbox)")
def post_batch(request: HttpRequest, batch: BatchBody):
    """All reports are validated first; if one is invalid nothing is stored. Stored reports are skipped."""
    return store(request, batch.root["reports"], "agent", "batch")
