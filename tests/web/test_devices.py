from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from tebiki.agent.rules import CHECK_IDS
from tebiki.web.audit.models import AuditEntry
from tebiki.web.devices.models import CheckReport, CheckResult, Device, DeviceLink, EnrolmentToken
from tebiki.web.orgapi.models import ApiToken
from tebiki.web.orgs.models import token_hash
from tests.agent.test_rules import WIN_GOOD, with_status

API = "/api/v1/agent/reports"
CAPTURES = "/api/v1/agent/captures"


def report(key="k" * 16, device_key="dev-0001", verdicts=None, **device):
    verdicts = verdicts or {cid: "pass" for cid in CHECK_IDS}
    return {"idempotency_key": key, "as_of": "2026-11-20",
            "device": {"key": device_key, "hostname": "PC-001", "os": "windows", "ownership": "company", **device},
            "checks": {cid: {"verdict": v, "reason": "", "evidence": {"x": 1}} for cid, v in verdicts.items()}}


def post(token, body, path=API):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return Client().post(path, raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def token(cast):
    _, secret = EnrolmentToken.issue(cast.org, "PCs", cast.admin)
    return secret


def test_a_report_is_stored_with_its_device_and_results(cast, token):
    r = post(token, report())
    assert r.status_code == 201 and r.json()["created"] is True
    dev = Device.objects.get()
    assert (dev.organisation, dev.hostname, dev.ownership) == (cast.org, "PC-001", "company")
    assert CheckResult.objects.count() == len(CHECK_IDS) and dev.latest["firewall"] == "pass"


def test_a_retried_report_is_stored_once(cast, token):
    first, again = post(token, report()), post(token, report())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False, "page": None}  # no new link: nothing is written
    assert CheckReport.objects.count() == 1 and CheckResult.objects.count() == len(CHECK_IDS)
    assert DeviceLink.objects.count() == 1


@pytest.mark.parametrize("body,status", [
    (report(verdicts={"disk_encryption": "pass", "made_up_check": "pass"}), 422),
    (report(verdicts={"disk_encryption": "excellent"}), 422),
    (report(key="short"), 422),
    ({**report(), "as_of": "yesterday"}, 422),
    ({**report(), "device": {"key": "dev-0001", "hostname": "", "os": "windows"}}, 422),
    ({**report(), "device": {"key": "dev-0001", "hostname": "x", "os": "amiga"}}, 422),
    ("{not json", 400),
    ("[]", 422),
])
def test_bad_reports_are_refused_and_store_nothing(cast, token, body, status):
    assert post(token, body).status_code == status
    assert not Device.objects.exists() and not CheckReport.objects.exists()


def test_an_oversized_report_is_refused(cast, token):
    body = report()
    body["checks"]["firewall"]["evidence"] = {"blob": "x" * 300_000}
    assert post(token, body).status_code == 413
    assert not CheckReport.objects.exists()


def test_unknown_or_revoked_tokens_are_refused(cast, token):
    assert post("tbk_not-a-real-token", report()).status_code == 401
    assert Client().post(API, json.dumps(report()), content_type="application/json").status_code == 401
    assert post(token, report(key="before-revoking")).status_code == 201
    EnrolmentToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert post(token, report(key="after-revoking")).status_code == 401  # the very next request: nothing cached
    assert list(CheckReport.objects.values_list("idempotency_key", flat=True)) == ["before-revoking"]


def test_an_enrolment_token_is_found_in_one_query_without_its_organisations_row(cast):
    EnrolmentToken.issue(cast.other, "theirs", None)  # first: the tokens' ids and the organisations' ids differ
    _, token = EnrolmentToken.issue(cast.org, "PCs", cast.admin)
    with CaptureQueriesContext(connection) as queries:
        found = EnrolmentToken.find(token)
        assert (found.organisation_id, found.label) == (cast.org.id, "PCs")
    assert len(queries) == 1 and "orgs_organisation" not in queries[0]["sql"]  # an upload needs the id only
    assert not EnrolmentToken._meta.get_field("organisation").is_cached(found)
    assert found.organisation.name == "テスト商事"  # read when asked for, as the ORM does
    stored = EnrolmentToken.objects.get(pk=found.pk)
    assert [getattr(found, f.attname) for f in EnrolmentToken._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in EnrolmentToken._meta.concrete_fields]
    assert found.created_at.tzinfo is not None and not found._state.adding  # a loaded instance: saving updates it
    found.label = "renamed"
    found.save()
    assert EnrolmentToken.objects.count() == 2 and EnrolmentToken.objects.get(pk=found.pk).label == "renamed"


def test_a_token_kind_that_needs_its_organisation_finds_both_in_one_query(cast):
    ApiToken.issue(cast.other, "theirs", None)
    _, token = ApiToken.issue(cast.org, "script", cast.admin)
    with CaptureQueriesContext(connection) as queries:
        found = ApiToken.find(token)
        assert (found.organisation, found.organisation.name, found.label) == (cast.org, "テスト商事", "script")
    assert len(queries) == 1
    stored = ApiToken.objects.select_related("organisation").get(pk=found.pk)
    assert [getattr(found, f.attname) for f in ApiToken._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in ApiToken._meta.concrete_fields]
    assert found.organisation.profile == stored.organisation.profile


@pytest.mark.parametrize("clear", ["tbo_" + "x" * 43, "xtbk_" + "x" * 43, "tbk_" + "x" * 97])
def test_a_token_of_another_kind_or_too_long_is_refused_even_if_its_hash_were_stored(cast, clear):
    EnrolmentToken.objects.create(organisation=cast.org, label="odd", token_hash=token_hash(clear), hint=clear[:10])
    assert EnrolmentToken.find(clear) is None
    assert post(clear, report()).status_code == 401


def test_a_revoked_token_is_not_found(cast, token):
    assert EnrolmentToken.find(token) is not None
    EnrolmentToken.objects.update(revoked_at=timezone.now())
    assert EnrolmentToken.find(token) is None


def test_a_token_stores_only_into_its_own_organisation(cast, token):
    post(token, report())
    dev = Device.objects.get()
    assert dev.organisation == cast.org
    assert cast.client(cast.outsider).get(reverse("device", args=[cast.other.id, dev.id])).status_code == 404
    assert cast.client(cast.outsider).get(reverse("device", args=[cast.org.id, dev.id])).status_code == 404


def test_a_capture_is_evaluated_on_the_server(cast, token):
    body = {"idempotency_key": "capture-0001", "as_of": "2026-11-01",
            "device": {"key": "dev-win-1", "hostname": "PC-002", "os": "windows"},
            "files": {k: v.decode() for k, v in with_status("windows", WIN_GOOD).items()}}
    r = post(token, body, CAPTURES)
    assert r.status_code == 201
    dev = Device.objects.get(key="dev-win-1")
    assert set(dev.latest.values()) == {"pass"} and set(dev.latest) == set(CHECK_IDS)
    assert CheckReport.objects.get().source == "capture"
    shares = CheckResult.objects.get(check_id="file_sharing_off")
    assert shares.evidence == {"shares": [], "share_count": 0}  # evaluated here from the raw Get-SmbShare output


@pytest.mark.parametrize(("name", "content", "check", "verdict"), [
    ("windows/smb.json", "[" * 30000 + "]" * 30000, "smb1_off", "unknown"),  # RecursionError in the JSON reader
    ("windows/shares.json", '[{"Name": "\\u0000", "Special": "\\u0000"}]', "file_sharing_off", "unknown"),
    ("windows/wlan.txt", "    State : connected\n    Authentication : \\u0000\n", "wifi_security", "unknown"),
    ("windows/rdp.json", '{"fDenyTSConnections": NaN}', "remote_desktop_off", "unknown"),
    # the literal text \u0000 as a share name: the old NUL stripping edited the JSON text and broke it (500)
    ("windows/shares.json", '[{"Name": "\\\\u0000", "Special": false}]', "file_sharing_off", "fail"),
])
def test_a_hostile_capture_file_is_judged_with_a_reason_not_a_500(cast, token, name, content, check, verdict):
    files = {k: v.decode() for k, v in with_status("windows", {**WIN_GOOD, name: content}).items()}
    body = {"idempotency_key": "capture-hostile", "as_of": "2026-11-01",
            "device": {"key": "dev-win-9", "hostname": "PC-009", "os": "windows"}, "files": files}
    assert post(token, body, CAPTURES).status_code == 201
    stored = CheckResult.objects.get(check_id=check)
    assert stored.verdict == verdict and bool(stored.reason) == (verdict == "unknown") and "\x00" not in stored.reason
    assert CheckResult.objects.filter(verdict="pass").count() == len(CHECK_IDS) - 1


def test_a_capture_with_files_of_another_os_or_odd_names_is_refused(cast, token):
    base = {"idempotency_key": "capture-0002", "device": {"key": "dev-win-1", "hostname": "PC", "os": "macos"}}
    assert post(token, {**base, "files": WIN_GOOD}, CAPTURES).status_code == 422
    assert post(token, {**base, "files": {"macos/../../etc/passwd": "x"}}, CAPTURES).status_code == 422
    assert not CheckReport.objects.exists()


def test_the_register_shows_the_fleet_and_the_item_page_uses_it_as_evidence(cast, token):
    post(token, report(key="a" * 16, device_key="dev-0001"))
    post(token, report(key="b" * 16, device_key="dev-0002", verdicts={"disk_encryption": "fail"}))
    c = cast.client(cast.viewer)
    page = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    assert "1 / 2" in page and 'class="verdict verdict-fail"' in page
    item = c.get(reverse("item", args=[cast.org.id, "mic-v5:admin:E-7", "office"])).content.decode()
    assert 'id="fleet"' in item


def test_admins_create_a_token_shown_once_and_revoke_it(cast):
    c = cast.client(cast.admin)
    c.post(reverse("create_token", args=[cast.org.id]), {"label": "営業部の PC"})
    page = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    secret = page.split('id="new-token" readonly value="')[1].split('"')[0]
    assert EnrolmentToken.find(secret).label == "営業部の PC"
    command = f"tebiki check --report http://testserver/api/v1/ --token {secret}"
    windows, cron = (page.split(f'<pre id="schedule-{os}">')[1].split("</pre>")[0] for os in ("windows", "cron"))
    assert windows == f'schtasks /Create /SC DAILY /ST 12:30 /TN tebiki-check /TR "{command}"'  # daily, unattended
    assert cron == f"30 12 * * * $HOME/.local/bin/{command} &gt;/dev/null"
    assert "毎日の自動チェック" in page
    assert secret not in c.get(reverse("devices", args=[cast.org.id])).content.decode()
    tok = EnrolmentToken.objects.get()
    c.post(reverse("revoke_token", args=[cast.org.id, tok.id]))
    assert EnrolmentToken.find(secret) is None
    assert {"token.create", "token.revoke"} <= set(AuditEntry.objects.values_list("action", flat=True))


def test_workers_cannot_create_tokens(cast):
    assert cast.client(cast.worker).post(reverse("create_token", args=[cast.org.id])).status_code == 403
    assert not EnrolmentToken.objects.exists()


def test_the_capture_scripts_are_downloadable_without_signing_in(db):
    for name in ("capture.sh", "capture.ps1"):
        r = Client().get(f"/agent/{name}")
        assert r.status_code == 200 and b"tebiki" in b"".join(r.streaming_content)
    assert Client().get("/agent/../settings.py").status_code == 404


def test_the_openapi_schema_describes_the_ingestion_api(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/agent/reports" in schema["paths"] and "/api/v1/agent/captures" in schema["paths"]


BATCH = API + "/batch"


def test_a_batch_is_stored_once_per_key_and_answered_in_order(cast, token):
    first = post(token, report(key="batch-0001"))
    assert first.status_code == 201
    body = {"reports": [report(key="batch-0002", device_key="dev-0002"), report(key="batch-0001"),
                        report(key="batch-0003", device_key="dev-0002", verdicts={"firewall": "fail"}),
                        report(key="batch-0002", device_key="dev-0002")]}
    r = post(token, body, BATCH)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert [a["key"] for a in answer] == ["batch-0002", "batch-0001", "batch-0003"]
    assert [a["created"] for a in answer] == [True, False, True]
    assert answer[1]["report"] == first.json()["report"] and answer[1]["device"] == first.json()["device"]
    assert CheckReport.objects.count() == 3
    assert CheckResult.objects.count() == 2 * len(CHECK_IDS) + 1
    dev2 = Device.objects.get(key="dev-0002")
    assert dev2.latest == {"firewall": "fail"}  # the device's last report in the batch decides its entry
    assert {a["device"] for a in answer if a["key"] != "batch-0001"} == {dev2.id}
    stored = CheckResult.objects.get(report__idempotency_key="batch-0003")
    assert (stored.check_id, stored.verdict, stored.evidence) == ("firewall", "fail", {"x": 1})


@pytest.mark.parametrize("evidence,message", [
    ({"blob": "x" * 5000}, "4 KiB"),
    ({"name": "nul\x00byte"}, "NUL"),
])
def test_one_bad_report_in_a_batch_stores_nothing_and_says_where(cast, token, evidence, message):
    bad = report(key="batch-0002")
    bad["checks"]["firewall"]["evidence"] = evidence
    r = post(token, {"reports": [report(key="batch-0001"), bad]}, BATCH)
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "batch", "reports", 1, "checks", "firewall", "evidence"]
    assert message in error["msg"]
    assert not CheckReport.objects.exists() and not Device.objects.exists()


def test_a_single_report_with_bad_evidence_points_into_the_report(cast, token):
    bad = report()
    bad["checks"]["disk_encryption"]["evidence"] = {"list": ["\x00"]}
    r = post(token, bad)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "report", "checks", "disk_encryption", "evidence"]
    assert not CheckReport.objects.exists()


def test_each_register_row_links_its_device_page_and_names_its_ownership(cast, token):
    post(token, report(key="row-00001", device_key="dev-0001", hostname="PC-会社", ownership="company"))
    post(token, report(key="row-00002", device_key="dev-0002", hostname="PC-私物", ownership="byod"))
    c = cast.client(cast.viewer)
    page = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    for device, words in ((Device.objects.get(key="dev-0001"), "会社支給"),
                           (Device.objects.get(key="dev-0002"), "私物（BYOD）")):
        url = reverse("device", args=[cast.org.id, device.id])
        assert f'<a href="{url}">{device.hostname}</a><br><small>{words}</small>' in page
        assert c.get(url).status_code == 200


def test_a_later_report_without_owner_keeps_what_the_register_knows(cast, token):
    post(token, report(key="own-00001", owner="山田", os_version="11 23H2"))
    dev = Device.objects.get()
    first_seen = dev.first_seen
    anonymous = report(key="own-00002", hostname="PC-renamed")
    anonymous["device"].pop("ownership")
    for path, body in ((API, anonymous), (BATCH, {"reports": [{**anonymous, "idempotency_key": "own-00003"}]})):
        assert post(token, body, path).status_code in (200, 201)
        dev.refresh_from_db()
        assert (dev.hostname, dev.owner, dev.os_version, dev.ownership) == ("PC-renamed", "山田", "11 23H2", "company")
        assert dev.first_seen == first_seen and dev.last_seen > first_seen
    post(token, report(key="own-00004", owner="佐藤", ownership="byod"))
    dev.refresh_from_db()
    assert (dev.owner, dev.ownership) == ("佐藤", "byod")


def test_the_device_page_explains_the_newest_check_and_lists_older_ones(cast, token):
    newer = report(key="new-00001", verdicts={cid: "pass" for cid in CHECK_IDS} | {"os_updates": "fail"})
    newer["as_of"] = "2026-11-20"
    newer["checks"]["os_updates"]["evidence"] = {"upgradable": 3, "security": ["openssl", "libc6"]}
    older = report(key="old-00001", verdicts={"os_updates": "pass"})
    older["as_of"] = "2026-10-20"
    assert post(token, newer).status_code == 201 and post(token, older).status_code == 201  # sent late
    dev = Device.objects.get()
    page = cast.client(cast.viewer).get(reverse("device", args=[cast.org.id, dev.id])).content.decode()
    start = page.index("checks-detail")
    newest, history = page[start:page.index("</table>", start)], page[page.index("</table>", start):]
    assert "openssl, libc6" in newest and "<code>upgradable</code>: 3" in newest
    assert "保留中の更新" in newest  # the fix from checks.yaml, for the failed check only
    assert newest.count("✗") == 1 and "mic-v5:worker:C-1" in newest
    assert history.index("2026/11/20") < history.index("2026/10/20")


def test_managers_correct_the_owner_and_retire_a_device_with_its_reports(cast, token):
    post(token, report(key="ret-00001"))
    post(token, report(key="ret-00002"))
    dev = Device.objects.get()
    admin = cast.client(cast.admin)
    page = admin.get(reverse("device", args=[cast.org.id, dev.id])).content.decode()
    assert reverse("remove_device", args=[cast.org.id, dev.id]) in page
    r = admin.post(reverse("edit_device", args=[cast.org.id, dev.id]), {"owner": "経理 佐藤", "ownership": "byod"})
    assert r.status_code == 302
    dev.refresh_from_db()
    assert (dev.owner, dev.ownership) == ("経理 佐藤", "byod")
    later = report(key="ret-00003")
    del later["device"]["ownership"]
    assert post(token, later).status_code == 201  # the agent gives no owner or ownership: the edit stays
    dev.refresh_from_db()
    assert (dev.owner, dev.ownership) == ("経理 佐藤", "byod")
    admin.post(reverse("edit_device", args=[cast.org.id, dev.id]), {"owner": "x", "ownership": "stolen"})
    dev.refresh_from_db()
    assert (dev.owner, dev.ownership) == ("経理 佐藤", "byod")  # an invalid choice changes nothing

    r = admin.post(reverse("remove_device", args=[cast.org.id, dev.id]))
    assert r.status_code == 302 and not Device.objects.exists() and not CheckReport.objects.exists()
    removed = AuditEntry.objects.get(action="device.remove")
    assert removed.data == {"key": "dev-0001", "reports": 3} and removed.target == "PC-001"
    assert AuditEntry.objects.get(action="device.edit").data == {"owner": "経理 佐藤", "ownership": "byod"}


def test_only_managers_of_the_organisation_may_edit_or_remove_devices(cast, token):
    post(token, report())
    dev = Device.objects.get()
    for user, status in ((cast.viewer, 403), (cast.worker, 403), (cast.consultant, 403), (cast.outsider, 404)):
        c = cast.client(user)
        assert c.post(reverse("edit_device", args=[cast.org.id, dev.id]), {"owner": "x",
                                                                            "ownership": "byod"}).status_code == status
        assert c.post(reverse("remove_device", args=[cast.org.id, dev.id])).status_code == status
    assert cast.client(cast.admin).get(reverse("remove_device", args=[cast.org.id, dev.id])).status_code == 405
    dev.refresh_from_db()
    assert dev.owner == "" and Device.objects.count() == 1
    other = cast.client(cast.outsider)  # an admin of another organisation, using its own org id
    assert other.post(reverse("remove_device", args=[cast.other.id, dev.id])).status_code == 404


def test_devices_silent_for_over_30_days_are_flagged_in_the_register(cast, token):
    post(token, report(key="fresh-0001", device_key="dev-fresh"))
    post(token, report(key="quiet-0001", device_key="dev-quiet", hostname="PC-QUIET"))
    c = cast.client(cast.viewer)
    page = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    assert 'id="stale-note"' not in page and 'class="stale"' not in page
    Device.objects.filter(key="dev-quiet").update(last_seen=timezone.now() - dt.timedelta(days=40))
    page = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    assert page.count('class="stale"') == 1 and 'id="stale-note"' in page
    row = page[page.index("PC-QUIET"):]
    assert row.index('class="stale"') < row.index("</tr>")
    assert "<small>1ヶ月, 1週間 報告なし</small>" in row[:row.index("</tr>")]  # 40 days, in words


def test_register_rows_escape_what_devices_report(cast, token):
    post(token, report(key="xss-00001", hostname="<b>PC</b>", owner='"><script>x</script>', os_version="<i>11</i>"))
    page = cast.client(cast.viewer).get(reverse("devices", args=[cast.org.id])).content.decode()
    assert "&lt;b&gt;PC&lt;/b&gt;" in page and "&quot;&gt;&lt;script&gt;x&lt;/script&gt;" in page
    assert "&lt;i&gt;11&lt;/i&gt;" in page
    assert "<b>PC" not in page and "<script>x" not in page and "<i>11" not in page


def test_the_register_downloads_as_xlsx_with_verdicts_and_the_fleet(cast, token):
    import io

    import openpyxl

    post(token, report(key="xl-000001", device_key="dev-000a", hostname="=HYPERLINK(\"http://x\")",
                       verdicts={cid: "pass" for cid in CHECK_IDS} | {"firewall": "fail"}))
    post(token, report(key="xl-000002", device_key="dev-000b", hostname="PC-営業", owner="山田",
                       verdicts={"disk_encryption": "unknown"}))
    r = cast.client(cast.viewer).get(reverse("devices_xlsx", args=[cast.org.id]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    rows = list(wb["端末 Devices"].iter_rows(values_only=True))
    header, by_name = rows[0], {row[0]: row for row in rows[1:]}
    assert header[:6] == ("端末", "担当者", "所有", "OS", "初回受信", "最終受信") and "ファイアウォール" in header
    hostile = by_name["'=HYPERLINK(\"http://x\")"]  # a formula-looking name is kept as text
    assert hostile[header.index("ファイアウォール")] == "要対応" and hostile[header.index("ディスクの暗号化")] == "OK"
    sales = by_name["PC-営業"]
    assert sales[1] == "山田" and sales[header.index("ディスクの暗号化")] == "判定不可"
    assert sales[header.index("ファイアウォール")] == "–"
    summary = {row[0]: row[1:] for row in wb["概要 Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["ディスクの暗号化 disk_encryption"] == (1, 0, 1, 2)
    assert AuditEntry.objects.filter(action="report.export", target__endswith="devices-" +
                                     r["Content-Disposition"].split("devices-")[1].rstrip('"')).exists()
    assert cast.client(cast.outsider).get(reverse("devices_xlsx", args=[cast.org.id])).status_code == 404


def test_an_item_done_while_devices_fail_its_check_is_flagged_on_the_item_and_the_dashboard(cast, token):
    from tebiki.web.assessments.service import save_item

    for i, verdict in enumerate(["pass", "fail", "pass", "fail", "pass"]):
        post(token, report(key=f"{i}" * 16, device_key=f"dev-000{i}", hostname=f"PC-00{i}",
                           verdicts={cid: "pass" for cid in CHECK_IDS} | {"disk_encryption": verdict}))
    c = cast.client(cast.viewer)
    item_url = reverse("item", args=[cast.org.id, "mic-v5:admin:E-7", "office"])
    first = c.get(item_url)
    assert first.status_code == 200 and 'id="contradiction"' not in first.content.decode()  # not done yet
    save_item(cast.org, "mic-v5:admin:E-7", "office", {"status": "done"}, cast.admin)
    item = c.get(item_url).content.decode()
    flag = item.split('id="contradiction">')[1].split("</p>")[0]
    assert "端末チェックの結果と食い違っています" in flag and "要対応の端末 2 台" in flag
    assert "PC-001" in flag and "PC-003" in flag and "PC-000" not in flag
    board = c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    section = board.split('id="contradictions">')[1].split("</section>")[0]
    assert "E-7" in section and "PC-001, PC-003" in section
    printable = c.get(reverse("report_html", args=[cast.org.id])).content.decode()
    assert "ディスクの暗号化: PC-001, PC-003" in printable.split('id="contradictions">')[1].split("</table>")[0]
    post(token, report(key="fixed-device-1", device_key="dev-0001", hostname="PC-001"))
    post(token, report(key="fixed-device-3", device_key="dev-0003", hostname="PC-003"))
    assert 'id="contradiction"' not in c.get(item_url).content.decode()
    assert 'id="contradictions"' not in c.get(reverse("dashboard", args=[cast.org.id])).content.decode()


@pytest.mark.parametrize(("os_name", "step", "other"), [
    ("windows", "BitLocker ドライブ暗号化", "FileVault"),
    ("macos", "「FileVault」で「オンにする」", "BitLocker"),
    ("linux", "インストーラでディスクの暗号化（LUKS）", "FileVault"),
])
def test_a_device_page_tells_in_japanese_what_to_do_step_by_step_for_its_os(cast, token, os_name, step, other):
    post(token, report(os=os_name, verdicts={cid: "pass" for cid in CHECK_IDS} | {"disk_encryption": "fail"}))
    dev = Device.objects.get()
    page = cast.client(cast.viewer).get(reverse("device", args=[cast.org.id, dev.id])).content.decode()
    steps = page.split('class="steps">')[1].split("</div>")[0]
    assert step in steps and other not in steps and "<br>" in steps
    assert page.count('class="steps"') == 1  # only the failed check
    assert "もう一度実行してください" in page.split('id="check-again">')[1]


def test_an_empty_register_says_how_to_start_instead_of_empty_tables(cast):
    url = reverse("devices", args=[cast.org.id])
    admin = cast.client(cast.admin).get(url).content.decode()
    assert 'id="no-devices"' in admin and "登録トークンを作成" in admin and 'class="table devices"' not in admin
    assert reverse("devices_xlsx", args=[cast.org.id]) not in admin and 'id="enrol"' in admin
    viewer = cast.client(cast.viewer).get(url).content.decode()
    assert "管理者がここで登録します" in viewer and "登録トークンを作成" not in viewer and 'id="enrol"' not in viewer
    Device.objects.create(organisation=cast.org, key="dev-empty-0001", hostname="PC-1", os="linux",
                          latest={"firewall": "pass"})
    listed = cast.client(cast.viewer).get(url).content.decode()
    assert 'id="no-devices"' not in listed and 'class="table devices"' in listed and "PC-1" in listed


def test_one_new_report_is_written_in_one_transaction_with_no_look_up_after_its_inserts(cast, token, monkeypatch):
    monkeypatch.setattr(DeviceLink, "_purged_at", timezone.now())  # expired links were just purged
    with CaptureQueriesContext(connection) as queries:
        answer = post(token, report())
    assert answer.status_code == 201
    sqls = [q["sql"].split(" times: ", 1)[-1].split() for q in queries.captured_queries]  # executemany: "9 times: …"
    # a SELECT by the tables it reads, an INSERT by the table it writes
    verbs = [" ".join([sql[0], *(w for after, w in itertools.pairwise(sql) if after in ("FROM", "JOIN", "INTO"))])
             for sql in sqls]
    # the token (its row only); the transaction (a savepoint here only because the test runs inside one); the stored
    # keys; the device, report and results written with RETURNING or executemany; the token's "last used" (its first
    # use; then at most every 5 minutes); the device's new link
    assert verbs == ['SELECT "devices_enrolmenttoken"', "SAVEPOINT", 'SELECT "devices_checkreport"',
                     'INSERT "devices_device"', 'INSERT "devices_checkreport"', 'INSERT "devices_checkresult"',
                     'UPDATE', 'INSERT "devices_devicelink"', "RELEASE"]
    link = DeviceLink.objects.get()
    assert (link.organisation, link.device, link.label, link.created_by, link.revoked_at) == (
        cast.org, Device.objects.get(), "upload", None, None)
    assert link.expires_at == link.created_at + DeviceLink.VALID_FOR
    secret = answer.json()["page"].rstrip("/").rsplit("/", 1)[1]
    assert DeviceLink.find(secret) == link
    assert answer.json()["page"] == "http://testserver" + reverse("device_link", args=[secret])


def test_the_page_link_follows_the_script_prefix_the_app_is_served_under(cast, token):
    # set as WSGIHandler sets it from SCRIPT_NAME (the test client's handler does not)
    try:
        for prefix, key in (("/tebiki", "under-a-prefix"), ("", "at-the-root"), ("/tebiki", "under-it-again")):
            set_script_prefix(prefix + "/")
            page = post(token, report(key=key)).json()["page"]
            secret = page.rstrip("/").rsplit("/", 1)[1]
            assert page == f"http://testserver{prefix}/d/{secret}/" and DeviceLink.find(secret) is not None
    finally:
        set_script_prefix("/")


def test_expired_device_links_are_purged_by_an_upload_at_most_every_ten_minutes(cast, token, monkeypatch):
    monkeypatch.setattr(DeviceLink, "_purged_at", None)
    assert post(token, report(key="first-report")).status_code == 201
    old = DeviceLink.objects.get()
    later = timezone.now() + DeviceLink.VALID_FOR + dt.timedelta(days=1)
    with time_machine.travel(later):
        assert post(token, report(key="second-report")).status_code == 201
        assert not DeviceLink.objects.filter(pk=old.pk).exists() and DeviceLink.objects.count() == 1
        expired, clear = DeviceLink.issue(cast.org, "upload", None, device=old.device, expires_at=later)
    with time_machine.travel(later + dt.timedelta(minutes=5)):
        assert post(token, report(key="third-report")).status_code == 201  # within 10 minutes of the last purge
        assert DeviceLink.objects.filter(pk=expired.pk).exists() and DeviceLink.find(clear) is None
    with time_machine.travel(later + dt.timedelta(minutes=11)):
        assert post(token, report(key="fourth-report")).status_code == 201
        assert not DeviceLink.objects.filter(pk=expired.pk).exists() and DeviceLink.objects.count() == 3


def register_names(client, org, query: str = "") -> list[str]:
    page = client.get(reverse("devices", args=[org.id]) + query)
    assert page.status_code == 200
    html = page.content.decode()
    return re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', html.split('id="devices"')[1])


def test_the_register_filters_by_name_owner_os_verdict_and_silence(cast, token):
    post(token, report(key="flt-00001", device_key="dev-0001", hostname="PC-営業-1", owner="山田"))
    post(token, report(key="flt-00002", device_key="dev-0002", hostname="PC-営業-2", owner="佐藤",
                       verdicts={cid: "pass" for cid in CHECK_IDS} | {"disk_encryption": "fail"}))
    post(token, report(key="flt-00003", device_key="dev-0003", hostname="MAC-設計", os="macos",
                       verdicts={"firewall": "unknown"}))
    Device.objects.filter(key="dev-0001").update(last_seen=timezone.now() - dt.timedelta(days=31))
    c = cast.client(cast.viewer)
    assert register_names(c, cast.org) == ["MAC-設計", "PC-営業-1", "PC-営業-2"]
    assert register_names(c, cast.org, "?q=営業") == ["PC-営業-1", "PC-営業-2"]
    assert register_names(c, cast.org, "?q=佐藤") == ["PC-営業-2"]
    assert register_names(c, cast.org, "?os=macos") == ["MAC-設計"]
    assert register_names(c, cast.org, "?check=disk_encryption&verdict=fail") == ["PC-営業-2"]
    assert register_names(c, cast.org, "?verdict=fail") == ["PC-営業-2"]  # any check
    assert register_names(c, cast.org, "?verdict=unknown") == ["MAC-設計"]
    assert register_names(c, cast.org, "?check=disk_encryption&verdict=none") == ["MAC-設計"]
    assert register_names(c, cast.org, "?stale=on") == ["PC-営業-1"]
    assert register_names(c, cast.org, "?q=営業&verdict=pass&check=disk_encryption") == ["PC-営業-1"]


def test_a_filter_that_matches_nothing_says_so_and_a_bad_value_filters_nothing(cast, token):
    post(token, report(key="flt-00001", device_key="dev-0001", hostname="PC-1"))
    c = cast.client(cast.viewer)
    html = c.get(reverse("devices", args=[cast.org.id]) + "?q=存在しない").content.decode()
    assert "この条件に合う端末はありません。" in html and 'id="no-devices"' not in html and "0 台を表示" in html
    bad = c.get(reverse("devices", args=[cast.org.id]) + "?verdict=PASS&os=dos&check=nope")
    assert bad.status_code == 200 and register_names(c, cast.org, "?verdict=PASS&os=dos") == ["PC-1"]
    assert 'class="errorlist"' in bad.content.decode()


def test_the_fleet_summary_links_failing_and_unknown_counts_to_the_devices(cast, token):
    post(token, report(key="flt-00001", device_key="dev-0001", hostname="PC-1",
                       verdicts={cid: "pass" for cid in CHECK_IDS} | {"disk_encryption": "fail", "firewall": "unknown"}))
    c = cast.client(cast.viewer)
    html = c.get(reverse("devices", args=[cast.org.id])).content.decode()
    assert 'href="?check=disk_encryption&amp;verdict=fail#devices">1</a>' in html
    assert 'href="?check=firewall&amp;verdict=unknown#devices">1</a>' in html
    assert 'href="?check=smb1&amp;verdict=fail' not in html  # no link to an empty list
    assert register_names(c, cast.org, "?check=firewall&verdict=unknown") == ["PC-1"]


def test_the_register_filters_keep_to_the_organisation_and_page_with_the_filter(cast, token):
    from tebiki.web.devices.views import PAGE_SIZE
    from tebiki.web.orgs.models import Organisation

    other = Organisation.objects.create(name="他社")
    Device.objects.bulk_create([Device(organisation=other, key=f"x-{i:04d}", hostname=f"PC-他社-{i}", os="linux",
                                       latest={"firewall": "fail"}) for i in range(3)])
    Device.objects.bulk_create([Device(organisation=cast.org, key=f"d-{i:04d}", hostname=f"PC-{i:04d}", os="linux",
                                       latest={"firewall": "fail" if i % 2 else "pass"})
                                for i in range(2 * PAGE_SIZE + 10)])
    c = cast.client(cast.viewer)
    first = register_names(c, cast.org, "?check=firewall&verdict=fail")
    assert len(first) == PAGE_SIZE and all(not n.startswith("PC-他社") for n in first)
    html = c.get(reverse("devices", args=[cast.org.id]) + "?check=firewall&verdict=fail").content.decode()
    assert "check=firewall&amp;verdict=fail&amp;page=2" in html
    second = register_names(c, cast.org, "?check=firewall&verdict=fail&page=2")
    assert len(second) == 5 and not set(first) & set(second)  # 105 of the 210 fail


def test_an_organisation_deleted_takes_its_devices_reports_and_links_and_nothing_else(cast, token):
    """The cascades that lost their own indexes (a report's and a link's organisation, a link's creator) still hold."""
    assert post(token, report(key="to-be-deleted-1")).status_code == 201
    theirs = EnrolmentToken.issue(cast.other, "theirs", None)[1]
    assert post(theirs, report(key="kept-report-01")).status_code == 201
    made_by_hand = DeviceLink.for_device(cast.org.id, Device.objects.get(organisation=cast.org).id)
    DeviceLink.objects.filter(token_hash=token_hash(made_by_hand)).update(created_by=cast.admin)
    cast.org.delete()
    assert list(CheckReport.objects.values_list("idempotency_key", flat=True)) == ["kept-report-01"]
    assert list(Device.objects.values_list("organisation", flat=True)) == [cast.other.id]
    assert list(DeviceLink.objects.values_list("organisation", flat=True)) == [cast.other.id]
    assert CheckResult.objects.count() == len(CHECK_IDS)


def test_a_deleted_user_leaves_the_links_they_made_without_a_creator(cast, token):
    assert post(token, report(key="by-hand-link-1")).status_code == 201
    secret = DeviceLink.for_device(cast.org.id, Device.objects.get().id)
    DeviceLink.objects.filter(token_hash=token_hash(secret)).update(created_by=cast.admin)
    cast.admin.delete()
    assert DeviceLink.objects.filter(token_hash=token_hash(secret), created_by=None).exists()
    assert DeviceLink.objects.count() == 2  # the upload's link and this one


@pytest.mark.parametrize(("host", "secure"), [("127.0.0.1:8443", True), ("[::1]:8000", False), ("localhost", True)])
def test_the_page_link_is_what_django_builds_for_the_request_s_scheme_and_host(cast, token, host, secure):
    from django.test import RequestFactory

    key = re.sub(r"[^0-9a-z]", "-", f"host-{host}-{secure}")
    r = Client().post(API, json.dumps(report(key=key)), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"}, HTTP_HOST=host, secure=secure)
    assert r.status_code == 201, r.content
    page = r.json()["page"]
    secret = page.rstrip("/").rsplit("/", 1)[1]
    same = RequestFactory().get("/", HTTP_HOST=host, secure=secure).build_absolute_uri(
        reverse("device_link", args=[secret]))
    assert page == same and page.startswith(("https://" if secure else "http://") + host + "/d/tbd_")


def test_an_upload_naming_a_host_not_allowed_is_refused_and_stores_nothing(cast, token):
    r = Client().post(API, json.dumps(report(key="evil-host-0001")), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}"}, HTTP_HOST="evil.example")
    assert r.status_code == 400 and not CheckReport.objects.exists() and not DeviceLink.objects.exists()
