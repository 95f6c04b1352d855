"""The API for consultants and scripts: per-organisation tokens (hashed, read or read-write, revocable, audited),
isolation generated from the OpenAPI schema, and writes through the same rules as the web app."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tebiki.web.assessments.models import ItemRecord
from tebiki.web.audit.models import AuditEntry
from tebiki.web.devices.api import api
from tebiki.web.orgapi.models import ApiToken
from tebiki.web.orgs.models import token_hash

ORG_OPERATIONS = [(path, method) for path, ops in api.get_openapi_schema()["paths"].items()
                  for method in ops if path.startswith("/api/v1/orgs/")]


def call(token: str | None, method: str, path: str, body: dict | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(Client(), method)(path, data=json.dumps(body) if body is not None else None,
                                     content_type="application/json", **headers)


def url(template: str, org_id: int) -> str:
    return (template.replace("{org_id}", str(org_id)).replace("{item_id}", "mic-v5:admin:A-1")
            .replace("{scope}", "organisation"))


@pytest.fixture
def tokens(cast):
    _, read = ApiToken.issue(cast.org, "dashboard", cast.admin, access="read")
    _, write = ApiToken.issue(cast.org, "consultant script", cast.consultant, access="write")
    _, other = ApiToken.issue(cast.other, "theirs", cast.outsider, access="write")
    return {"read": read, "write": write, "other": other}


def test_the_schema_documents_every_error_code():
    assert {p for p, _ in ORG_OPERATIONS} >= {"/api/v1/orgs/{org_id}/plan", "/api/v1/orgs/{org_id}/items",
                                             "/api/v1/orgs/{org_id}/devices", "/api/v1/orgs/{org_id}/campaigns",
                                             "/api/v1/orgs/{org_id}/items/{item_id}/{scope}"}
    ops = api.get_openapi_schema()["paths"]
    for path, method in ORG_OPERATIONS:
        codes = {str(c) for c in ops[path][method]["responses"]}
        assert {"200", "401", "403", "404"} <= codes, (path, method, codes)
    assert {"409", "422"} <= {str(c) for c in ops["/api/v1/orgs/{org_id}/items/{item_id}/{scope}"]["patch"]["responses"]}


@pytest.mark.parametrize(("path", "method"), ORG_OPERATIONS)
def test_a_token_of_another_organisation_reads_and_changes_nothing(cast, tokens, path, method):
    before = list(ItemRecord.objects.filter(organisation=cast.org).values())
    response = call(tokens["other"], method, url(path, cast.org.id), {"status": "done"} if method == "patch" else None)
    assert response.status_code == 404
    assert "テスト商事" not in response.content.decode()
    assert list(ItemRecord.objects.filter(organisation=cast.org).values()) == before


@pytest.mark.parametrize(("path", "method"), ORG_OPERATIONS)
def test_no_token_a_wrong_one_or_a_revoked_one_is_401(cast, tokens, path, method):
    target = url(path, cast.org.id)
    assert call(None, method, target).status_code == 401
    assert call("tbo_" + "x" * 43, method, target).status_code == 401
    ApiToken.objects.filter(token_hash=token_hash(tokens["read"])).update(revoked_at="2026-01-01T00:00Z")
    assert call(tokens["read"], method, target).status_code == 401


def test_the_plan_lists_open_actions_in_order_with_counts(cast, tokens):
    response = call(tokens["read"], "get", f"/api/v1/orgs/{cast.org.id}/plan")
    assert response.status_code == 200
    plan = response.json()
    assert plan["organisation"] == "テスト商事"
    assert plan["counts"]["open"] == len(plan["actions"]) > 0
    ranks = [a["priority_rank"] for a in plan["actions"]]
    assert ranks == sorted(ranks)
    assert ApiToken.objects.get(token_hash=token_hash(tokens["read"])).last_used_at is not None


def test_a_read_only_token_cannot_write(cast, tokens):
    response = call(tokens["read"], "patch", f"/api/v1/orgs/{cast.org.id}/items/mic-v5:admin:A-1/organisation",
                    {"status": "done"})
    assert response.status_code == 403
    assert not ItemRecord.objects.filter(organisation=cast.org, item="mic-v5:admin:A-1").exists()


def test_a_write_token_records_a_decision_with_history_and_audit(cast, tokens):
    path = f"/api/v1/orgs/{cast.org.id}/items/mic-v5:admin:A-1/organisation"
    response = call(tokens["write"], "patch", path, {"decision": "will_do", "deadline": "2027-03-31", "owner": "佐藤"})
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "will_do" and response.json()["owner"] == "佐藤"
    rec = ItemRecord.objects.get(organisation=cast.org, item="mic-v5:admin:A-1", scope="organisation")
    assert rec.decision == "will_do" and str(rec.deadline) == "2027-03-31"
    entry = AuditEntry.objects.filter(action="api.write", organisation_id=cast.org.id).get()
    assert entry.data["fields"] == ["deadline", "decision", "owner"]
    listed = call(tokens["read"], "get", f"/api/v1/orgs/{cast.org.id}/items?status=unchecked").json()
    assert any(i["item"] == "mic-v5:admin:A-1" and i["decision"] == "will_do" for i in listed)


def test_an_incoherent_change_is_422_and_changes_nothing(cast, tokens):
    path = f"/api/v1/orgs/{cast.org.id}/items/mic-v5:admin:A-1/organisation"
    response = call(tokens["write"], "patch", path, {"decision": "will_do"})  # no owner, no deadline
    assert response.status_code == 422
    assert "problems" in response.json()["detail"]
    assert not ItemRecord.objects.filter(organisation=cast.org, item="mic-v5:admin:A-1").exists()
    assert call(tokens["write"], "patch", path, {"colour": "red"}).status_code == 422
    assert call(tokens["write"], "patch", path, {}).status_code == 422


@pytest.mark.parametrize("field,value", [("owner", "総務\u0000部"), ("owner", "a\x07"), ("reason", "line\x7f"),
                                         ("reason", "\x00")])
def test_a_control_character_in_a_text_is_422_at_that_field_and_changes_nothing(cast, tokens, field, value):
    # PostgreSQL cannot store NUL in text: without the check this was a 500 there (and stored on SQLite)
    path = f"/api/v1/orgs/{cast.org.id}/items/mic-v5:admin:A-1/organisation"
    response = call(tokens["write"], "patch", path, {"status": "partly", field: value})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == field
    assert not ItemRecord.objects.filter(organisation=cast.org, item="mic-v5:admin:A-1").exists()
    ok = call(tokens["write"], "patch", path, {"status": "partly", field: "総務部\t(本社)\n2階"})
    assert ok.status_code == 200  # tab and line breaks are ordinary text


def test_an_unknown_item_is_404(cast, tokens):
    path = f"/api/v1/orgs/{cast.org.id}/items/mic-v5:admin:Z-9/organisation"
    assert call(tokens["write"], "patch", path, {"status": "done"}).status_code == 404


def test_the_tokens_page_issues_a_token_once_lists_its_hint_and_revokes_it(cast):
    c = cast.client(cast.admin)
    page = reverse("api_tokens", args=[cast.org.id])
    response = c.post(page, {"label": "BI", "access": "write"})
    assert response.status_code == 200
    token = ApiToken.objects.get(organisation=cast.org, label="BI")
    html = response.content.decode()
    secret = html.split('id="new-token" readonly value="')[1].split('"')[0]
    assert secret.startswith("tbo_") and token.token_hash == token_hash(secret) and token.access == "write"
    again = c.get(page).content.decode()
    assert secret not in again and token.hint in again  # shown once; afterwards only the hint
    assert AuditEntry.objects.filter(action="api_token.create", organisation_id=cast.org.id).exists()
    assert call(secret, "get", f"/api/v1/orgs/{cast.org.id}/plan").status_code == 200
    assert c.post(reverse("revoke_api_token", args=[cast.org.id, token.id])).status_code == 302
    assert call(secret, "get", f"/api/v1/orgs/{cast.org.id}/plan").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", organisation_id=cast.org.id).exists()


def test_only_managers_open_the_tokens_page(cast):
    page = reverse("api_tokens", args=[cast.org.id])
    assert cast.client(cast.viewer).get(page).status_code == 403
    assert cast.client(cast.consultant).post(page, {"label": "x", "access": "write"}).status_code == 403
    assert cast.client(cast.outsider).get(page).status_code == 404
    assert not ApiToken.objects.exists()
