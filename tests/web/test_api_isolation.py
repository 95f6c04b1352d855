"""Tenant isolation for the API, built from the OpenAPI schema: every operation needs a live enrolment token, and
a token of one organisation cannot read or change another's devices and reports, even with colliding keys.

A new API operation fails `test_every_api_operation_is_in_the_matrix` until it gets a body here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tebiki.web.devices.api import api
from tebiki.web.devices.models import CheckReport, CheckResult, Device, EnrolmentToken
from tests.agent.test_rules import WIN_GOOD

from .test_devices import post, report

SHARED_KEY, SHARED_DEVICE = "shared-key-0001", "dev-shared-01"
BODIES = {
    "/api/v1/agent/reports": lambda: report(key=SHARED_KEY, device_key=SHARED_DEVICE, hostname="B-PC"),
    "/api/v1/agent/captures": lambda: {"idempotency_key": SHARED_KEY, "as_of": "2026-11-01", "files": WIN_GOOD,
                                       "device": {"key": SHARED_DEVICE, "hostname": "B-PC", "os": "windows"}},
    "/api/v1/agent/reports/batch": lambda: {"reports": [report(key=SHARED_KEY, device_key=SHARED_DEVICE,
                                                               hostname="B-PC")]},
}


def operations() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema()
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()
            if path.startswith("/api/v1/agent/")]  # the organisation API has its own matrix (test_org_api.py)


OPERATIONS = operations()


def state_of(org) -> list:
    return [list(Device.objects.filter(organisation=org).order_by("id").values()),
            list(CheckReport.objects.filter(organisation=org).order_by("id").values()),
            list(CheckResult.objects.filter(report__organisation=org).order_by("id").values())]


@pytest.fixture
def tokens(cast):
    """Organisation A has a device and a report under the keys that organisation B is about to use."""
    _, a = EnrolmentToken.issue(cast.org, "A", cast.admin)
    _, b = EnrolmentToken.issue(cast.other, "B", cast.outsider)
    assert post(a, report(key=SHARED_KEY, device_key=SHARED_DEVICE, hostname="A-PC")).status_code == 201
    return a, b


def test_every_api_operation_is_in_the_matrix():
    assert {path for path, _, _ in OPERATIONS} == set(BODIES)
    others = [p for p in api.get_openapi_schema()["paths"] if not p.startswith(("/api/v1/agent/", "/api/v1/orgs/"))]
    assert others == [], "an API path outside both isolation matrices"
    assert all(method == "post" for _, method, _ in OPERATIONS), "a read operation needs its own isolation test"


@pytest.mark.parametrize("path,method,op", OPERATIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_api_operation_declares_token_auth(path, method, op):
    assert op.get("security") == [{"TokenAuth": []}]


@pytest.mark.parametrize("path", BODIES)
def test_without_a_live_token_nothing_is_stored(cast, path):
    revoked, secret = EnrolmentToken.issue(cast.org, "old", cast.admin)
    revoked.revoked_at = timezone.now()
    revoked.save()
    assert Client().post(path, BODIES[path](), content_type="application/json").status_code == 401
    assert post(secret, BODIES[path](), path).status_code == 401
    assert post("tbk_" + "x" * 43, BODIES[path](), path).status_code == 401
    assert not Device.objects.exists() and not CheckReport.objects.exists()


@pytest.mark.parametrize("path", BODIES)
def test_another_organisations_token_cannot_touch_this_organisations_devices(cast, tokens, path):
    a, b = tokens
    before = state_of(cast.org)
    own_ids = {"device": {d["id"] for d in before[0]}, "report": {r["id"] for r in before[1]}}

    r = post(b, BODIES[path](), path)

    assert r.status_code in (200, 201), r.content
    answers = r.json() if isinstance(r.json(), list) else [r.json()]
    for answer in answers:
        assert answer["report"] not in own_ids["report"] and answer["created"] is True
        assert answer.get("device") not in own_ids["device"]
    assert state_of(cast.org) == before
    theirs = Device.objects.get(organisation=cast.other)
    assert theirs.key == SHARED_DEVICE and theirs.hostname == "B-PC"
    assert CheckReport.objects.filter(organisation=cast.other, idempotency_key=SHARED_KEY).count() == 1


@pytest.mark.parametrize("path", BODIES)
def test_a_retry_answers_with_ones_own_report_only(cast, tokens, path):
    a, b = tokens
    first = post(b, BODIES[path](), path).json()
    again = post(b, BODIES[path](), path).json()
    # The same report again: the stored one is named, nothing is written, and no second device-page link is issued
    # (a link is shown once; only its hash is kept).
    def same(x: dict) -> dict:
        return {**x, "created": False, **({"page": None} if "page" in x else {})}
    assert again == ([same(x) for x in first] if isinstance(first, list) else same(first))
    mine = set(CheckReport.objects.filter(organisation=cast.other).values_list("id", flat=True))
    reported = {x["report"] for x in (again if isinstance(again, list) else [again])}
    assert reported <= mine
