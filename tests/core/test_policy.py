"""The policy generator's core: which items go in, parameter values and their validation, numbering, 附則."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tebiki.catalog import CatalogError, get_catalog
from tebiki.core.assessment import new_assessment, record
from tebiki.core.errors import DataError
from tebiki.core.policy import (
    ParamSpec,
    PolicyChoices,
    candidates,
    check_template,
    parameters,
    parse_choices,
    template,
    validate_parameters,
)
from tebiki.core.profile import parse_profile
from tebiki.core.rulebook import build_document, japanese_date, kanji_number
from tebiki.core.self_evaluation import self_evaluation
from tebiki.documents.files import load_profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


@pytest.fixture
def manufacturer():
    return new_assessment(load_profile(EXAMPLES / "manufacturer.yaml"))


@pytest.fixture
def accounting():
    return new_assessment(load_profile(EXAMPLES / "accounting-office.yaml"))


def sources(doc) -> set[str]:
    return {p.source for a in doc.articles for p in a.paragraphs if p.source}


def test_the_template_fits_the_catalog(catalog):
    tpl = template(catalog)
    assert tpl.title == "在宅勤務・テレワーク セキュリティ規程"
    assert all(info.default is not None for info in parameters(catalog).values())


def test_every_applicable_shall_policy_is_in_and_unchosen_should_items_are_out(catalog, manufacturer):
    doc = build_document(catalog, manufacturer, PolicyChoices(), TODAY)
    cands = candidates(catalog, manufacturer, PolicyChoices())
    shall = {c.id for c in cands if c.level == "shall" and c.applies}
    should = {c.id for c in cands if c.level in ("should", "may")}
    assert shall and shall <= sources(doc)
    assert not should & sources(doc)
    assert "csaj-2018:6.1.2-1" in shall  # the manufacturer runs Active Directory


def test_policies_that_do_not_apply_are_left_out(catalog, accounting):
    doc = build_document(catalog, accounting, PolicyChoices(), TODAY)
    assert "csaj-2018:6.1.2-1" not in sources(doc)  # no Active Directory
    assert "csaj-2018:7.1.1-1" not in sources(doc)  # no VPN
    assert "csaj-2018:5.2.2-1" in sources(doc)  # home Wi-Fi


def test_a_chosen_should_item_is_included_and_a_shall_item_cannot_be_dropped(catalog, manufacturer):
    choices = parse_choices(catalog, {"include": {"csaj-2018:5.1.5-2": True}})
    assert "csaj-2018:5.1.5-2" in sources(build_document(catalog, manufacturer, choices, TODAY))
    with pytest.raises(DataError, match=r"include\.csaj-2018:5\.1\.5-1: a shall policy is always included"):
        parse_choices(catalog, {"include": {"csaj-2018:5.1.5-1": False}})


def test_a_should_item_already_done_is_in_until_it_is_deselected(catalog, manufacturer):
    done = record(manufacturer, "csaj-2018:5.1.9-2", "organisation", "me", NOW, status="done", decision="done")
    assert "csaj-2018:5.1.9-2" in sources(build_document(catalog, done, PolicyChoices(), TODAY))
    off = parse_choices(catalog, {"include": {"csaj-2018:5.1.9-2": False}})
    assert "csaj-2018:5.1.9-2" not in sources(build_document(catalog, done, off, TODAY))


def test_a_rule_article_can_be_left_out(catalog, manufacturer):
    choices = parse_choices(catalog, {"include": {"csaj-2018:rule-9.3.4-1": False}})
    titles = [a.title for a in build_document(catalog, manufacturer, choices, TODAY).articles]
    assert "データの暗号化" in titles and "USB メモリの使用禁止と使用条件" not in titles


def test_parameters_are_substituted_and_marked_as_changed(catalog, manufacturer):
    choices = parse_choices(catalog, {"parameters": {"min_password_length": "14", "lockout_threshold": 5,
                                                     "min_full_scans_per_month": 4, "aes_key_length_bits": "256",
                                                     "min_log_retention_years": 3, "secure_transport": "TLS 1.3"}})
    doc = build_document(catalog, manufacturer, choices, TODAY)
    text = doc.text()
    assert "パスワードは14文字以上" in text and "ログオンに5回失敗" in text
    assert "月4回以上" in text and "3年以上保存" in text and "TLS 1.3以上" in text
    assert "パスワードは12文字以上とし、複雑さ" not in text
    rows = {r.name: r for r in doc.parameters}
    assert rows["min_password_length"].value == "14文字" and rows["min_password_length"].default == "12文字"
    assert rows["min_password_length"].changed and not rows["lockout_duration"].changed
    assert rows["min_log_retention_years"].articles == ("第32条", "第33条")


def test_csaj_values_are_the_defaults(catalog, manufacturer):
    text = build_document(catalog, manufacturer, PolicyChoices(), TODAY).text()
    assert "パスワードは12文字以上" in text and "ログオンに10回失敗" in text and "ロックアウトの期間は30分" in text
    assert "鍵長256ビット" in text and "20文字以上" in text


@pytest.mark.parametrize(("name", "value", "message"), [
    ("min_password_length", 4, "must be between 8 and 128, got 4"),
    ("min_password_length", "twelve", "expected a whole number"),
    ("min_password_length", True, "expected a whole number"),
    ("aes_key_length_bits", 512, "must be one of 128, 192, 256"),
    ("rdp_default_port", 3390, "fixed by the CSAJ policy"),
    ("no_such_thing", 1, "unknown parameter"),
])
def test_a_bad_parameter_is_refused_with_its_name(catalog, name, value, message):
    with pytest.raises(DataError, match=rf"parameters\.{name}: .*{message}"):
        parse_choices(catalog, {"parameters": {name: value}})


def test_an_upper_bound_below_its_lower_bound_is_refused(catalog):
    _, problems = validate_parameters(catalog, {"log_archive_min_mb": 200, "log_archive_max_mb": 150})
    assert [(p.name, p.reason) for p in problems] == [("log_archive_max_mb", "must not be less than log_archive_min_mb (200)")]
    _, problems = validate_parameters(catalog, {"full_scan_interval_min": 3})  # the default upper bound is 2
    assert [p.name for p in problems] == ["full_scan_interval_min"]


def test_articles_are_numbered_in_order_with_the_frame_around_them(catalog, manufacturer):
    doc = build_document(catalog, manufacturer, PolicyChoices(), TODAY)
    arts = doc.articles
    assert [a.number for a in arts] == list(range(1, len(arts) + 1))
    assert [a.title for a in arts[:3]] == ["目的", "適用範囲", "定義"]
    assert "山田精機株式会社" in arts[0].paragraphs[0].text
    assert [c.label for c in doc.chapters][:2] == ["第1章", "第2章"] and doc.chapters[0].title == "総則"
    assert doc.chapters[-1].title == "雑則"
    assert doc.supplementary[0].text == "この規程は、令和8年12月1日から施行する。"


def test_a_planned_item_appears_in_the_transitional_provision_with_its_deadline(catalog, manufacturer):
    planned = record(manufacturer, "csaj-2018:6.1.2-1", "organisation", "me", NOW, status="not_done",
                     decision="will_do", deadline=dt.date(2027, 3, 31), owner="情報システム課")
    doc = build_document(catalog, planned, parse_choices(catalog, {"effective_date": "2027-01-01"}), TODAY)
    assert doc.supplementary[0].text == "この規程は、令和9年1月1日から施行する。"
    article = next(a for a in doc.articles if a.title == "ドメインアカウントポリシー")
    assert doc.supplementary[1].items == (f"{article.label}（ドメインアカウントポリシー）　令和9年3月31日まで",)


def test_paragraphs_cite_their_article_and_paragraph(catalog, manufacturer):
    doc = build_document(catalog, manufacturer, PolicyChoices(), TODAY)
    mapping = {r.item: r.article for r in doc.mapping}
    first, second = mapping["5.1.1-1"], mapping["5.1.1-2"]
    assert first.endswith("第1項") and second.endswith("第2項") and first[:-3] == second[:-3]


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2026, 12, 1), "令和8年12月1日"), (dt.date(2019, 5, 1), "令和元年5月1日"),
    (dt.date(2019, 4, 30), "2019年4月30日")])
def test_dates_are_written_in_the_japanese_era(day, text):
    assert japanese_date(day) == text


def test_kanji_numbers_for_items():
    assert [kanji_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


def test_the_self_evaluation_takes_decisions_and_impacts_from_the_company(catalog, manufacturer):
    a = record(manufacturer, "csaj-2018:6.1.1-1", "organisation", "me", NOW, status="not_done", decision="will_do",
               deadline=dt.date(2027, 3, 31), owner="開発部")
    a = record(a, "csaj-2018:5.1.1-1", "organisation", "me", NOW, status="done", decision="done")
    a = record(a, "csaj-2018:6.1.4-1", "organisation", "me", NOW, status="not_done", decision="not_needed",
               reason="特権グループは2名のみ")
    choices = parse_choices(catalog, {
        "impacts": {"csaj-2018:6.1.1-1": {"confidentiality": "serious", "availability": "severe",
                                          "current_state": "SMB1.0 のみ対応の NAS が残っている"}},
        "assets": {"top_secret": {"assets": ["顧客DBの認証情報"], "encrypt": True}}})
    sheet = self_evaluation(catalog, a, choices, TODAY)
    rows = {r.item: r for r in sheet.rows}
    assert len(sheet.rows) == len(catalog.policies)
    assert rows["6.1.1-1"].decision == "する（令和9年3月31日まで）" and rows["6.1.1-1"].owner == "開発部"
    assert rows["6.1.1-1"].impacts == ("重大", "", "極めて重大", "")
    assert rows["6.1.1-1"].current_state == "SMB1.0 のみ対応の NAS が残っている"
    assert rows["5.1.1-1"].decision == "実施済み" and rows["6.1.4-1"].decision == "不要"
    assert rows["6.1.4-1"].current_state == "未実施：特権グループは2名のみ"
    assert sheet.assets[0].assets == "顧客DBの認証情報" and sheet.assets[0].encrypt == "要"


def test_the_self_evaluation_marks_policies_that_do_not_apply(catalog, accounting):
    rows = {r.item: r for r in self_evaluation(catalog, accounting, PolicyChoices(), TODAY).rows}
    assert rows["6.1.2-1"].applies == "対象外" and rows["6.1.2-1"].current_state.startswith("対象外（")
    assert rows["6.1.2-1"].decision == ""


def test_the_self_evaluation_detail_shows_the_companys_values(catalog, manufacturer):
    choices = parse_choices(catalog, {"parameters": {"min_password_length": 16}})
    rows = {r.item: r for r in self_evaluation(catalog, manufacturer, choices, TODAY).rows}
    assert "16文字以上" in rows["6.1.2-1"].detail


@pytest.mark.parametrize(("data", "field"), [
    ({"impacts": {"csaj-2018:6.1.1-1": {"confidentiality": "huge"}}}, "impacts.csaj-2018:6.1.1-1.confidentiality"),
    ({"impacts": {"csaj-2018:nope": {}}}, "impacts.csaj-2018:nope"),
    ({"assets": {"secret-ish": {}}}, "assets.secret-ish"),
    ({"colour": "blue"}, "colour"),
    ({"effective_date": "soon"}, "effective_date"),
])
def test_malformed_choices_name_the_field(catalog, data, field):
    with pytest.raises(DataError) as err:
        parse_choices(catalog, data)
    assert err.value.field == field


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: {"policy_clauses": {**t.policy_clauses, "csaj-2018:6.1.2-1": "パスワードは{min_pasword_length}文字"}},
     "placeholder 'min_pasword_length' is not a parameter of csaj-2018:6.1.2-1"),
    (lambda t: {"policy_clauses": {**t.policy_clauses, "csaj-2018:6.1.2-1": "パスワードは{min_password_length}文字"}},
     "the clause does not show parameter 'lockout_duration'"),
    (lambda t: {"policy_clauses": {k: v for k, v in t.policy_clauses.items() if k != "csaj-2018:8.1.1-1"}},
     "csaj-2018:8.1.1-1: has parameters a company may change but no clause wording"),
    (lambda t: {"parameters": {**t.parameters, "colour": ParamSpec(type="int", min=1, max=2)}},
     "parameters.colour: no CSAJ policy or rule has this parameter"),
    (lambda t: {"parameters": {**t.parameters, "min_password_length": ParamSpec(type="int", min=14, max=20)}},
     "parameters.min_password_length: the CSAJ value does not fit"),
    (lambda t: {"rule_conditions": {"csaj-2018:rule-9.9-9": {"terminal": "company"}}}, "unknown rule article"),
    (lambda t: {"rule_conditions": {"csaj-2018:rule-9.1-1": {"terminal": "laptop"}}}, "'laptop' is not one of"),
])
def test_a_template_that_disagrees_with_the_catalog_is_refused(catalog, change, message):
    tpl = template(catalog)
    with pytest.raises(CatalogError, match=re.escape(message)):
        check_template(catalog, tpl.model_copy(update=change(tpl)))


def test_control_characters_are_refused_in_text_the_company_types(catalog):
    with pytest.raises(DataError, match="control characters"):
        parse_choices(catalog, {"impacts": {"csaj-2018:6.1.1-1": {"current_state": "a\x0bb"}}})


def test_a_shall_policy_recorded_as_not_applicable_is_left_out_with_the_reason(catalog, manufacturer):
    a = record(manufacturer, "csaj-2018:5.1.4-1", "organisation", "me", NOW, status="na",
               reason="貸与PCはすべてVDI端末でディスクを持たない")
    assert "csaj-2018:5.1.4-1" not in sources(build_document(catalog, a, PolicyChoices(), TODAY))
    row = next(r for r in self_evaluation(catalog, a, PolicyChoices(), TODAY).rows if r.item == "5.1.4-1")
    assert row.applies == "対象外" and row.current_state == "対象外（貸与PCはすべてVDI端末でディスクを持たない）"


def test_lent_device_rules_need_company_terminals(catalog):
    byod_only = new_assessment(parse_profile({"name": "私物だけ商店", "size": 3, "departments": [
        {"id": "all", "name": "全員", "people": 3, "methods": ["cloud_service"], "work_forms": ["home"],
         "terminals": ["byod"], "devices": ["pc"]}]}))
    rules = {c.id: c for c in candidates(catalog, byod_only, PolicyChoices()) if c.kind == "rule"}
    assert not rules["csaj-2018:rule-9.3.4-1"].applies and rules["csaj-2018:rule-9.1-1"].included
    assert rules["csaj-2018:rule-9.3.4-1"].reason["ja"].startswith("対象外")
