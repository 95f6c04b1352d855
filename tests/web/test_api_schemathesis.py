"""schemathesis over the OpenAPI schema: generated requests (valid and invalid) never get a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tebiki.web.devices.models import EnrolmentToken
from tebiki.web.orgs.models import Organisation

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Called straight through WSGI, Django closes the database connection at the end of each request, which on
    PostgreSQL ends the test's transaction; django.test.Client does the same as this while it calls the app."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, wsgi_keeps_the_test_connection):
    org = Organisation.objects.create(name="schema")
    return EnrolmentToken.issue(org, "schemathesis", None)[1]


@schema.include(path_regex="^/api/v1/agent/").parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    case.validate_response(response, checks=[not_a_server_error])


@pytest.fixture
def org_token(db, wsgi_keeps_the_test_connection):
    """A read-write API token of an organisation with a profile (the generated requests are aimed at it)."""
    from tebiki.web.orgapi.models import ApiToken
    from tests.web.conftest import make_org

    org = make_org("schema")
    return org.id, ApiToken.issue(org, "schemathesis", None, access="write")[1]


@schema.include(path_regex="^/api/v1/orgs/").parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_to_the_organisation_api_makes_the_server_fail(case, org_token):
    org_id, token = org_token
    case.path_parameters = {**(case.path_parameters or {}), "org_id": org_id}  # aim at the token's organisation
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    case.validate_response(response, checks=[not_a_server_error])
