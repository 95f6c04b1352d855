"""Tenant isolation and roles, built from the URLconf: the matrix grows by itself when a view is added.

Every organisation URL × every role (executive, admin, consultant, worker, viewer, an outsider, anonymous) ×
GET and POST is checked against what the view declares through org_view(need=…, post=…): a member whose role
lacks the need gets 403, an outsider 404, a wrong method 405, an anonymous visitor the sign-in page. A view
under /o/<org_id>/ that does not go through org_view fails the first test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tebiki.web.assessments.models import Evidence
from tebiki.web.devices.models import Device, EnrolmentToken
from tebiki.web.incidents.models import Contact, Incident
from tebiki.web.orgapi.models import ApiToken
from tebiki.web.orgs.models import Invitation
from tebiki.web.people.models import Campaign, Worker

ORG_ROUTE = "o/<int:org_id>/"
SAMPLE_KWARGS = {"item_id": "mic-v5:admin:A-1", "scope": "organisation", "key": "k", "invitation_id": 1, "token_id": 1,
                 "device_id": 1, "contact_id": 1, "incident_id": 1, "worker_id": 1, "campaign_id": 1}
MEMBERS = ("executive", "admin", "consultant", "worker", "viewer")
# Who may do what each need names; written out here rather than read from the code under test.
ALLOWED = {"view": set(MEMBERS), "edit": {"executive", "admin", "consultant"}, "manage": {"executive", "admin"}}
WEAKEST_FIRST = ("viewer", "worker", "consultant", "admin", "executive")


def org_patterns() -> list[URLPattern]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == ORG_ROUTE:
            return list(entry.url_patterns)
    raise AssertionError("no organisation routes found")


ORG_PATTERNS = org_patterns()


# A URL whose parameter names another kind of object than the name says everywhere else.
OWN_KWARGS = {"revoke_api_token": {"token_id": "api_token_id"}}
# The URL parameters that name one of the organisation's own objects (item_id and scope name catalog entries).
OBJECT_KWARGS = {"key", "invitation_id", "token_id", "device_id", "contact_id", "incident_id", "worker_id", "campaign_id"}


def url_for(pattern: URLPattern, org_id: int, sample: dict | None = None) -> str:
    sample = sample or SAMPLE_KWARGS
    own = OWN_KWARGS.get(pattern.name, {})
    kwargs = {name: sample[own.get(name, name)] for name in pattern.pattern.converters}
    return reverse(pattern.name, kwargs={"org_id": org_id, **kwargs})


def objects_of(cast) -> dict:
    """One object of every kind a URL names, in the cast's organisation."""
    org, now = cast.org, timezone.now()
    worker = Worker.objects.create(organisation=org, name="山田", email="yamada@test.example",
                                   department=org.get_profile().departments[0].id)
    campaign = Campaign.objects.create(organisation=org, title="点検", departments=[worker.department],
                                       deadline=dt.date.today() + dt.timedelta(days=7),
                                       closes_at=now + dt.timedelta(days=8))
    incident = Incident.objects.create(organisation=org, number=1, situation="phishing", occurred_at=now,
                                       description="x", reporter_name="x", reporter_contact="x")
    Evidence(organisation=org, item="mic-v5:admin:A-1", scope="organisation", key="k", original_name="x.pdf",
             content_type="application/pdf", size=4).file.save("x", ContentFile(b"%PDF"))
    return {**SAMPLE_KWARGS, "worker_id": worker.id, "campaign_id": campaign.id, "incident_id": incident.id,
            "invitation_id": Invitation.issue(org, "x@test.example", "worker", cast.admin)[0].id,
            "token_id": EnrolmentToken.issue(org, "t", cast.admin)[0].id,
            "device_id": Device.objects.create(organisation=org, key="k" * 10, hostname="PC", os="linux").id,
            "contact_id": Contact.objects.create(organisation=org, situation="general", name="情シス").id,
            "api_token_id": ApiToken.issue(org, "script", cast.admin)[0].id}


def needs(pattern: URLPattern) -> dict[str, str]:
    return {"get": pattern.callback.org_need, "post": pattern.callback.org_post_need}


def test_every_organisation_view_goes_through_org_view():
    unscoped = [p.name for p in ORG_PATTERNS if not hasattr(p.callback, "org_need")]
    assert unscoped == []
    assert len(ORG_PATTERNS) >= 15


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


@pytest.mark.parametrize("pattern", ORG_PATTERNS, ids=lambda p: p.name)
def test_the_permission_matrix(cast, pattern):
    url = url_for(pattern, cast.org.id, objects_of(cast))
    for method in ("get", "post"):
        anonymous = getattr(cast.client(None), method)(url)
        if anonymous.status_code == 405:  # the method is refused before anyone is looked up, for everyone
            assert method.upper() not in anonymous["Allow"]
            for role in (*MEMBERS, "outsider"):
                assert getattr(cast.client(getattr(cast, role)), method)(url).status_code == 405, (role, method)
            continue
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/"), method
        assert getattr(cast.client(cast.outsider), method)(url).status_code == 404, method
        allowed = ALLOWED[needs(pattern)[method]]
        for role in MEMBERS:
            if role not in allowed:
                assert getattr(cast.client(getattr(cast, role)), method)(url).status_code == 403, (role, method)
        if method == "get":  # reading changes nothing, so every permitted role is tried
            for role in sorted(allowed):
                status = cast.client(getattr(cast, role)).get(url).status_code
                assert status not in (403, 404, 405), (role, status)
        weakest = next(r for r in WEAKEST_FIRST if r in allowed)  # last: a permitted POST may change the data
        status = getattr(cast.client(getattr(cast, weakest)), method)(url).status_code
        assert status not in (403, 405), (weakest, method, status)
        if method == "get":
            assert status != 404, (weakest, status)


def test_a_view_declares_needs_the_decorator_knows():
    from tebiki.web.orgs.access import org_view

    with pytest.raises(ValueError, match="one of"):
        org_view("admin")
    assert {p.callback.org_need for p in ORG_PATTERNS} <= set(ALLOWED)
    assert any(p.callback.org_post_need != p.callback.org_need for p in ORG_PATTERNS)


@pytest.mark.parametrize("pattern", ORG_PATTERNS, ids=lambda p: p.name)
def test_every_view_refuses_the_methods_it_does_not_declare(cast, pattern):
    """PUT, PATCH and DELETE are used nowhere: a view that forgot its require_GET/require_POST would take them."""
    c = cast.client(cast.executive)
    url = url_for(pattern, cast.org.id, objects_of(cast))
    for method in ("put", "patch", "delete"):
        assert getattr(c, method)(url).status_code == 405, method


OBJECT_PATTERNS = [p for p in ORG_PATTERNS if OBJECT_KWARGS & set(p.pattern.converters)]


def state_of(org) -> dict:
    return {"invitations": list(org.invitations.values_list("id", "revoked_at")),
            "tokens": list(EnrolmentToken.objects.filter(organisation=org).values_list("id", "revoked_at")),
            "api_tokens": list(ApiToken.objects.filter(organisation=org).values_list("id", "revoked_at")),
            "devices": list(Device.objects.filter(organisation=org).values_list("id", "owner", "ownership")),
            "contacts": list(Contact.objects.filter(organisation=org).values_list("id", "name")),
            "incidents": list(Incident.objects.filter(organisation=org).values_list("id", "status")),
            "workers": list(Worker.objects.filter(organisation=org).values_list("id", "name", "email")),
            "campaigns": list(Campaign.objects.filter(organisation=org).values_list("id", "opened_at", "closed_at", "closes_at")),
            "evidence": list(Evidence.objects.filter(organisation=org).values_list("key", flat=True))}


@pytest.mark.parametrize("pattern", OBJECT_PATTERNS, ids=lambda p: p.name)
def test_another_organisations_object_is_404_through_ones_own_organisation(cast, pattern):
    """An executive of the other organisation (who may do everything there) names this organisation's objects under
    the other organisation's URL: 404 for every method the view takes, and nothing changes."""
    objects = objects_of(cast)
    before = state_of(cast.org)
    c = cast.client(cast.outsider)
    url = url_for(pattern, cast.other.id, objects)
    answers = {m: getattr(c, m)(url).status_code for m in ("get", "post")}
    assert {m: a for m, a in answers.items() if a != 405} and all(a in (404, 405) for a in answers.values()), answers
    assert state_of(cast.org) == before


def test_the_object_matrix_covers_every_kind_of_object_in_a_url():
    named = {name for p in ORG_PATTERNS for name in p.pattern.converters} - {"item_id", "scope"}
    assert named == OBJECT_KWARGS
    assert len(OBJECT_PATTERNS) >= 20


# Every named URL outside /o/<org_id>/ and what an anonymous visitor and a signed-in member get for GET and POST
# ("login": sent to the sign-in page). Secret links are tried with an unknown secret.
SIGN_IN = "login"
TOP_LEVEL = {
    "home": {"get": SIGN_IN, "post": 405},
    "login": {"get": 200, "post": 200, "member_get": 302},
    "start": {"get": 200, "post": 200},
    "logout": {"get": 405, "post": 302},
    "password_change": {"get": SIGN_IN, "post": SIGN_IN, "member_get": 200},
    "mfa_setup": {"get": SIGN_IN, "post": SIGN_IN},
    "mfa_verify": {"get": SIGN_IN, "post": SIGN_IN},
    "mfa_replace": {"get": SIGN_IN, "post": SIGN_IN},
    "accept_invitation": {"get": 404, "post": 404, "member_get": 404},
    "public_report": {"get": 404, "post": 404, "member_get": 404},
    "public_sent": {"get": 404, "post": 405, "member_get": 404},
    "public_contacts": {"get": 404, "post": 405, "member_get": 404},
    "overview": {"get": SIGN_IN, "post": 405, "member_get": 200},
    "org_new": {"get": SIGN_IN, "post": SIGN_IN, "member_get": 200},
    "org_from_template": {"get": 405, "post": SIGN_IN},
    "agent_script": {"get": 404, "post": 405},
    "worker_form": {"get": 404, "post": 404, "member_get": 404},
    "worker_training": {"get": 404, "post": 404, "member_get": 404},
    "worker_answer": {"get": 405, "post": 404},
    "worker_devices": {"get": 404, "post": 405, "member_get": 404},
    "device_link": {"get": 404, "post": 405, "member_get": 404},
}
TOP_KWARGS = {"token": "unknown-secret", "name": "no-such-script", "module_id": "m1"}


def top_level_patterns() -> list[URLPattern]:
    return [p for p in get_resolver().url_patterns if isinstance(p, URLPattern) and p.name]


def test_every_url_outside_an_organisation_is_in_the_access_table():
    assert sorted(p.name for p in top_level_patterns()) == sorted(TOP_LEVEL)


@pytest.mark.parametrize("name", sorted(TOP_LEVEL))
def test_the_access_table_outside_organisations(cast, name):
    pattern = next(p for p in top_level_patterns() if p.name == name)
    url = reverse(name, kwargs={k: TOP_KWARGS[k] for k in pattern.pattern.converters})
    expected = TOP_LEVEL[name]
    for method in ("get", "post"):
        answer = getattr(cast.client(None), method)(url)
        if expected[method] == SIGN_IN:
            assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"), method
        else:
            assert answer.status_code == expected[method], (method, answer.status_code)
    if "member_get" in expected:
        assert cast.client(cast.viewer).get(url).status_code == expected["member_get"]
    # PUT is used nowhere (Django's FormView-based views would take it as a POST): refused, or sent to sign in
    anonymous = cast.client(None).put(url)
    assert anonymous.status_code == 405 or anonymous["Location"].startswith("/accounts/login/")
    assert cast.client(cast.executive).put(url).status_code in (302, 405)  # the sign-in page sends members home
