"""Organisation templates on the web: the download, starting from one of your organisations or from a file,
refusing bad files, and a consultant who cannot reach another consultant's clients."""

from __future__ import annotations

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tebiki.web.assessments.models import ItemChange, ItemRecord
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.audit.models import AuditEntry
from tebiki.web.orgs.models import Membership, Organisation, Role
from tebiki.web.policy.models import PolicySettings

from .conftest import make_user

POLICY = {"parameters": {"min_password_length": 14}}


def _choose(cast):
    """The source organisation's choices: a status, a decision with a person as owner, one not needed."""
    org, first = cast.org, cast.org.get_profile().departments[0].id
    save_item(org, "mic-v5:admin:A-1", "organisation", {"status": "partly", "decision": "will_do",
                                                        "deadline": dt.date.today() + dt.timedelta(days=30),
                                                        "owner": "佐藤 花子"}, cast.admin)
    save_item(org, "mic-v5:worker:C-1", first, {"decision": "not_needed", "reason": "端末は貸与しない"}, cast.admin)
    save_item(org, "mic-v5:admin:C-2", "organisation", {"status": "done", "decision": "done"}, cast.admin)
    PolicySettings.objects.create(organisation=org, choices=POLICY)


def _rows(org):
    return [(r.item, r.scope, r.applies, r.priority, r.decision, r.deadline, r.note) for r in plan_of(org).rows
            if r.item != "mic-v5:admin:C-2"]


def test_a_consultant_downloads_the_template_without_statuses_or_names(cast):
    _choose(cast)
    resp = cast.client(cast.consultant).get(reverse("org_template", args=[cast.org.id]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    data = json.loads(resp.content)
    assert data["schema"] == "tebiki-org-template/1" and data["policy"] == {"include": {}, **POLICY}
    assert [c["item"] for c in data["choices"]] == ["mic-v5:admin:A-1", "mic-v5:worker:C-1"]
    assert "佐藤" not in resp.content.decode() and "partly" not in resp.content.decode()
    assert AuditEntry.objects.filter(action="report.export", organisation_id=cast.org.id,
                                     target__contains="template").exists()


def test_the_profile_page_links_the_download(cast):
    page = cast.client(cast.consultant).get(reverse("org_profile", args=[cast.org.id])).content.decode()
    assert reverse("org_template", args=[cast.org.id]) in page


def test_the_new_organisation_page_offers_only_organisations_the_user_may_template(cast):
    page = cast.client(cast.consultant).get(reverse("org_new")).content.decode()
    assert 'id="from-template"' in page and f'value="{cast.org.id}"' in page
    assert f'value="{cast.other.id}"' not in page
    worker_page = cast.client(cast.worker).get(reverse("org_new")).content.decode()
    assert f'value="{cast.org.id}"' not in worker_page  # a worker may not read the choices


def test_a_consultant_starts_an_organisation_from_a_client(cast):
    _choose(cast)
    resp = cast.client(cast.consultant).post(reverse("org_from_template"), {"tpl-name": "東西工業",
                                                                            "tpl-source": cast.org.id})
    new = Organisation.objects.get(name="東西工業")
    assert resp.status_code == 302 and resp["Location"] == reverse("setup_ready", args=[new.id])
    assert Membership.objects.get(organisation=new).role == Role.ADMIN
    assert _rows(new) == _rows(cast.org)
    assert set(ItemRecord.objects.filter(organisation=new).values_list("status", flat=True)) == {"unchecked"}
    assert ItemRecord.objects.get(organisation=new, item="mic-v5:admin:A-1").owner == "システム・セキュリティ管理者"
    assert ItemChange.objects.filter(organisation=new).count() == 2
    assert PolicySettings.objects.get(organisation=new).choices == POLICY
    entry = AuditEntry.objects.get(action="org.template_import")
    assert entry.organisation_id == new.id and entry.data["template"] == "テスト商事"


def test_an_uploaded_template_starts_an_organisation(cast):
    _choose(cast)
    body = cast.client(cast.admin).get(reverse("org_template", args=[cast.org.id])).content
    upload = SimpleUploadedFile("t.json", body, content_type="application/json")
    resp = cast.client(cast.outsider).post(reverse("org_from_template"), {"tpl-name": "南北商会", "tpl-file": upload})
    assert resp.status_code == 302
    new = Organisation.objects.get(name="南北商会")
    assert new.memberships.get().user == cast.outsider and _rows(new) == _rows(cast.org)


def test_a_bad_file_names_the_field_and_creates_nothing(cast):
    _choose(cast)
    data = json.loads(cast.client(cast.admin).get(reverse("org_template", args=[cast.org.id])).content)
    data["choices"][0]["item"] = "mic-v5:admin:Z-9"
    upload = SimpleUploadedFile("bad.json", json.dumps(data).encode(), content_type="application/json")
    before = Organisation.objects.count()
    resp = cast.client(cast.admin).post(reverse("org_from_template"), {"tpl-name": "x", "tpl-file": upload})
    page = resp.content.decode()
    assert resp.status_code == 422 and "choices.0.item" in page and "mic-v5:admin:Z-9" in page
    assert 'role="alert" id="id_tpl-file_error"' in page and 'aria-describedby="id_tpl-file_error' in page
    assert Organisation.objects.count() == before and not AuditEntry.objects.filter(action="org.template_import")


def test_a_file_that_is_not_a_template_is_refused(cast):
    upload = SimpleUploadedFile("x.json", "\x89PNG not text".encode("latin-1"), content_type="application/json")
    resp = cast.client(cast.admin).post(reverse("org_from_template"), {"tpl-name": "x", "tpl-file": upload})
    assert resp.status_code == 422 and Organisation.objects.filter(name="x").count() == 0


def test_one_of_source_or_file_is_needed(cast):
    resp = cast.client(cast.admin).post(reverse("org_from_template"), {"tpl-name": "x"})
    assert resp.status_code == 422 and Organisation.objects.filter(name="x").count() == 0


def test_a_consultant_cannot_template_another_consultants_client(cast):
    other_consultant = make_user("consultant2@other.example", cast.other, Role.CONSULTANT)
    c = cast.client(other_consultant)
    assert c.get(reverse("org_template", args=[cast.org.id])).status_code == 404
    resp = c.post(reverse("org_from_template"), {"tpl-name": "盗用", "tpl-source": cast.org.id})
    assert resp.status_code == 422 and not Organisation.objects.filter(name="盗用").exists()
    resp = c.post(reverse("org_from_template"), {"tpl-name": "自分の客", "tpl-source": cast.other.id})
    assert resp.status_code == 302 and Organisation.objects.filter(name="自分の客").exists()


def test_starting_from_a_template_is_post_only(cast):
    assert cast.client(cast.admin).get(reverse("org_from_template")).status_code == 405


def test_an_organisation_whose_records_no_longer_fit_is_refused_as_a_source(cast):
    ItemRecord.objects.create(organisation=cast.org, item="mic-v5:admin:Z-9", scope="organisation",
                              decision="not_needed", reason="古いカタログの項目")  # a measure the catalog lost
    resp = cast.client(cast.consultant).post(reverse("org_from_template"), {"tpl-name": "x", "tpl-source": cast.org.id})
    page = resp.content.decode()
    assert resp.status_code == 422 and "mic-v5:admin:Z-9" in page and 'id="id_tpl-source_error"' in page
    assert not Organisation.objects.filter(name="x").exists()
