"""The policy page: managers save choices (bad values refused at the field), every member downloads DOCX and xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tebiki.catalog import get_catalog
from tebiki.core.policy import candidates, parameters
from tebiki.web.assessments.models import ItemRecord
from tebiki.web.assessments.service import assessment_of
from tebiki.web.audit.models import AuditEntry
from tebiki.web.orgs.models import Membership, Organisation
from tebiki.web.policy.forms import impact_field, include_field, param_field, state_field
from tebiki.web.policy.models import PolicySettings, choices_of
from tests.web.test_hostile import HOSTILE


def form_data(org, **changes) -> dict[str, str]:
    """What the page posts when nothing is changed, plus *changes* (field name -> value)."""
    catalog = get_catalog()
    cands = candidates(catalog, assessment_of(org), choices_of(org))
    data = {param_field(p.name): str(p.default) for p in parameters(catalog).values() if p.editable}
    data.update({include_field(c.id): "on" for c in cands if c.choosable and c.included})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_url(cast):
    return reverse("policy_edit", args=[cast.org.id])


def test_every_member_sees_the_page_and_only_managers_get_the_form(cast):
    url = reverse("policy", args=[cast.org.id])
    admin_page = cast.client(cast.admin).get(url)
    worker_page = cast.client(cast.worker).get(url)
    assert admin_page.status_code == worker_page.status_code == 200
    assert b'action="' + edit_url(cast).encode() in admin_page.content
    assert edit_url(cast).encode() not in worker_page.content
    assert reverse("policy_docx", args=[cast.org.id]).encode() in worker_page.content


def test_a_manager_saves_parameters_and_items(cast):
    c = cast.client(cast.admin)
    data = form_data(cast.org, **{param_field("min_password_length"): "14", param_field("aes_key_length_bits"): "192",
                                  include_field("csaj-2018:5.1.5-2"): "on", "effective_date": "2027-04-01",
                                  impact_field("csaj-2018:6.1.1-1", "availability"): "severe",
                                  state_field("csaj-2018:6.1.1-1"): "古い NAS が残っている",
                                  "assets-top_secret": "顧客DBの認証情報\n\nCMS のログオン情報", "encrypt-top_secret": "yes"})
    response = c.post(edit_url(cast), data)
    assert response.status_code == 302
    stored = PolicySettings.objects.get(organisation=cast.org).choices
    assert stored["parameters"] == {"min_password_length": 14, "aes_key_length_bits": 192}
    assert stored["include"]["csaj-2018:5.1.5-2"] is True and stored["effective_date"] == "2027-04-01"
    assert stored["impacts"]["csaj-2018:6.1.1-1"] == {"availability": "severe", "current_state": "古い NAS が残っている"}
    assert stored["assets"]["top_secret"] == {"assets": ["顧客DBの認証情報", "CMS のログオン情報"], "encrypt": True}
    entry = AuditEntry.objects.filter(action="policy.change").get()
    assert entry.organisation_id == cast.org.id and entry.data["parameters"]["min_password_length"] == 14


@pytest.mark.parametrize(("field", "value", "message"), [
    (param_field("min_password_length"), "4", "8"),
    (param_field("min_password_length"), "twelve", ""),
    (param_field("aes_key_length_bits"), "512", "512"),
    (param_field("log_archive_max_mb"), "20", "log_archive_min_mb"),
    ("effective_date", "someday", ""),
    ("assets-internal", "\n".join(f"asset {i}" for i in range(60)), "50"),
])
def test_a_bad_value_is_shown_at_its_field_and_nothing_is_stored(cast, field, value, message):
    response = cast.client(cast.admin).post(edit_url(cast), form_data(cast.org, **{field: value}))
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    assert b"field-error" in response.content
    assert not PolicySettings.objects.exists()
    assert not AuditEntry.objects.filter(action="policy.change").exists()


@pytest.mark.parametrize("role", ["worker", "viewer", "consultant"])
def test_only_managers_may_change_the_choices(cast, role):
    response = cast.client(getattr(cast, role)).post(edit_url(cast), form_data(cast.org))
    assert response.status_code == 403
    assert not PolicySettings.objects.exists()


@pytest.mark.parametrize("name", ["policy", "policy_edit", "policy_docx", "policy_xlsx"])
def test_an_outsider_gets_404(cast, name):
    c = cast.client(cast.outsider)
    url = reverse(name, args=[cast.org.id])
    assert (c.post if name == "policy_edit" else c.get)(url).status_code == 404


@pytest.mark.parametrize(("name", "method"), [("policy", "post"), ("policy_edit", "get"), ("policy_docx", "post"),
                                              ("policy_xlsx", "post")])
def test_the_wrong_method_is_refused(cast, name, method):
    assert getattr(cast.client(cast.admin), method)(reverse(name, args=[cast.org.id])).status_code == 405


def test_a_worker_downloads_the_rulebook_with_the_saved_values(cast):
    cast.client(cast.admin).post(edit_url(cast), form_data(cast.org, **{param_field("lockout_threshold"): "5"}))
    response = cast.client(cast.worker).get(reverse("policy_docx", args=[cast.org.id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert response["Content-Disposition"].startswith(f'attachment; filename="tebiki-{cast.org.id}-policy-')
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert text.startswith("在宅勤務・テレワーク セキュリティ規程") and cast.org.name in text
    assert "ログオンに5回失敗" in text
    entry = AuditEntry.objects.filter(action="report.export").latest("seq")
    assert entry.actor == cast.worker.email and entry.target.endswith(".docx")


def test_the_self_evaluation_download_carries_the_recorded_decisions(cast):
    ItemRecord.objects.create(organisation=cast.org, item="csaj-2018:5.2.2-1", scope="organisation",
                              status="not_done", decision="will_do", deadline=dt.date(2027, 3, 31), owner="総務")
    response = cast.client(cast.viewer).get(reverse("policy_xlsx", args=[cast.org.id]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(response.content))["評価"]
    header = [c.value for c in ws[3]]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["5.2.2-1"]["実施判定"] == "する（令和9年3月31日まで）" and rows["5.2.2-1"]["担当"] == "総務"
    assert AuditEntry.objects.filter(action="report.export", target__endswith=".xlsx").exists()


def test_the_page_and_the_reports_page_link_each_other(cast):
    c = cast.client(cast.worker)
    reports = c.get(reverse("reports", args=[cast.org.id])).content.decode()
    assert reverse("policy", args=[cast.org.id]) in reports


def first_evaluated(org) -> str:
    return next(c.id for c in candidates(get_catalog(), assessment_of(org), choices_of(org))
                if c.kind == "policy" and c.applies)


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_free_text_is_stored_safely_or_refused(cast, hostile):
    c = cast.client(cast.admin)
    item = first_evaluated(cast.org)
    r = c.post(edit_url(cast), form_data(cast.org, **{"assets-internal": hostile, state_field(item): hostile}))
    assert r.status_code in (302, 422)
    assert "<script>alert(1)</script>" not in r.content.decode()
    if r.status_code == 422:
        assert not PolicySettings.objects.exists()
        return
    page = c.get(reverse("policy", args=[cast.org.id]))
    assert page.status_code == 200 and "<script>alert(1)</script>" not in page.content.decode()
    sheet = c.get(reverse("policy_xlsx", args=[cast.org.id]))
    cells = [v for ws in load_workbook(io.BytesIO(sheet.content)) for row in ws.iter_rows(values_only=True) for v in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in cells)


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_are_refused_where_only_a_value_of_a_kind_fits(cast, hostile):
    item = first_evaluated(cast.org)
    r = cast.client(cast.admin).post(edit_url(cast), form_data(cast.org, **{
        param_field("min_password_length"): hostile, param_field("wifi_protocol"): hostile,
        "effective_date": hostile, impact_field(item, "confidentiality"): hostile}))
    assert r.status_code == 422
    assert {param_field("min_password_length"), param_field("wifi_protocol"), "effective_date",
            impact_field(item, "confidentiality")} <= set(r.context["form"].errors)
    assert not PolicySettings.objects.exists()


def test_control_characters_in_recorded_notes_do_not_break_the_sheet(cast):
    ItemRecord.objects.create(organisation=cast.org, item="csaj-2018:5.2.2-1", scope="organisation",
                              status="not_done", reason="line\x0bbreak", owner="a\x1bb")
    response = cast.client(cast.admin).get(reverse("policy_xlsx", args=[cast.org.id]))
    ws = load_workbook(io.BytesIO(response.content))["評価"]
    values = [c.value for row in ws.iter_rows(min_row=4) for c in row]
    assert "未実施：linebreak" in values and "ab" in values


def test_choices_that_no_longer_validate_fall_back_to_the_defaults_with_a_warning(cast):
    PolicySettings.objects.create(organisation=cast.org, choices={"parameters": {"retired_parameter": 3}})
    page = cast.client(cast.worker).get(reverse("policy", args=[cast.org.id]))
    assert page.status_code == 200 and page.context["stale"].field == "parameters.retired_parameter"
    assert cast.client(cast.worker).get(reverse("policy_docx", args=[cast.org.id])).status_code == 200


def test_an_organisation_without_a_profile_is_sent_to_set_up(cast):
    fresh = Organisation.objects.create(name="準備中")
    Membership.objects.create(user=cast.admin, organisation=fresh, role="admin")
    for name in ("policy", "policy_docx", "policy_xlsx"):
        response = cast.client(cast.admin).get(reverse(name, args=[fresh.id]))
        assert response.status_code == 302 and response["Location"] == reverse("setup_profile", args=[fresh.id])
