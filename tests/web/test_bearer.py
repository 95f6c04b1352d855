"""The bearer-token check of both JSON APIs (tebiki.web.bearer): read as ninja reads it, never logged."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tebiki.web.devices.models import CheckReport, EnrolmentToken
from tebiki.web.orgapi.models import ApiToken
from tests.web.test_devices import API, report


def agent(cast):
    """A device's upload with (Authorization header) -> its answer; and whether it stored anything."""
    _, token = EnrolmentToken.issue(cast.org, "PCs", cast.admin)
    def call(header: str):
        return Client().post(API, json.dumps(report()), content_type="application/json",
                             headers={"Authorization": header.format(t=token)})
    return token, call, 201


def org_api(cast):
    _, token = ApiToken.issue(cast.org, "script", cast.admin, access="read")
    def call(header: str):
        return Client().get(f"/api/v1/orgs/{cast.org.id}/plan", headers={"Authorization": header.format(t=token)})
    return token, call, 200


@pytest.mark.parametrize("which", [agent, org_api])
@pytest.mark.parametrize("header", ["Bearer {t}", "bearer {t}", "BEARER {t}"])
def test_the_bearer_scheme_is_read_in_any_case(cast, which, header):
    _, call, ok = which(cast)
    assert call(header).status_code == ok


@pytest.mark.parametrize("which", [agent, org_api])
@pytest.mark.parametrize("header", ["Basic {t}", "{t}", "Bearer", "Bearer ", "Token {t}", "Bearer  {t}", "Bearer{t}"])
def test_other_authorizations_are_refused_and_never_logged_even_when_debugging(cast, which, header, caplog, settings):
    settings.DEBUG = True  # ninja's own bearer check logs an unexpected value then
    token, call, _ = which(cast)
    with caplog.at_level("DEBUG"):
        r = call(header)
    assert r.status_code == 401 and not CheckReport.objects.exists()
    assert token not in caplog.text and "Unexpected auth" not in caplog.text
