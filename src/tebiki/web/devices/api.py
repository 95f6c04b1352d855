"""The JSON API (django-ninja, OpenAPI at /api/v1/openapi.json): endpoint-check report ingestion.

Devices authenticate with the organisation's enrolment token (`Authorization: Bearer tbk_…`). A report is
validated, size-limited (256 KiB), stored in one transaction, and stored once per idempotency key.
Bodies are read strictly (`read_json`): what Python's JSON reader accepts but a database cannot store faithfully
(NaN, Infinity, numbers beyond 64 bits, deep nesting, unpaired surrogates) is refused with 400 before validation.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from typing import Annotated, Any, Literal, NotRequired

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from ninja import NinjaAPI, Status
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, StringConstraints, with_config
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from tebiki.agent.engine import REASONS
from tebiki.agent.rules import CHECK_IDS, evaluate
from tebiki.core.text import NO_CONTROL
from tebiki.web.bearer import Bearer

from .models import LINK_PREFIX, EnrolmentToken
from .service import Rejected, ingest_many

MAX_BODY = 256 * 1024
MAX_FILE = 64 * 1024
MAX_BATCH = 500
MAX_BATCH_BODY = 2 * 1024 * 1024  # = DATA_UPLOAD_MAX_MEMORY_SIZE
MAX_DEPTH = 32  # a report is 4 levels deep; evidence adds a few
MAX_INT = 2**63 - 1  # a database bigint; no check reports anything larger
EARLIEST = dt.date(2020, 1, 1)  # before any tebiki agent ran: the device's clock is wrong
# "Prefer: return=minimal" (RFC 7240 §4.2), alone or among other preferences, the value quoted or not
RETURN_MINIMAL = re.compile(r'(?:^|,)\s*return\s*=\s*("?)minimal\1\s*(?:[;,]|$)', re.IGNORECASE)
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # \ud800-\udfff, paired or not
# A number beyond 64 bits has 19 digits in a row, or an exponent of 3 digits ([eE][+-]?[0-9]{3}); only a body with
# either shape anywhere (a string included: that costs only time) has its numbers parsed by the slower checking hooks.
# The shapes are looked for in the body mapped to "0" for a digit, "e" for e/E, "+" for +/- and " " for every other
# byte: two C passes over the body, where a regular expression took 6.6 ms for a 200 KB outbox batch (2026-12-03).
_SHAPE = bytes(ord("0") if b in b"0123456789" else ord("e") if b in b"eE" else ord("+") if b in b"+-" else ord(" ")
               for b in range(256))
BIG_SHAPES = (b"0" * 19, b"e000", b"e+000")


def has_big_number(body: bytes) -> bool:
    shape = body.translate(_SHAPE)
    return any(s in shape for s in BIG_SHAPES)


class BodyRefused(ValueError):
    """A body Python could read but the database could not store as sent; the message says why (never the body)."""


def _constant(name: str):
    raise BodyRefused(f"{name} is not a number in JSON")


def _int(text: str) -> int:
    # the length test first: int() itself refuses more than 4300 digits with a less helpful message
    if len(text.lstrip("-")) > 19 or abs(value := int(text)) > MAX_INT:
        raise BodyRefused(f"an integer is out of range (at most {MAX_INT} either way)")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyRefused("a number is too large for a 64-bit float")
    return value


def read_json(body: bytes) -> Any:
    """Parse a request body as strict JSON (RFC 8259 numbers, at most MAX_DEPTH levels, UTF-8-encodable strings);
    raises BodyRefused."""
    numbers = {"parse_int": _int, "parse_float": _float} if has_big_number(body) else {}
    try:
        data = json.loads(body, parse_constant=_constant, **numbers)
    except RecursionError:
        raise BodyRefused(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except BodyRefused:
        raise
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
        raise BodyRefused(f"not valid JSON: {err}") from None
    level, depth = [data] if type(data) in (dict, list) else [], 0
    while level:  # one level of containers at a time: no recursion, and only containers are visited
        depth += 1
        if depth > MAX_DEPTH:
            raise BodyRefused(f"the JSON is nested deeper than {MAX_DEPTH} levels")
        level = [c for v in level for c in (v.values() if type(v) is dict else v) if type(c) in (dict, list)]
    if SURROGATE_ESCAPE.search(body) and _unencodable(data):  # only an escape can smuggle in a lone surrogate
        raise BodyRefused("a string holds an unpaired surrogate escape (\\ud800-\\udfff)")
    return data


def _unencodable(value: Any) -> bool:
    """Does any string in *value* (nested at most MAX_DEPTH deep, so recursion is safe) fail to encode as UTF-8?"""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unencodable(k) or _unencodable(v) for k, v in value.items())
    return isinstance(value, list) and any(_unencodable(v) for v in value)


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return read_json(request.body)


class TokenAuth(Bearer):
    def authenticate(self, request: HttpRequest, token: str):
        # runs before the body is parsed, so an oversized body is refused without parsing it
        limit = MAX_BATCH_BODY if request.path.endswith("/batch") else MAX_BODY
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise HttpError(413, f"body larger than {limit} bytes")
        return EnrolmentToken.find(token)


api = NinjaAPI(title="tebiki API", version="1", urls_namespace="api", docs_url=None, auth=TokenAuth(),
               parser=StrictParser())


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja answers an unreadable body with "Cannot parse request body" only; add why, which names no content."""
    detail = f"{exc}: {exc.__cause__}" if isinstance(exc.__cause__, BodyRefused) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


def _plausible(day: dt.date) -> dt.date:
    latest = timezone.localdate() + dt.timedelta(days=1)  # a device east of the server may be a day ahead
    if not EARLIEST <= day <= latest:
        raise ValueError(f"as_of must lie between {EARLIEST} and {latest}; is the device's clock right?")
    return day


AsOf = Annotated[dt.date, AfterValidator(_plausible)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Reports are validated into plain dicts (TypedDicts, wrapped in a RootModel so that ninja reads the whole body
# and documents it): pydantic-core does all the checking, and the storage code gets dicts without a dump step.
strict = with_config(ConfigDict(extra="forbid"))
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


ReasonText = Annotated[str, StringConstraints(max_length=200, pattern=NO_CONTROL)]
# a reason's parameters: texts, numbers, or an (English, Japanese) pair
ReasonParam = ReasonText | int | Annotated[list[ReasonText], Field(min_length=2, max_length=2)]


@strict
class CheckIn(TypedDict):
    verdict: Literal["pass", "fail", "unknown"]
    reason: NotRequired[Annotated[str, StringConstraints(max_length=500, pattern=NO_CONTROL)]]
    reason_code: NotRequired[Literal[tuple(REASONS)]]  # type: ignore[valid-type]
    reason_params: NotRequired[Annotated[dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}$")],
                                              ReasonParam], Field(max_length=8)]]
    evidence: NotRequired[dict[str, Any]]  # at most 4 KiB as JSON, no NUL: checked where it is encoded


@strict
class ReportIn(TypedDict):
    idempotency_key: Key
    device: DeviceIn
    as_of: AsOf
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
    as_of: AsOf | None = None
    files: dict[Annotated[str, StringConstraints(pattern=r"^(windows|macos|linux)/[a-z0-9_.-]{1,40}$")],
                Annotated[str, StringConstraints(max_length=MAX_FILE)]]


class Stored(BaseModel):  # plain pydantic: ninja's Schema adds ORM-reading work per object
    report: int
    device: int
    created: bool


class Uploaded(Stored):
    # a new report: the device's page, a personal link shown only in this answer (none with Prefer: return=minimal)
    page: str | None = None


class BatchItem(Stored):
    key: str


def store(request: HttpRequest, reports: list[dict], source: str, param: str = "report",
          links: bool = False) -> list[dict]:
    """Store validated reports; evidence refused by the service is answered like any other 422."""
    try:
        return ingest_many(request.auth, [{"key": r["idempotency_key"], "device": r["device"], "as_of": r["as_of"],
                                           "checks": r["checks"]} for r in reports], source, links=links)
    except Rejected as err:
        single = param != "batch"  # a single report's errors point into it, not into a list
        raise ValidationError([{**e, "loc": ["body", param, *e["loc"][2 if single else 0:]]}
                               for e in err.errors]) from None


def prefers_minimal(request: HttpRequest) -> bool:
    """Does the request say `Prefer: return=minimal` (RFC 7240), among its preferences?"""
    return bool(RETURN_MINIMAL.search(request.META.get("HTTP_PREFER", "")))


def upload(request: HttpRequest, response: HttpResponse, report: dict, source: str, param: str) -> Status:
    """One report stored and, when it is new, its device's link issued in the same transaction (one commit, one
    fsync, per upload; no link without its report): 201 with the link to the device's page, a personal link shown
    only in this answer, which no cache may keep; 200 for a repeated report (no write, no link).

    With `Prefer: return=minimal` no link is made: an unattended agent (a scheduled `tebiki check --report`) shows
    it to nobody, so it would only be a 30-day secret that nobody holds, and a row to write for every report."""
    response["Cache-Control"] = "no-store"
    minimal = prefers_minimal(request)
    if minimal:
        response["Preference-Applied"] = "return=minimal"
    item = store(request, [report], source, param, links=not minimal)[0]
    body = {k: item[k] for k in ("report", "device", "created")}
    if item["created"] and not minimal:
        head, tail = _page_path(get_script_prefix())
        # what build_absolute_uri makes of an absolute path, without parsing and quoting it again: the path is
        # reverse's (quoted) around a URL-safe token (about 35 µs of an upload's 1 ms in the upload's request)
        body["page"] = f"{request.scheme}://{request.get_host()}{head}{item['link']}{tail}"
    # a model instance: ninja dumps it without validating the answer a second time
    return Status(201 if item["created"] else 200, Uploaded(**body))


@functools.lru_cache(maxsize=8)
def _page_path(prefix: str) -> tuple[str, str]:
    """The path of a device link's page before and after its token, under the script *prefix* (which reverse reads):
    reversed once, not on every upload (about 35 µs of 1.4 ms). A token is URL-safe, so reverse would not quote it."""
    head, tail = reverse("device_link", args=[LINK_PREFIX + "-"]).split(LINK_PREFIX + "-")
    return head, tail


# documented, not declared as a ninja Header parameter: read from request.META, without building request.headers
PREFER = {"parameters": [{"in": "header", "name": "Prefer", "required": False, "schema": {"type": "string"},
                          "description": "return=minimal: make no personal link to the device's page (for an agent "
                                         "that shows it to nobody); the answer says Preference-Applied."}]}


@api.post("/agent/reports", response={200: Uploaded, 201: Uploaded}, summary="Upload an evaluated check report",
          openapi_extra=PREFER)
def post_report(request: HttpRequest, report: ReportBody, response: HttpResponse):
    return upload(request, response, report.root, "agent", "report")


@api.post("/agent/captures", response={200: Uploaded, 201: Uploaded},
          summary="Upload raw outputs of a capture script", openapi_extra=PREFER)
def post_capture(request: HttpRequest, capture: CaptureIn, response: HttpResponse):
    os_name = capture.device["os"]
    if any(not name.startswith(os_name + "/") for name in capture.files):
        raise HttpError(422, f"every file must be under {os_name}/")
    as_of = capture.as_of or timezone.localdate()
    result = evaluate(os_name, {k: v.encode("utf-8") for k, v in capture.files.items()}, as_of)
    # the engine has taken NUL characters and non-finite numbers out of reasons and evidence
    checks = {cid: {k: c[k] for k in ("verdict", "reason", "evidence", "reason_code", "reason_params")}
              for cid, c in result["checks"].items()}
    return upload(request, response, {"idempotency_key": capture.idempotency_key, "device": capture.device,
                                      "as_of": as_of, "checks": checks}, "capture", "capture")


@api.post("/agent/reports/batch", response=list[BatchItem], summary="Upload many evaluated reports at once (outbox)")
def post_batch(request: HttpRequest, batch: BatchBody):
    """All reports are validated first; if one is invalid nothing is stored. Stored reports are skipped."""
    return store(request, batch.root["reports"], "agent", "batch")
