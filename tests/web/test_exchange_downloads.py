"""The exchange downloads on the reports page: OSCAL and CISO Assistant files, audited, members only."""

from __future__ import annotations

import json

import yaml
from django.urls import reverse
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog as OscalCatalog

from tebiki.catalog import get_catalog
from tebiki.web.assessments.service import plan_of, save_item
from tebiki.web.audit.models import AuditEntry

STAR_1_2 = {m.measure for s in get_catalog().mapping_sets if s.id == "mic-v5-security-action"
            for m in s.mappings if any(link.target == "star-1-2" for link in m.targets)}


def test_the_assessment_results_download_is_valid_oscal_with_the_recorded_state(cast):
    save_item(cast.org, "mic-v5:admin:A-1", "organisation", {"status": "done"}, cast.admin)
    resp = cast.client(cast.viewer).get(reverse("report_oscal_results", args=[cast.org.id]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/json"
    assert "oscal-assessment-results" in resp["Content-Disposition"]
    doc = json.loads(resp.content)
    findings = AssessmentResults.parse_obj(doc["assessment-results"]).results[0].findings
    a1 = [f for f in findings if f.target.target_id == "mic-v5_admin_a-1"]
    assert [f.target.status.state.value for f in a1] == ["satisfied"]
    assert AuditEntry.objects.filter(action="report.export", organisation_id=cast.org.id,
                                     target__contains="oscal-assessment-results").count() == 1


def test_both_oscal_catalogs_download(cast):
    c = cast.client(cast.admin)
    for name, count in (("report_oscal_mic", 98), ("report_oscal_csaj", 49)):
        resp = c.get(reverse(name, args=[cast.org.id]))
        assert resp.status_code == 200
        catalog = OscalCatalog.parse_obj(json.loads(resp.content)["catalog"])
        assert sum(len(getattr(sub, "controls", None) or []) for g in catalog.groups for sub in g.groups) == count


def test_the_ciso_assistant_library_downloads_as_yaml(cast):
    resp = cast.client(cast.admin).get(reverse("report_ciso_library", args=[cast.org.id]))
    assert resp.status_code == 200
    library = yaml.safe_load(resp.content)
    assert sum(n["assessable"] for n in library["objects"]["framework"]["requirement_nodes"]) == 98


def test_outsiders_get_404_and_the_page_links_every_download(cast):
    outsider = cast.client(cast.outsider)
    for name in ("report_oscal_results", "report_oscal_mic", "report_oscal_csaj", "report_ciso_library"):
        assert outsider.get(reverse(name, args=[cast.org.id])).status_code == 404
    page = cast.client(cast.admin).get(reverse("reports", args=[cast.org.id])).content.decode()
    assert "OSCAL" in page and "CISO Assistant" in page and "他のツールとの連携" in page


def test_the_security_action_page_shows_the_five_points_and_what_is_open(cast):
    c = cast.client(cast.viewer)
    url = reverse("security_action", args=[cast.org.id])
    page = c.get(url).content.decode()
    assert page.count('id="star-1-') == 5 and "パスワードを強化しよう" in page
    assert "IPA の診断シート" in page  # the 25-question self-check is outside tebiki, and it says so
    assert "まだです" in page
    plan_rows = [r for r in plan_of(cast.org).rows if r.applies and r.item in STAR_1_2]
    for r in plan_rows:
        save_item(cast.org, r.item, r.scope, {"status": "done"}, cast.admin)
    page = c.get(url).content.decode()
    point = page.split('id="star-1-2"')[1].split("</li>\n")[0]
    assert "✓" in point and "未対応" not in point
    assert cast.client(cast.outsider).get(url).status_code == 404
