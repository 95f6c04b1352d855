"""Applicability: which measures apply to a profile, per scope, and the reasons given."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tebiki.catalog import get_catalog
from tebiki.catalog.schema import METHODS
from tebiki.core.applicability import Evaluator, applicability
from tebiki.core.conditions import evaluate
from tebiki.core.profile import Profile, parse_profile
from tebiki.documents.files import load_profile

catalog = get_catalog()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def profile(**overrides) -> Profile:
    data = {
        "name": "テスト商事", "size": 20,
        "departments": [{"id": "sales", "name": "営業部", "people": 10, "methods": ["cloud_service"],
                         "work_forms": ["home"], "terminals": ["company"], "devices": ["pc"]}],
        "cloud": ["mail"],
    }
    data.update(overrides)
    return parse_profile(data)


def results(p: Profile) -> dict[tuple[str, str], object]:
    return {(r.item, r.scope): r for r in applicability(catalog, p)}


def test_vpn_appliance_patching_applies_only_where_a_department_reaches_the_office():
    cloud_only = results(profile())
    assert cloud_only[("mic-v5:admin:C-2", "sales")].applies is False
    vpn = profile(departments=[{"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"],
                                "terminals": ["byod"], "devices": ["pc"]}])
    res = results(vpn)[("mic-v5:admin:C-2", "sales")]
    assert res.applies is True
    assert "営業部" in res.reason["ja"] and "VPN" in res.reason["ja"]
    assert res.reason["en"].startswith("applies: 営業部")


def test_not_applicable_items_stay_visible_with_a_reason():
    for res in applicability(catalog, profile()):
        if not res.applies:
            assert res.reason["ja"].startswith("対象外") and res.reason["en"].startswith("not applicable")


def test_organisation_items_are_decided_once_and_department_items_per_department():
    two = profile(departments=[
        {"id": "a", "name": "A部", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company"], "devices": ["pc"]},
        {"id": "b", "name": "B部", "methods": ["cloud_service"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"]},
    ])
    res = applicability(catalog, two)
    scopes = {}
    for r in res:
        scopes.setdefault(r.item, set()).add(r.scope)
    assert scopes["mic-v5:executive:A-1"] == {"organisation"}
    c2 = {r.scope: r.applies for r in res if r.item == "mic-v5:admin:C-2"}
    assert c2 == {"a": True, "b": False}


def test_each_csaj_policy_is_decided_once_for_the_organisation_by_its_own_condition():
    res = [r for r in applicability(catalog, profile()) if r.item.startswith("csaj-2018:")]
    assert [(r.item, r.scope) for r in res] == [(p.id, "organisation") for p in catalog.policies]
    evaluator = Evaluator(catalog, profile())
    assert [r.applies for r in res] == [bool(evaluate(p.applies_when, evaluator.org_facts)) for p in catalog.policies]
    assert not all(r.applies for r in res)  # some policy's condition does not hold for this profile


def test_a_derived_fact_names_only_the_methods_of_the_department_it_is_decided_for():
    two = profile(departments=[
        {"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"]},
        {"id": "design", "name": "設計部", "methods": ["remote_desktop", "cloud_service"], "work_forms": ["home"],
         "terminals": ["company"], "devices": ["pc"]}])
    res = results(two)
    c2 = res[("mic-v5:admin:C-2", "sales")]  # office connection, through VPN in sales only
    assert "VPN" in c2.reason["ja"] and "リモートデスクトップ" not in c2.reason["ja"]
    e7 = res[("mic-v5:admin:E-7", "design")]  # data on the terminal: cloud services, not remote desktop
    assert "クラウドサービス方式" in e7.reason["ja"] and "リモートデスクトップ" not in e7.reason["ja"]
    assert [v["ja"] for part in e7.why.parts for v in part.via] == ["クラウドサービス方式"]


def test_every_fact_a_condition_may_test_is_provided_with_the_schemas_values():
    from tebiki.catalog.schema import FACTS
    from tebiki.core.applicability import department_facts

    p = profile(departments=[{"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"],
                              "equipment": [{"kind": "pc", "owner": "company"}, {"kind": "mobile", "owner": "private"}]}])
    facts = department_facts(catalog, p, p.departments[0])
    assert set(FACTS) <= set(facts)
    for key, allowed in FACTS.items():
        assert facts[key] <= set(allowed), key
    assert facts["equipment"] == {"company_pc", "private_mobile"}


def test_a_department_result_names_the_facts_that_decided_it_in_that_department():
    two = profile(departments=[
        {"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"]},
        {"id": "design", "name": "設計部", "methods": ["remote_desktop"], "work_forms": ["home"],
         "terminals": ["company"], "devices": ["pc"]}])
    res = results(two)
    # E-8: data on the terminal and a company terminal; in design only the first is missing (sales has it)
    e8 = res[("mic-v5:admin:E-8", "design")]
    assert not e8.applies and [(p.fact, p.value) for p in e8.why.parts] == [("data_on_terminal", True)]
    assert [(p.fact, p.value) for p in res[("mic-v5:admin:E-8", "sales")].why.parts] == [
        ("data_on_terminal", True), ("terminal", "company")]


def test_local_breakout_concerns_the_departments_that_go_online():
    def i5(local_breakout):
        p = profile(local_breakout=local_breakout, departments=[
            {"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company"],
             "devices": ["pc"]},
            {"id": "field", "name": "現場", "methods": ["standalone"], "work_forms": ["mobile"], "terminals": ["company"],
             "devices": ["pc"]}])
        return {scope: r.applies for (item, scope), r in results(p).items() if item == "mic-v5:admin:I-5"}
    assert i5(True) == {"sales": True, "field": False}  # the standalone department is offline
    assert i5(False) == {"sales": False, "field": False}


def test_the_organisation_facts_reach_only_the_departments_they_concern():
    from tebiki.core.applicability import department_facts

    p = profile(admin="outsourced", remote_access=["vpn_appliance"], departments=[
        {"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"]},
        {"id": "office", "name": "総務部", "methods": ["cloud_service"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"]}])
    sales, office = (department_facts(catalog, p, d) for d in p.departments)
    assert (sales["remote_access"], office["remote_access"]) == ({"vpn_appliance"}, set())
    assert sales["inhouse_admin"] == office["inhouse_admin"] == {False}
    assert department_facts(catalog, profile(), profile().departments[0])["inhouse_admin"] == {True}


def test_a_measure_for_everyone_says_so_in_its_scope():
    from tebiki.core.reasons import Reason

    res = results(profile())
    assert res[("mic-v5:executive:A-1", "organisation")].why == Reason(applies=True, everyone=True, scope=None)
    department_measure = next(m.id for m in catalog.measures if m.scope == "department" and m.applies_when is None)
    assert res[(department_measure, "sales")].why == Reason(applies=True, everyone=True, scope="営業部")


def test_a_policy_on_a_method_names_the_methods_title():
    vpn = profile(departments=[{"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"],
                                "terminals": ["company"], "devices": ["pc"]}])
    res = results(vpn)[("csaj-2018:7.1.1-1", "organisation")]
    (part,) = res.why.parts
    assert (part.fact, part.value, part.label) == ("method", "vpn", catalog.method("vpn").title.model_dump())
    assert "VPN方式を使う" in res.reason["ja"]


def test_a_result_concerns_the_departments_its_facts_hold_for_and_no_others():
    p = profile(departments=[
        {"id": "sales", "name": "営業部", "methods": ["vpn"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"], "cloud": ["chat"]},
        {"id": "office", "name": "総務部", "methods": ["cloud_service"], "work_forms": ["home"], "terminals": ["company"],
         "devices": ["pc"], "cloud": ["meeting"]}])
    res = results(p)
    g2 = res[("mic-v5:admin:G-2", "organisation")]  # chat or meeting: each holds in one department
    assert g2.departments == ("sales", "office")
    assert [p.departments for p in g2.why.parts] == [("営業部",), ("総務部",)]
    c2 = res[("mic-v5:admin:C-2", "office")]  # no office connection in 総務部
    assert not c2.applies and c2.departments == ()
    sales = res[("mic-v5:admin:C-2", "sales")]  # a department's own result names no departments in its parts
    assert sales.applies and sales.departments == ("sales",) and [p.departments for p in sales.why.parts] == [()]


def test_the_example_profiles_load_and_yield_plausible_counts():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        p = load_profile(path)
        res = applicability(catalog, p)
        applying = {r.item for r in res if r.applies}
        assert "mic-v5:executive:A-1" in applying
        assert len(applying) >= 60, path.name


department = st.fixed_dictionaries({
    "methods": st.lists(st.sampled_from(METHODS), min_size=1, max_size=3, unique=True),
    "work_forms": st.lists(st.sampled_from(["home", "satellite", "mobile"]), min_size=1, unique=True),
    "terminals": st.lists(st.sampled_from(["company", "byod"]), min_size=1, unique=True),
    "devices": st.lists(st.sampled_from(["pc", "mobile"]), min_size=1, unique=True),
})


def _profile_from(dept: dict, **org) -> Profile:
    return parse_profile({"name": "X", "size": 5, "departments": [{"id": "d", "name": "D", **dept}], **org})


def _applying(p: Profile) -> set[tuple[str, str]]:
    return {(r.item, r.scope) for r in Evaluator(catalog, p).all() if r.applies}


@settings(max_examples=60, deadline=None)
@given(department, st.sampled_from(METHODS))
def test_adding_a_method_never_removes_an_applicable_item(dept, extra):
    before = _applying(_profile_from(dept))
    more = dict(dept, methods=sorted(set(dept["methods"]) | {extra}))
    after = _applying(_profile_from(more))
    assert before <= after


@settings(max_examples=60, deadline=None)
@given(department)
def test_allowing_byod_never_removes_an_applicable_item(dept):
    before = _applying(_profile_from(dept))
    after = _applying(_profile_from(dict(dept, terminals=sorted(set(dept["terminals"]) | {"byod"}))))
    assert before <= after


@settings(max_examples=40, deadline=None)
@given(department)
def test_every_result_has_a_reason_in_both_languages(dept):
    for r in Evaluator(catalog, _profile_from(dept, cloud=["meeting"])).all():
        assert r.reason["ja"] and r.reason["en"]


def test_catalog_conditions_use_no_negation_so_more_facts_only_add_items():
    # the monotonicity above relies on this: a `not` would let a new fact remove an item
    def has_not(cond):
        if cond is None:
            return False
        (key, value), = cond.items()
        if key == "not":
            return True
        return key in ("all", "any") and any(has_not(c) for c in value)

    entries = [*catalog.measures, *catalog.policies]
    assert not any(has_not(e.applies_when) for e in entries)


def test_unknown_facts_make_a_condition_undecided():
    assert evaluate({"method": "vpn"}, {}) is None
    assert evaluate({"any": [{"method": "vpn"}, {"cloud": "any"}]}, {"cloud": {"mail"}}) is True
    assert evaluate({"all": [{"method": "vpn"}, {"cloud": "any"}]}, {"cloud": set()}) is False
