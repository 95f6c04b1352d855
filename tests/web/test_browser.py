"""The browser middlewares (tebiki.web.browser): skipped by a device's upload without a cookie, and only by it."""

from __future__ import annotations

import json

import pytest

from tebiki.web.browser import API_POLICY
from tebiki.web.devices.models import CheckReport, EnrolmentToken
from tests.web.conftest import signed_in
from tests.web.test_devices import API, report


@pytest.fixture
def token(cast):
    return EnrolmentToken.issue(cast.org, "PCs", cast.admin)[1]


def upload(client, token, key="browser-test-0001"):
    return client.post(API, json.dumps(report(key=key)), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_an_upload_without_a_cookie_skips_the_session_user_and_messages(cast, token):
    r = upload(signed_in(None), token)
    assert r.status_code == 201
    assert not any(hasattr(r.wsgi_request, a) for a in ("session", "user", "_messages"))


def test_an_upload_keeps_its_security_headers_and_its_answer_is_never_cached(cast, token):
    r = upload(signed_in(None), token)
    page = signed_in(cast.admin).get("/accounts/login/")
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert r[header] == page[header], header
    # a page is in the reader's language; an upload's answer (ids and a link) is in none
    assert page["Content-Language"] and "Accept-Language" in page["Vary"]
    assert "Content-Language" not in r and "Accept-Language" not in r.get("Vary", "")
    assert r["Content-Security-Policy"] == API_POLICY == "default-src 'none'; frame-ancestors 'none'"
    assert "script-src 'self'" in page["Content-Security-Policy"]  # the pages keep theirs
    assert r.status_code == 201 and "/d/tbd_" in r.json()["page"] and r["Cache-Control"] == "no-store"
    again = upload(signed_in(None), token)
    assert again.status_code == 200 and again["Cache-Control"] == "no-store"


def test_every_answer_of_the_json_api_allows_nothing_to_load_or_frame_it(cast, token):
    answers = [upload(signed_in(cast.admin), token, key="browser-test-0002"),  # with a cookie: every middleware
               signed_in(None).get(f"/api/v1/orgs/{cast.org.id}/plan"),  # 401
               signed_in(None).get("/api/v1/openapi.json")]
    assert [a.status_code for a in answers] == [201, 401, 200]
    assert {a["Content-Security-Policy"] for a in answers} == {API_POLICY}


def test_an_upload_with_a_cookie_goes_through_every_middleware_as_before(cast, token):
    browser = signed_in(cast.admin, verified=False)  # signed in, second factor not yet given
    r = upload(browser, token)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/")  # as for any page of the app
    assert not CheckReport.objects.exists()
    verified = upload(signed_in(cast.admin), token)
    assert verified.status_code == 201 and verified.wsgi_request.user == cast.admin
    assert verified["Content-Language"]  # the locale middleware ran too


def test_pages_and_the_rest_of_the_api_keep_every_middleware(cast):
    page = signed_in(None).get("/accounts/login/")
    assert hasattr(page.wsgi_request, "session") and not page.wsgi_request.user.is_authenticated
    api = signed_in(None).get(f"/api/v1/orgs/{cast.org.id}/plan")
    assert api.status_code == 401 and hasattr(api.wsgi_request, "user")
