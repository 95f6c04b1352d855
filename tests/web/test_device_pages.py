"""The worker's own device page (no account): reached by the link in an upload's answer or by the worker's
self-check link; shows what failed, what to do for the device's OS, why a check is unknown, and how to check again."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tebiki.agent.rules import CHECK_IDS
from tebiki.web.devices.models import CheckResult, Device, DeviceLink, EnrolmentToken
from tebiki.web.people import service
from tebiki.web.people.models import PersonalLink, Worker
from tests.agent.test_rules import WIN_GOOD, with_status
from tests.web.test_devices import CAPTURES, post, report

FAILING = {cid: "pass" for cid in CHECK_IDS} | {"disk_encryption": "fail"}


@pytest.fixture
def token(cast):
    return EnrolmentToken.issue(cast.org, "PCs", cast.admin)[1]


def page_path(answer) -> str:
    return answer.json()["page"].removeprefix("http://testserver")


def capture(token, files, key="capture-0001", **device):
    body = {"idempotency_key": key, "as_of": "2026-11-01",
            "device": {"key": "dev-win-1", "hostname": "PC-002", "os": "windows", **device},
            "files": {k: v.decode() for k, v in with_status("windows", files).items()}}
    return post(token, body, CAPTURES)


def test_an_upload_answers_with_a_personal_link_to_the_device_page(cast, token):
    r = post(token, report(os="macos", verdicts=FAILING))
    assert r.status_code == 201 and r.json()["page"].startswith("http://testserver/d/tbd_")
    page = Client().get(page_path(r))  # nobody signed in
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    html = page.content.decode()
    failed = html.split('class="my-check failed">')
    assert len(failed) == 2  # only the failed check, with its fix and the macOS steps
    steps = failed[1].split('class="steps">')[1].split("</div>")[0]
    assert "ディスクの暗号化" in failed[1] and "「FileVault」で「オンにする」" in steps and "BitLocker" not in steps
    again = html.split('id="check-again1">')[1]
    assert "tebiki check --report http://testserver/api/v1/ --token TOKEN" in again  # sent by the agent
    assert DeviceLink.objects.get().token_hash not in html


@pytest.mark.parametrize("prefer", ["return=minimal", "respond-async, RETURN=\"minimal\"; x=1", "wait=5,return=minimal"])
def test_an_unattended_agent_that_prefers_a_minimal_answer_gets_no_link_and_none_is_made(cast, token, prefer):
    r = Client().post("/api/v1/agent/reports", json.dumps(report(key="unattended-0001")), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}", "Prefer": prefer})
    assert r.status_code == 201 and r.json()["page"] is None and r["Preference-Applied"] == "return=minimal"
    assert r["Cache-Control"] == "no-store" and CheckResult.objects.count() == len(CHECK_IDS)
    assert not DeviceLink.objects.exists()
    c = capture(token, WIN_GOOD, key="unattended-0002")
    assert c.status_code == 201 and c.json()["page"] and DeviceLink.objects.count() == 1  # no preference: a link


@pytest.mark.parametrize("prefer", ["return=representation", "return=minimalist", "x-return=minimal", ""])
def test_any_other_preference_gets_the_link(cast, token, prefer):
    r = Client().post("/api/v1/agent/reports", json.dumps(report(key="attended-0001")), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}", "Prefer": prefer})
    assert r.status_code == 201 and r.json()["page"].startswith("http://testserver/d/tbd_")
    assert "Preference-Applied" not in r and DeviceLink.objects.count() == 1


def test_a_capture_can_prefer_a_minimal_answer_too(cast, token):
    body = {"idempotency_key": "capture-min-1", "as_of": "2026-11-01",
            "device": {"key": "dev-win-1", "hostname": "PC-002", "os": "windows"},
            "files": {k: v.decode() for k, v in with_status("windows", WIN_GOOD).items()}}
    r = Client().post(CAPTURES, json.dumps(body), content_type="application/json",
                      headers={"Authorization": f"Bearer {token}", "Prefer": "return=minimal"})
    assert r.status_code == 201 and r.json()["page"] is None and not DeviceLink.objects.exists()


def test_a_capture_page_shows_the_script_download_for_its_os(cast, token):
    html = Client().get(page_path(capture(token, WIN_GOOD))).content.decode()
    again = html.split('id="check-again1">')[1]
    assert 'href="http://testserver/agent/capture.ps1"' in again
    assert "powershell -ExecutionPolicy Bypass -File capture.ps1 -Url http://testserver/api/v1/ -Token TOKEN" in again
    assert "対応が必要な項目はありません" in html


def test_unknown_reasons_show_in_the_readers_language(cast, token):
    files = {k: v for k, v in WIN_GOOD.items() if k != "windows/bitlocker.json"}
    r = capture(token, files)
    stored = CheckResult.objects.get(check_id="disk_encryption")
    assert (stored.verdict, stored.reason_code) == ("unknown", "not_captured")
    assert stored.reason_params == {"name": "windows/bitlocker.json"}
    link = page_path(r)
    ja_page = Client().get(link).content.decode()
    ja = ja_page.split('class="reason">')[1].split("</p>")[0]
    assert ja == "windows/bitlocker.json が取得されていません"
    advice = ja_page.split('class="advice">')[1].split("</p>")[0]  # what the worker can do about it
    assert advice.startswith("もう一度チェックを実行してください。") and "管理者に伝えてください" in advice
    en = Client(headers={"accept-language": "en"}).get(link).content.decode()
    assert "windows/bitlocker.json was not captured" in en and "が取得されていません" not in en
    assert '<p class="advice">Run the check again, with administrator rights' in en
    dev = Device.objects.get()
    manager = cast.client(cast.viewer).get(reverse("device", args=[cast.org.id, dev.id])).content.decode()
    assert "windows/bitlocker.json が取得されていません" in manager


def test_a_pair_parameter_is_shown_in_each_language_and_an_old_report_keeps_its_text(cast, token):
    bad = post(token, report(verdicts={"firewall": "unknown"}))
    CheckResult.objects.filter(check_id="firewall").update(reason="firewall.json: unreadable (old agent)")
    old_html = Client().get(page_path(bad)).content.decode()
    assert "firewall.json: unreadable (old agent)" in old_html  # no code stored: the text as it came
    assert 'class="advice"' not in old_html  # and no advice to guess from it
    body = report(key="n" * 16, verdicts={"firewall": "unknown"})
    body["checks"]["firewall"] |= {"reason": "x", "reason_code": "shape",
                                   "reason_params": {"name": "windows/firewall.json", "detail": ["no rows", "行がありません"]}}
    html = Client().get(page_path(post(token, body))).content.decode()
    assert "windows/firewall.json: 想定した形式ではありません（行がありません）" in html


@pytest.mark.parametrize("params", [{"name": "\x00"}, {"NAME": "x"}, {"name": ["a", "b", "c"]},
                                    {f"p{i}": "x" for i in range(9)}])
def test_a_bad_reason_is_refused(cast, token, params):
    body = report(verdicts={"firewall": "unknown"})
    body["checks"]["firewall"] |= {"reason_code": "shape", "reason_params": params}
    assert post(token, body).status_code == 422 and not Device.objects.exists()
    body["checks"]["firewall"] |= {"reason_code": "made_up", "reason_params": {}}
    assert post(token, body).status_code == 422


def test_revoked_expired_and_unknown_device_links_answer_404(cast, token):
    path = page_path(post(token, report()))
    assert Client().get(path).status_code == 200
    assert Client().get("/d/tbd_not-a-real-token/").status_code == 404
    assert Client().post(path).status_code == 405
    with time_machine.travel(timezone.now() + DeviceLink.VALID_FOR + dt.timedelta(minutes=1)):
        assert Client().get(path).status_code == 404
    dev = Device.objects.get()
    assert cast.client(cast.viewer).post(reverse("revoke_device_links", args=[cast.org.id, dev.id])).status_code == 403
    assert cast.client(cast.outsider).post(reverse("revoke_device_links", args=[cast.org.id, dev.id])).status_code == 404
    assert Client().get(path).status_code == 200
    assert cast.client(cast.admin).post(reverse("revoke_device_links", args=[cast.org.id, dev.id])).status_code == 302
    assert Client().get(path).status_code == 404


def _worker_link(org, user, worker):
    campaign = service.create_campaign(org, "12月の点検", [worker.department], timezone.localdate()
                                       + dt.timedelta(days=7), user)
    urls = service.open_campaign(campaign, "http://testserver", send=False)
    return campaign, urls[worker.id].removeprefix("http://testserver")


def test_a_worker_link_shows_only_the_devices_assigned_to_that_worker(cast, token):
    aoi = Worker.objects.create(organisation=cast.org, name="青井", email="aoi@test.example", department="sales")
    ben = Worker.objects.create(organisation=cast.org, name="別所", email="ben@test.example", department="sales")
    post(token, report(key="a" * 16, device_key="dev-aoi-1", hostname="AOI-PC", verdicts=FAILING))
    post(token, report(key="b" * 16, device_key="dev-ben-1", hostname="BEN-PC", verdicts=FAILING))
    admin = cast.client(cast.admin)
    for key, worker in (("dev-aoi-1", aoi), ("dev-ben-1", ben)):
        dev = Device.objects.get(key=key)
        r = admin.post(reverse("edit_device", args=[cast.org.id, dev.id]),
                       {"owner": worker.name, "ownership": "company", "worker": worker.id})
        assert r.status_code == 302 and Device.objects.get(key=key).worker == worker
    campaign, aoi_link = _worker_link(cast.org, cast.admin, aoi)
    ben_link = service.issue_links(campaign, [ben], "http://testserver", send=False)[ben.id]
    form = Client().get(aoi_link).content.decode()
    assert f'href="{aoi_link}devices/"' in form
    mine = Client().get(aoi_link + "devices/").content.decode()
    assert "AOI-PC" in mine and "BEN-PC" not in mine and "青井" in mine and "BitLocker ドライブ暗号化" in mine
    theirs = Client().get(ben_link.removeprefix("http://testserver") + "devices/").content.decode()
    assert "BEN-PC" in theirs and "AOI-PC" not in theirs


def test_a_worker_link_that_was_replaced_revoked_or_expired_answers_404(cast, token):
    aoi = Worker.objects.create(organisation=cast.org, name="青井", email="aoi@test.example", department="sales")
    campaign, link = _worker_link(cast.org, cast.admin, aoi)
    assert Client().get(link + "devices/").status_code == 200
    assert "まだ端末が割り当てられていません" in Client().get(link + "devices/").content.decode()
    assert Client().get("/w/unknown-token/devices/").status_code == 404
    service.issue_links(campaign, [aoi], "http://testserver", send=False)  # the old link is revoked
    assert Client().get(link + "devices/").status_code == 404
    second, fresh = _worker_link(cast.org, cast.admin, aoi)
    assert Client().get(fresh + "devices/").status_code == 200
    with time_machine.travel(second.closes_at + dt.timedelta(minutes=1)):  # the link's expiry
        assert Client().get(fresh + "devices/").status_code == 404
    with time_machine.travel(second.closes_at - dt.timedelta(minutes=1)):
        assert Client().get(fresh + "devices/").status_code == 200
    assert cast.client(cast.admin).post(reverse("link_revoke", args=[cast.org.id, second.id, aoi.id])).status_code == 302
    assert Client().get(fresh + "devices/").status_code == 404


def test_a_worker_reaches_their_devices_after_the_campaign_was_closed_early(cast, token):
    aoi = Worker.objects.create(organisation=cast.org, name="青井", email="aoi@test.example", department="sales")
    post(token, report(key="a" * 16, device_key="dev-aoi-1", hostname="AOI-PC", verdicts=FAILING))
    Device.objects.filter(key="dev-aoi-1").update(worker=aoi)
    campaign, link = _worker_link(cast.org, cast.admin, aoi)
    service.close_campaign(campaign)  # no campaign is open now; the link has not expired
    form = Client().get(link)
    assert form.status_code == 410 and f'href="{link}devices/"' in form.content.decode()
    mine = Client().get(link + "devices/")
    assert mine.status_code == 200 and "AOI-PC" in mine.content.decode()
    with time_machine.travel(campaign.closes_at + dt.timedelta(minutes=1)):
        assert Client().get(link + "devices/").status_code == 404
        expired = Client().get(link)
        assert expired.status_code == 410 and "devices/" not in expired.content.decode()
    assert cast.client(cast.admin).post(reverse("link_revoke", args=[cast.org.id, campaign.id, aoi.id])).status_code == 302
    assert Client().get(link + "devices/").status_code == 404  # a manager can still withdraw it
    assert not PersonalLink.objects.current().filter(worker=aoi).exists()


def test_only_workers_of_the_organisation_can_be_assigned(cast, token):
    stranger = Worker.objects.create(organisation=cast.other, name="よそ", email="x@other.example", department="sales")
    post(token, report())
    dev = Device.objects.get()
    r = cast.client(cast.admin).post(reverse("edit_device", args=[cast.org.id, dev.id]),
                                     {"owner": "", "ownership": "company", "worker": stranger.id})
    assert r.status_code == 302 and Device.objects.get().worker is None


# ---------------------------------------------------------------- self-check answers that contradict a done item

def test_an_item_done_while_workers_answered_no_is_flagged_on_the_item_and_the_dashboard(cast, token):
    from tebiki.web.assessments.service import plan_of, save_item
    from tebiki.web.people.models import Answer

    names = ["青井", "別所", "千田", "土井", "江口"]
    workers = [Worker.objects.create(organisation=cast.org, name=n, email=f"w{i}@test.example", department="sales")
               for i, n in enumerate(names)]
    campaign = service.create_campaign(cast.org, "12月の点検", ["sales"], timezone.localdate() + dt.timedelta(days=7),
                                       cast.admin)
    service.open_campaign(campaign, "http://testserver", send=False)
    row = next(r for r in plan_of(cast.org).rows if r.item in campaign.items and r.applies and r.role == "worker"
               and r.scope in ("organisation", "sales"))
    for w, value in zip(workers, ["no", "yes", "no", "no", "unknown"], strict=True):
        Answer.objects.create(organisation=cast.org, campaign=campaign, worker=w, item=row.item, value=value)
    c = cast.client(cast.viewer)
    item_url = reverse("item", args=[cast.org.id, row.item, row.scope])
    assert 'id="contradiction-answers"' not in c.get(item_url).content.decode()  # not recorded as done yet
    save_item(cast.org, row.item, row.scope, {"status": "done"}, cast.admin)
    flag = c.get(item_url).content.decode().split('id="contradiction-answers">')[1].split("</p>")[0]
    assert "「12月の点検」で勤務者 5 人中 3 人が「いいえ」と答えています" in flag
    said_no = ", ".join(sorted(["青井", "千田", "土井"]))  # the roster's order: by department, then name
    assert said_no in flag and "別所" not in flag and "江口" not in flag
    board = c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    section = board.split('id="contradictions">')[1].split("</section>")[0]
    assert row.item.rsplit(":", 1)[1] in section and f"勤務者 5 人中 3 人が「いいえ」: {said_no}" in section
    report = c.get(reverse("report_html", args=[cast.org.id])).content.decode()
    part = report.split('id="contradictions">')[1].split("</table>")[0]
    assert row.item in part and "5 人中 3 人が「いいえ」" in part and said_no in part
    book = openpyxl.load_workbook(io.BytesIO(c.get(reverse("report_xlsx", args=[cast.org.id])).content))
    sheet = book["食い違い Contradictions"]
    assert sheet["A2"].value == row.item and said_no in sheet["E2"].value and sheet["A3"].value is None
    Answer.objects.filter(value="no").update(value="yes")  # the workers fixed it and answered again
    assert 'id="contradictions"' not in c.get(reverse("dashboard", args=[cast.org.id])).content.decode()
    book = openpyxl.load_workbook(io.BytesIO(c.get(reverse("report_xlsx", args=[cast.org.id])).content))
    assert "食い違い Contradictions" not in book.sheetnames


def test_a_failed_or_passed_check_has_no_unknown_advice(cast, token):
    answer = post(token, report(verdicts={"firewall": "fail", "smb1_off": "pass"}))
    assert answer.status_code == 201, answer.content
    html = Client().get(page_path(answer)).content.decode()
    assert 'class="advice"' not in html
