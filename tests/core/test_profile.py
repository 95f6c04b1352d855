"""Profiles: bad files get an error naming file, line and field, and nothing is written."""

import pytest

from tebiki.core.errors import DataError
from tebiki.documents.files import load_profile

GOOD = """\
name: テスト商事
size: 10
departments:
  - id: sales
    name: 営業部
    people: 5
    methods: [vpn]
    work_forms: [home]
    terminals: [company]
    devices: [pc]
"""


def write(tmp_path, text):
    path = tmp_path / "profile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_profile_loads(tmp_path):
    p = load_profile(write(tmp_path, GOOD))
    assert p.methods == ["vpn"] and p.admin == "inhouse"


def test_an_unknown_method_names_file_line_and_field(tmp_path):
    path = write(tmp_path, GOOD.replace("[vpn]", "[vpm]"))
    with pytest.raises(DataError) as err:
        load_profile(path)
    msg = str(err.value)
    assert f"{path}:7:" in msg and "departments.0.methods.0" in msg and "vpm" in msg


def test_a_misspelt_field_is_named(tmp_path):
    with pytest.raises(DataError, match=r"departments.0.terminal: unknown field"):
        load_profile(write(tmp_path, GOOD.replace("terminals:", "terminal:")))


def test_more_people_than_the_size_is_rejected(tmp_path):
    with pytest.raises(DataError, match="size: 3 is less than the 5 people"):
        load_profile(write(tmp_path, GOOD.replace("size: 10", "size: 3")))


def test_duplicate_department_ids_are_rejected(tmp_path):
    twice = GOOD + GOOD.split("departments:\n")[1]
    with pytest.raises(DataError, match="id 'sales' is used twice"):
        load_profile(write(tmp_path, twice.replace("size: 10", "size: 100")))


def test_broken_yaml_and_missing_files_are_clear(tmp_path):
    with pytest.raises(DataError, match=r"profile.yaml:\d+: not valid YAML"):
        load_profile(write(tmp_path, "name: [unclosed\n"))
    with pytest.raises(DataError, match="no such file"):
        load_profile(tmp_path / "nope.yaml")
    with pytest.raises(DataError, match="departments: required field is missing"):
        load_profile(write(tmp_path, "name: a\nsize: 1\n"))


def _two(**dept_extra):
    from tebiki.core.profile import parse_profile

    return parse_profile({"name": "テスト商事", "size": 10, "cloud": [], "wifi": ["home"], "departments": [
        {"id": "sales", "name": "営業部", "people": 5, "methods": ["vpn"], "work_forms": ["home"],
         "equipment": [{"kind": "pc", "owner": "company"}]},
        {"id": "office", "name": "総務部", "people": 5, "methods": ["cloud_service"], "work_forms": ["home"],
         "equipment": [{"kind": "pc", "owner": "company"}], **dept_extra}]})


def test_a_cloud_department_with_no_service_listed_uses_some_saas_and_a_listed_one_is_kept():
    p = _two()
    assert p.department("office").name == "総務部"
    assert (p.cloud_of(p.department("sales")), p.cloud_of(p.department("office"))) == ([], ["saas"])
    listed = _two(cloud=["mail"])
    assert listed.cloud_of(listed.department("office")) == ["mail"]


def test_a_departments_own_wifi_replaces_the_organisations():
    p = _two(wifi=[])
    assert (p.wifi_of(p.department("sales")), p.wifi_of(p.department("office"))) == (["home"], [])


def test_a_profile_error_names_the_profile_and_a_repeated_value():
    from tebiki.core.profile import parse_profile

    with pytest.raises(DataError, match=r"^<profile>: .*terminals: a value is listed twice"):
        parse_profile({"name": "a", "size": 3, "departments": [
            {"id": "x", "name": "X", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["byod", "byod"],
             "devices": ["pc"]}]})
