from __future__ import annotations

import io
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tebiki.web.audit.models import AuditEntry
from tebiki.web.incidents.models import Contact, ReportLink

VALID = {"situation": "lost_device", "availability": "business_hours", "name": "情報システム課 山田",
         "role": "情報システム担当", "phone": "03-1234-5678", "email": "it@test.example", "hours": "平日 9:00〜18:00",
         "notes": "", "position": "10"}


def add(org, **kw):
    data = {k: v for k, v in VALID.items() if k != "position"}
    return Contact.objects.create(organisation=org, **{**data, "position": 10, **kw})


def test_a_manager_adds_a_contact_that_every_member_then_sees(cast):
    r = cast.client(cast.admin).post(reverse("contact_new", args=[cast.org.id]), VALID)
    assert r.status_code == 302
    c = Contact.objects.get()
    assert (c.organisation, c.situation, c.phone) == (cast.org, "lost_device", "03-1234-5678")
    assert AuditEntry.objects.filter(action="contact.create", organisation_id=cast.org.id, target=c.name).exists()
    for who in ("worker", "viewer", "consultant"):
        page = cast.client(getattr(cast, who)).get(reverse("contacts", args=[cast.org.id])).content.decode()
        assert "情報システム課 山田" in page and 'href="tel:0312345678"' in page


@pytest.mark.parametrize("change,field,message", [
    ({"phone": "", "email": ""}, "phone", "電話番号かメールアドレス"),
    ({"phone": "call me maybe"}, "phone", "数字"),
    ({"email": "not-an-email"}, "email", "メールアドレス"),
    ({"situation": "alien_invasion"}, "situation", "alien_invasion"),
    ({"availability": "sometimes"}, "availability", "sometimes"),
    ({"name": ""}, "name", "必須"),
    ({"name": "x" * 101}, "name", "100"),
    ({"notes": "bell\x07"}, "notes", "制御文字"),
    ({"position": "-1"}, "position", "0"),
])
def test_bad_contact_input_is_refused_at_the_field_and_nothing_is_stored(cast, change, field, message):
    r = cast.client(cast.admin).post(reverse("contact_new", args=[cast.org.id]), {**VALID, **change})
    assert r.status_code == 422
    errors = r.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert 'class="field-error"' in r.content.decode()
    assert not Contact.objects.exists()


def test_a_manager_edits_and_removes_a_contact(cast):
    c = add(cast.org)
    admin = cast.client(cast.executive)
    r = admin.post(reverse("contact_edit", args=[cast.org.id, c.id]), {**VALID, "availability": "out_of_hours",
                                                                       "position": "3"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.availability, c.position) == ("out_of_hours", 3)
    assert admin.post(reverse("contact_delete", args=[cast.org.id, c.id])).status_code == 302
    assert not Contact.objects.exists()
    assert AuditEntry.objects.filter(action="contact.delete").exists()


@pytest.mark.parametrize("who", ["worker", "viewer", "consultant"])
def test_only_managers_change_contacts(cast, who):
    c = add(cast.org)
    client = cast.client(getattr(cast, who))
    assert client.post(reverse("contact_new", args=[cast.org.id]), VALID).status_code == 403
    assert client.post(reverse("contact_edit", args=[cast.org.id, c.id]), {**VALID, "name": "乗っ取り"}).status_code == 403
    assert client.post(reverse("contact_delete", args=[cast.org.id, c.id])).status_code == 403
    assert list(Contact.objects.values_list("name", flat=True)) == [c.name]
    assert "edit-contacts" not in client.get(reverse("contacts", args=[cast.org.id])).content.decode()


def test_another_organisations_contact_is_404_through_ones_own_organisation(cast):
    c = add(cast.org)
    client = cast.client(cast.outsider)
    assert client.get(reverse("contact_edit", args=[cast.other.id, c.id])).status_code == 404
    assert client.post(reverse("contact_delete", args=[cast.other.id, c.id])).status_code == 404
    assert client.get(reverse("contacts", args=[cast.org.id])).status_code == 404
    assert "山田" not in client.get(reverse("contacts", args=[cast.other.id])).content.decode()
    assert Contact.objects.filter(pk=c.pk).exists()


def test_wrong_methods_are_refused(cast):
    c = add(cast.org)
    client = cast.client(cast.admin)
    assert client.get(reverse("contact_delete", args=[cast.org.id, c.id])).status_code == 405
    assert client.post(reverse("contacts", args=[cast.org.id])).status_code == 405
    assert client.post(reverse("contact_card", args=[cast.org.id])).status_code == 405
    assert Contact.objects.filter(pk=c.pk).exists()


def test_contacts_are_shown_in_order_with_general_ones_under_every_situation(cast):
    add(cast.org, name="二番手", position=20, situation="phishing")
    add(cast.org, name="一番手", position=1, situation="phishing")
    add(cast.org, name="総務部", situation="general", availability="always")
    page = cast.client(cast.worker).get(reverse("contacts", args=[cast.org.id])).content.decode()
    phishing = page.split('id="situation-phishing"')[1].split("</section>")[0]
    assert phishing.index("一番手") < phishing.index("二番手")
    assert phishing.count("総務部") == 2  # business hours and out of hours
    malware = page.split('id="situation-malware"')[1].split("</section>")[0]
    assert "総務部" in malware and "一番手" not in malware


def test_the_printable_card_is_standalone_with_print_css_and_japanese(cast):
    add(cast.org, availability="out_of_hours", name="夜間当番 佐藤", phone="090-0000-1111")
    r = cast.client(cast.worker).get(reverse("contact_card", args=[cast.org.id]))
    page = r.content.decode()
    assert r.status_code == 200 and "テスト商事" in page and "夜間当番 佐藤" in page
    assert 'href="/static/tebiki/incidents-card.css"' in page and "orgnav" not in page


def test_the_card_prints_to_a_pdf_with_the_japanese_names(cast):
    add(cast.org, name="情報システム課 山田")
    r = cast.client(cast.worker).get(reverse("contact_card_pdf", args=[cast.org.id]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in reader.pages))  # ⼭ (Kangxi) → 山
    assert len(reader.pages) == 1
    assert "テスト商事" in text and "山田" in text
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert 145 < width_mm < 151  # A5, half of A4


def test_the_report_link_reaches_the_contact_card_of_its_own_organisation_only(cast):
    add(cast.org, name="当社の窓口")
    add(cast.other, name="よその窓口")
    _, token = ReportLink.issue(cast.org, cast.admin)
    page = cast.client(None).get(reverse("public_contacts", args=[token])).content.decode()
    assert "当社の窓口" in page and "よその窓口" not in page


def test_the_card_lists_contacts_for_every_situation_once_and_any_time_contacts_on_one_line(cast):
    add(cast.org, name="総務部", situation="general", availability="always")
    add(cast.org, name="委託先サポート", situation="malware", availability="always")
    page = cast.client(cast.worker).get(reverse("contact_card", args=[cast.org.id])).content.decode()
    assert page.count("総務部") == 2  # the first-contact box: business hours and out of hours
    malware = page.split("ウイルス感染・ランサムウェア")[1].split("</section>")[0]
    assert malware.count("委託先サポート") == 1 and "いつでも" in malware
