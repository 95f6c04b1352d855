"""The policy page: managers save the choices section by section (bad values refused at the field, nothing else
changed), every member downloads DOCX and xlsx."""

from __future__ import annotations

import datetime as dt
import io
import re

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
from tebiki.web.policy.forms import (
    SECTION,
    SECTIONS,
    PolicySectionForm,
    impact_field,
    include_field,
    param_field,
    state_field,
)
from tebiki.web.policy.models import PolicySettings, choices_of
from tests.web.test_hostile import HOSTILE


def section_form(org, section) -> PolicySectionForm:
    catalog = get_catalog()
    choices = choices_of(org)
    return PolicySectionForm(catalog, candidates(catalog, assessment_of(org), choices), choices, section, lang="ja")


def form_data(org, section: str, **changes) -> dict[str, str]:
    """What the section's form posts when nothing is changed, plus *changes* (field name -> value)."""
    form = section_form(org, SECTION[section])
    data = {}
    for name, field in form.fields.items():
        initial = form.get_initial_for_field(field, name)
        if isinstance(initial, bool):
            if initial:
                data[name] = "on"
        elif initial not in (None, ""):
            data[name] = str(initial)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(cast, section: str) -> str:
    return reverse(SECTION[section].url_name, args=[cast.org.id])


def post(cast, section: str, **changes):
    return cast.client(cast.admin).post(url(cast, section), form_data(cast.org, section, **changes))


def stored():
    return PolicySettings.objects.get().choices


def test_every_member_sees_the_page_and_only_managers_get_the_sections(cast):
    index = reverse("policy", args=[cast.org.id])
    admin_page = cast.client(cast.admin).get(index)
    worker_page = cast.client(cast.worker).get(index)
    assert admin_page.status_code == worker_page.status_code == 200
    for s in SECTIONS:
        assert url(cast, s.id).encode() in admin_page.content
        assert url(cast, s.id).encode() not in worker_page.content
    assert b'id="policy-progress"' in admin_page.content and b'value="0"' in admin_page.content
    assert reverse("policy_docx", args=[cast.org.id]).encode() in worker_page.content


def test_every_policy_rule_and_value_is_in_exactly_one_section(cast):
    catalog = get_catalog()
    cands = candidates(catalog, assessment_of(cast.org), choices_of(cast.org))
    for c in cands:
        assert sum(s.holds(c.section) for s in SECTIONS) == 1, c.id
    fields = [name for s in SECTIONS for name in section_form(cast.org, s).fields]
    assert len(fields) == len(set(fields))
    assert {param_field(p.name) for p in parameters(catalog).values() if p.editable} <= set(fields)
    assert {include_field(c.id) for c in cands if c.choosable} <= set(fields)


def test_a_manager_saves_each_section_on_its_own(cast):
    r = post(cast, "accounts", **{param_field("min_password_length"): "14",
                                  impact_field("csaj-2018:6.1.1-1", "availability"): "severe",
                                  state_field("csaj-2018:6.1.1-1"): "古い NAS が残っている"})
    assert r.status_code == 302 and r["Location"] == url(cast, "remote")  # on to the next section
    assert stored()["parameters"] == {"min_password_length": 14}
    assert stored()["impacts"]["csaj-2018:6.1.1-1"] == {"availability": "severe", "current_state": "古い NAS が残っている"}

    post(cast, "rules", **{param_field("aes_key_length_bits"): "192"})
    post(cast, "devices", **{include_field("csaj-2018:5.1.5-2"): "on"})
    r = post(cast, "basics", **{"effective_date": "2027-04-01", "assets-top_secret": "顧客DBの認証情報\n\nCMS のログオン情報",
                                "encrypt-top_secret": "yes"})
    assert r.status_code == 302
    choices = stored()
    assert choices["parameters"] == {"min_password_length": 14, "aes_key_length_bits": 192}  # earlier sections kept
    assert choices["include"]["csaj-2018:5.1.5-2"] is True and choices["effective_date"] == "2027-04-01"
    assert choices["assets"]["top_secret"] == {"assets": ["顧客DBの認証情報", "CMS のログオン情報"], "encrypt": True}
    assert choices["impacts"]["csaj-2018:6.1.1-1"]["availability"] == "severe"
    assert PolicySettings.objects.get().saved_sections == ["basics", "devices", "accounts", "rules"]
    entries = AuditEntry.objects.filter(action="policy.change").order_by("seq")
    assert [e.data["section"] for e in entries] == ["accounts", "rules", "devices", "basics"]
    assert entries.last().organisation_id == cast.org.id

    page = cast.client(cast.admin).get(reverse("policy", args=[cast.org.id])).content.decode()
    assert 'value="4"' in page and "7 セクション中 4 セクションを保存済み" in page


def test_saving_a_section_again_with_the_defaults_removes_only_its_values(cast):
    post(cast, "accounts", **{param_field("lockout_threshold"): "5"})
    post(cast, "logs", **{param_field("min_log_retention_years"): "3"})
    post(cast, "accounts", **{param_field("lockout_threshold"): "10"})
    assert stored()["parameters"] == {"min_log_retention_years": 3}


@pytest.mark.parametrize(("section", "field", "value", "message"), [
    ("accounts", param_field("min_password_length"), "4", "8"),
    ("accounts", param_field("min_password_length"), "twelve", ""),
    ("rules", param_field("aes_key_length_bits"), "512", "512"),
    ("logs", param_field("log_archive_max_mb"), "20", "log_archive_min_mb"),
    ("basics", "effective_date", "someday", ""),
    ("basics", "assets-internal", "\n".join(f"asset {i}" for i in range(60)), "50"),
])
def test_a_bad_value_is_shown_at_its_field_and_nothing_is_stored(cast, section, field, value, message):
    post(cast, "remote")  # something stored before, which the refused save must leave as it is
    before = stored()
    response = post(cast, section, **{field: value})
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    html = response.content.decode()
    error_id = f"id_{field}_error"
    assert f'id="{error_id}"' in html and 'role="alert"' in html
    widget = re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(field)}"[^>]*>', html).group(0)
    assert error_id in widget and 'aria-invalid="true"' in widget  # the error is linked to its field
    assert f'href="#id_{field}"' in html  # and listed at the top
    assert stored() == before and PolicySettings.objects.get().saved_sections == ["remote"]
    assert AuditEntry.objects.filter(action="policy.change").count() == 1


@pytest.mark.parametrize("section", [s.id for s in SECTIONS])
def test_every_control_of_a_section_has_a_label(cast, section):
    html = cast.client(cast.admin).get(url(cast, section)).content.decode()
    controls = re.findall(r'<(?:input|select|textarea)\b[^>]*>', html)
    ids = [re.search(r'id="([^"]+)"', c).group(1) for c in controls if 'type="hidden"' not in c]
    assert ids or section in ("remote",)
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    assert [i for i in ids if i not in labelled] == []
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert all(f'id="{d}"' in html for d in described.split()), described


@pytest.mark.parametrize("role", ["worker", "viewer", "consultant"])
def test_only_managers_may_open_or_save_a_section(cast, role):
    c = cast.client(getattr(cast, role))
    assert c.get(url(cast, "basics")).status_code == 403
    assert c.post(url(cast, "accounts"), form_data(cast.org, "accounts")).status_code == 403
    assert not PolicySettings.objects.exists()


@pytest.mark.parametrize("name", ["policy", "policy_basics", "policy_accounts", "policy_docx", "policy_xlsx"])
def test_an_outsider_gets_404(cast, name):
    c = cast.client(cast.outsider)
    target = reverse(name, args=[cast.org.id])
    assert c.get(target).status_code == 404
    assert not PolicySettings.objects.exists()


@pytest.mark.parametrize(("name", "method"), [("policy", "post"), ("policy_basics", "put"), ("policy_docx", "post"),
                                              ("policy_xlsx", "post")])
def test_the_wrong_method_is_refused(cast, name, method):
    assert getattr(cast.client(cast.admin), method)(reverse(name, args=[cast.org.id])).status_code == 405


def test_a_worker_downloads_the_rulebook_with_the_saved_values(cast):
    post(cast, "accounts", **{param_field("lockout_threshold"): "5"})
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


def home_of(item: str) -> str:
    return next(s.id for s in SECTIONS if s.holds(get_catalog().by_id[item].section))


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_free_text_is_stored_safely_or_refused(cast, hostile):
    c = cast.client(cast.admin)
    item = first_evaluated(cast.org)
    for section, field in (("basics", "assets-internal"), (home_of(item), state_field(item))):
        r = c.post(url(cast, section), form_data(cast.org, section, **{field: hostile}))
        assert r.status_code in (302, 422)
        assert "<script>alert(1)</script>" not in r.content.decode()
        if r.status_code == 422:
            assert not PolicySettings.objects.exists()
            return
    page = c.get(reverse("policy", args=[cast.org.id]))
    assert page.status_code == 200 and "<script>alert(1)</script>" not in page.content.decode()
    assert "<script>alert(1)</script>" not in c.get(url(cast, "basics")).content.decode()
    sheet = c.get(reverse("policy_xlsx", args=[cast.org.id]))
    cells = [v for ws in load_workbook(io.BytesIO(sheet.content)) for row in ws.iter_rows(values_only=True) for v in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in cells)


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_are_refused_where_only_a_value_of_a_kind_fits(cast, hostile):
    item = first_evaluated(cast.org)
    for section, field in (("accounts", param_field("min_password_length")), ("home", param_field("wifi_protocol")),
                           ("basics", "effective_date"), (home_of(item), impact_field(item, "confidentiality"))):
        r = cast.client(cast.admin).post(url(cast, section), form_data(cast.org, section, **{field: hostile}))
        assert r.status_code == 422, (section, field)
        assert field in r.context["form"].errors
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
