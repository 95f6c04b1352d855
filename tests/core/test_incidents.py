from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml

from tebiki.catalog import get_catalog
from tebiki.core.errors import DataError
from tebiki.core.incidents import DATA, GENERAL, card_sections, load_situations, situations


def raw() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_the_packaged_situations_load_and_link_to_known_cases_and_measures():
    data = situations()
    catalog = get_catalog()
    assert data.ids == ["lost_device", "stolen_device", "lost_media", "phishing", "malware", "account_takeover",
                        "info_leak", "other"]
    assert "mic-v5:case-06" in data.get("phishing").trouble_cases
    for s in data.situations:
        assert s.first_steps and s.title.ja and s.title.en
        assert all(catalog.by_id[m].role in ("executive", "admin", "worker") for m in s.measures)


def test_every_situation_points_workers_to_reporting_straight_away():
    assert all("mic-v5:worker:J-2" in s.measures or "mic-v5:worker:J-1" in s.measures for s in situations().situations)


@pytest.mark.parametrize("field,value,reason", [
    ("measures", ["mic-v5:worker:Z-9"], "unknown measure 'mic-v5:worker:Z-9'"),
    ("trouble_cases", ["mic-v5:case-99"], "unknown trouble case 'mic-v5:case-99'"),
])
def test_an_unknown_id_is_an_error_naming_the_situation_and_field(field, value, reason):
    data = raw()
    data["situations"][3][field] = value
    with pytest.raises(DataError) as err:
        load_situations(get_catalog(), yaml.safe_dump(data, allow_unicode=True), "situations.yaml")
    assert f"phishing.{field}: {reason}" in str(err.value)


def test_a_misspelt_field_or_a_duplicate_id_is_refused():
    data = raw()
    data["situations"][0]["first_step"] = data["situations"][0].pop("first_steps")
    with pytest.raises(DataError, match="unknown field"):
        load_situations(get_catalog(), yaml.safe_dump(data, allow_unicode=True), "x.yaml")
    data = raw()
    data["situations"][1]["id"] = "lost_device"
    with pytest.raises(DataError, match="used twice"):
        load_situations(get_catalog(), yaml.safe_dump(data, allow_unicode=True), "x.yaml")


def contact(situation, availability, position=10, name="x"):
    return SimpleNamespace(situation=situation, availability=availability, position=position, name=name)


def test_card_sections_put_general_contacts_under_every_situation_and_any_time_in_both_columns():
    contacts = [contact("phishing", "business_hours", 20, "IT"), contact(GENERAL, "always", 5, "総務"),
                contact("phishing", "out_of_hours", 1, "当番")]
    sections = {s.situation.id: s for s in card_sections(situations(), contacts)}
    assert [c.name for c in sections["phishing"].business_hours] == ["総務", "IT"]
    assert [c.name for c in sections["phishing"].out_of_hours] == ["当番", "総務"]
    assert [c.name for c in sections["malware"].business_hours] == ["総務"]
    assert list(sections) == situations().ids


def test_a_situation_without_contacts_says_so():
    sections = card_sections(situations(), [])
    assert not any(s.has_contacts for s in sections)


def test_the_same_people_in_and_out_of_hours_make_one_any_time_line():
    from tebiki.core.incidents import general_section

    assert general_section([contact(GENERAL, "always", name="総務")]).same_any_time
    assert not general_section([contact(GENERAL, "always"), contact(GENERAL, "out_of_hours")]).same_any_time
    assert not general_section([]).same_any_time
