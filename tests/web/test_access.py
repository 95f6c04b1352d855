"""Tenant isolation, built from the URLconf: every organisation URL refuses outsiders and anonymous users.

The matrix grows by itself when a view is added; a view under /o/<org_id>/ that does not go through
org_view fails the first test.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tebiki.web.assessments.models import Evidence

ORG_ROUTE = "o/<int:org_id>/"
SAMPLE_KWARGS = {"item_id": "mic-v5:admin:A-1", "scope": "organisation", "key": "k", "invitation_id": 1, "token_id": 1,
                 "device_id": 1, "contact_id": 1, "incident_id": 1, "worker_id": 1, "campaign_id": 1}


def org_patterns() -> list[URLPattern]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == ORG_ROUTE:
            return list(entry.url_patterns)
    raise AssertionError("no organisation routes found")


ORG_PATTERNS = org_patterns()


def url_for(pattern: URLPattern, org_id: int) -> str:
    kwargs = {name: SAMPLE_KWARGS[name] for name in pattern.pattern.converters}
    return reverse(pattern.name, kwargs={"org_id": org_id, **kwargs})


def test_every_organisation_view_goes_through_org_view():
    unscoped = [p.name for p in ORG_PATTERNS if not hasattr(p.callback, "org_need")]
    assert unscoped == []
    assert len(ORG_PATTERNS) >= 15


@pytest.mark.parametrize("pattern", ORG_PATTERNS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_everywhere(cast, pattern, method):
    ev = Evidence.objects.create(organisation=cast.org, item="mic-v5:admin:A-1", scope="organisation", key="k",
                                 file="x", original_name="x.pdf", content_type="application/pdf", size=1)
    response = getattr(cast.client(cast.outsider), method)(url_for(pattern, cast.org.id))
    assert response.status_code in (404, 405), response.status_code
    if response.status_code == 405:  # wrong method is refused before the organisation is looked up
        assert method not in response["Allow"].lower()
    assert ev.pk


@pytest.mark.parametrize("pattern", ORG_PATTERNS, ids=lambda p: p.name)
def test_anonymous_users_are_sent_to_sign_in(cast, pattern):
    response = cast.client(None).get(url_for(pattern, cast.org.id))
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_an_organisation_that_does_not_exist_is_404_like_a_foreign_one(cast):
    c = cast.client(cast.admin)
    assert c.get(reverse("dashboard", args=[cast.other.id])).status_code == 404
    assert c.get(reverse("dashboard", args=[999_999])).status_code == 404


@pytest.mark.parametrize("role", ["worker", "viewer"])
def test_readers_cannot_change_anything(cast, role):
    c = cast.client(getattr(cast, role))
    url = reverse("item_status", args=[cast.org.id, "mic-v5:admin:A-1", "organisation"])
    assert c.post(url, {"status": "done"}).status_code == 403
    assert c.post(reverse("setup_profile", args=[cast.org.id]), {}).status_code == 403
    assert c.post(reverse("members", args=[cast.org.id]), {"email": "x@y.example", "role": "admin"}).status_code == 403
    assert not cast.org.records.exists()


def test_objects_of_another_organisation_are_404_through_ones_own_organisation(cast):
    from tebiki.web.devices.models import Device, EnrolmentToken
    from tebiki.web.orgs.models import Invitation

    inv, _ = Invitation.issue(cast.org, "x@test.example", "worker", cast.admin)
    token, _ = EnrolmentToken.issue(cast.org, "t", cast.admin)
    dev = Device.objects.create(organisation=cast.org, key="k" * 10, hostname="PC", os="linux")
    ev = Evidence.objects.create(organisation=cast.org, item="mic-v5:admin:A-1", scope="organisation", key="ev1",
                                 file="x", original_name="x.pdf", content_type="application/pdf", size=1)
    c = cast.client(cast.outsider)  # an admin, but of the other organisation
    own = cast.other.id
    assert c.post(reverse("revoke_invitation", args=[own, inv.id])).status_code == 404
    assert c.post(reverse("revoke_token", args=[own, token.id])).status_code == 404
    assert c.get(reverse("device", args=[own, dev.id])).status_code == 404
    assert c.get(reverse("evidence_download", args=[own, ev.key])).status_code == 404
    inv.refresh_from_db()
    token.refresh_from_db()
    assert inv.state == "open" and token.active
