"""The basic policy on the web: every member downloads it; an administrator records its publication, which is
what the SECURITY ACTION readiness counts (not the download)."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from docx import Document

from tebiki.web.assessments.service import save_item
from tebiki.web.audit.models import AuditEntry
from tebiki.web.policy.models import PolicySettings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _policy_step(page: str) -> str:
    return page.split('id="star-2-policy"')[1].split("</li>")[0]


def test_every_member_downloads_the_basic_policy_and_it_is_audited(cast):
    resp = cast.client(cast.viewer).get(reverse("basic_policy_docx", args=[cast.org.id]))
    assert resp.status_code == 200 and resp["Content-Type"] == DOCX
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert "情報セキュリティ基本方針" in text and "テスト商事" in text and "経営者の取り組み" in text
    assert AuditEntry.objects.filter(action="report.export", target__contains="basic-policy").count() == 1
    assert cast.client(cast.outsider).get(reverse("basic_policy_docx", args=[cast.org.id])).status_code == 404


def test_the_policy_page_and_the_readiness_page_link_the_download(cast):
    c = cast.client(cast.viewer)
    url = reverse("basic_policy_docx", args=[cast.org.id])
    assert url in c.get(reverse("policy", args=[cast.org.id])).content.decode()
    page = c.get(reverse("security_action", args=[cast.org.id])).content.decode()
    assert url in _policy_step(page) and 'id="basic-policy-published"' not in page  # a viewer gets no form


def test_downloading_is_not_publishing_and_a_recorded_date_is(cast):
    save_item(cast.org, "mic-v5:executive:A-1", "organisation", {"status": "done"}, cast.admin)
    c = cast.client(cast.admin)
    c.get(reverse("basic_policy_docx", args=[cast.org.id]))
    url = reverse("security_action", args=[cast.org.id])
    assert "公開はまだ記録されていません" in _policy_step(c.get(url).content.decode())
    resp = c.post(reverse("basic_policy_published", args=[cast.org.id]),
                  {"bp-published_on": "2026-11-20", "bp-where": "https://example.jp/policy"})
    assert resp.status_code == 302 and resp["Location"].endswith("#star-2-policy")
    stored = PolicySettings.objects.get(organisation=cast.org)
    assert (stored.basic_policy_published_on, stored.basic_policy_published_where) == \
        (dt.date(2026, 11, 20), "https://example.jp/policy")
    entry = AuditEntry.objects.get(action="policy.basic_published")
    assert entry.data == {"published_on": "2026-11-20", "where": "https://example.jp/policy"}
    step = _policy_step(c.get(url).content.decode())
    assert "✓" in step and "2026-11-20 に公開（https://example.jp/policy）" in step
    assert "2026-11-20 に公開済み" in c.get(reverse("policy", args=[cast.org.id])).content.decode()


def test_a_future_date_is_refused_at_its_field_and_nothing_is_stored(cast):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    resp = cast.client(cast.admin).post(reverse("basic_policy_published", args=[cast.org.id]),
                                        {"bp-published_on": tomorrow})
    page = resp.content.decode()
    assert resp.status_code == 422 and 'role="alert" id="id_bp-published_on_error"' in page
    assert 'aria-describedby="id_bp-published_on_error"' in page and "未来の日付" in page
    assert not PolicySettings.objects.filter(organisation=cast.org, basic_policy_published_on__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="policy.basic_published").exists()


def test_only_managers_record_the_publication(cast):
    for user in (cast.consultant, cast.viewer):
        resp = cast.client(user).post(reverse("basic_policy_published", args=[cast.org.id]),
                                      {"bp-published_on": "2026-11-20"})
        assert resp.status_code == 403
    assert cast.client(cast.outsider).post(reverse("basic_policy_published", args=[cast.org.id]),
                                           {"bp-published_on": "2026-11-20"}).status_code == 404
    assert cast.client(cast.admin).get(reverse("basic_policy_published", args=[cast.org.id])).status_code == 405
