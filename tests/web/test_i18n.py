"""The Japanese catalogue: complete, compiled, used by default, and faithful to the placeholders of the English msgids."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "ja" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")  # %(name)s, %(n)d, %(mb).1f …


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO))


def pairs(catalogue: polib.POFile | polib.MOFile) -> set[tuple]:
    """Every (context, msgid, msgid_plural, msgstr or plural forms) of a .po or .mo, ignoring the header and obsolete entries."""
    return {(e.msgctxt, e.msgid, e.msgid_plural,
             tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr)
            for e in catalogue if e.msgid and not e.obsolete}


def test_the_catalogue_is_japanese_and_has_one_plural_form(po):
    assert po.metadata["Language"] == "ja"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po if e.msgid_plural and set(e.msgstr_plural) != {0}] == []


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    assert len(po) > 100, "the catalogue looks empty; run makemessages"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.percent_translated() == 100


def test_the_compiled_catalogue_is_up_to_date(po, tmp_path):
    fresh = tmp_path / "django.mo"
    po.save_as_mofile(str(fresh))
    committed = polib.mofile(str(MO))
    expected = pairs(polib.mofile(str(fresh)))
    actual = pairs(committed)
    assert expected - actual == set(), "django.mo lacks entries of django.po; run compilemessages"
    assert actual - expected == set(), "django.mo has entries no longer in django.po; run compilemessages"


def test_placeholders_of_each_translation_match_its_msgid(po):
    wrong = []
    for e in po.translated_entries():
        if e.msgid_plural:
            # Japanese has a single form that serves every count, so it follows the plural msgid.
            want = set(PLACEHOLDER.findall(e.msgid_plural))
            wrong += [(e.msgid, s) for s in e.msgstr_plural.values() if set(PLACEHOLDER.findall(s)) != want]
        elif set(PLACEHOLDER.findall(e.msgstr)) != set(PLACEHOLDER.findall(e.msgid)):
            wrong.append((e.msgid, e.msgstr))
    assert wrong == []


def test_placeholder_pattern_sees_names_and_conversions():
    assert PLACEHOLDER.findall("%(done)s of %(total)s, %(mb).1f MB, 100%") == ["done", "total", "mb"]
    assert set(PLACEHOLDER.findall("%(n)s件")) != set(PLACEHOLDER.findall("%(count)s items"))


def test_the_dashboard_is_japanese_by_default_and_english_on_request(cast):
    client = cast.client(cast.admin)
    url = reverse("dashboard", args=[cast.org.id])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ダッシュボード" in html
    assert 'lang="ja"' in html

    switched = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert switched.status_code == 302

    html = client.get(url).content.decode()
    assert "Dashboard" in html
    assert "ダッシュボード" not in html
    assert 'lang="en"' in html
