"""The catalog against the guideline's facts: counts, levels, trouble-case measures, ratings, CSAJ levels.

The expected values below were read off the source documents by hand; test_seed_crosscheck.py
re-derives the same facts from the seed text itself when ../shared/seeds is present.
"""

from collections import Counter

import pytest

from tebiki.catalog import get_catalog


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


# role -> category -> number of measures (chapter 4, pp. 56-65)
MEASURES_PER_CATEGORY = {
    "executive": {"A": 2, "E": 1, "J": 1, "M": 1},
    "admin": {"A": 4, "B": 5, "C": 4, "D": 4, "E": 10, "F": 4, "G": 4, "H": 7, "I": 7, "J": 10, "L": 2, "M": 3},
    "worker": {"A": 3, "B": 3, "C": 3, "E": 3, "F": 2, "G": 3, "H": 3, "I": 4, "J": 2, "K": 2, "M": 1},
}

ADVANCED = {
    "admin:A-2", "admin:A-4", "admin:B-2", "admin:B-4", "admin:D-2", "admin:E-2", "admin:E-8", "admin:F-3",
    "admin:F-4", "admin:G-2", "admin:G-4", "admin:I-4", "admin:I-5", "admin:I-6", "admin:J-4", "admin:J-8",
    "admin:J-9", "admin:J-10", "admin:L-2", "worker:A-3",
}

CASE_MEASURES = {
    1: "admin:C-2 admin:C-3",
    2: "executive:E-1 admin:E-1 admin:E-2 admin:E-3 worker:E-1",
    3: "admin:I-3 admin:I-4 worker:I-3",
    4: "admin:F-1 admin:F-2 admin:F-3 admin:F-4 worker:F-1 worker:F-2 worker:J-2",
    5: "admin:C-1 admin:C-3 worker:C-1 worker:C-3 admin:E-5 admin:F-1 admin:F-2 admin:F-3 admin:F-4 worker:F-1 "
       "worker:F-2 worker:J-2",
    6: "admin:F-2 worker:F-1 admin:M-1 admin:M-2 admin:M-3 worker:M-1",
    7: "admin:F-2 worker:F-1 admin:M-1 admin:M-2 admin:M-3 worker:M-1",
    8: "admin:E-4 admin:E-7 admin:E-8 admin:E-9 admin:E-10 worker:E-2 worker:E-3 admin:H-6",
    9: "admin:G-1 admin:G-2 admin:G-3 worker:G-1 worker:G-2 worker:G-3",
    10: "worker:K-1 worker:K-2 admin:E-1 worker:E-1 admin:I-7 worker:I-4",
    11: "admin:I-1 admin:I-2 admin:I-5 admin:I-6 worker:I-1",
    12: "admin:H-1 admin:H-2 admin:H-6 worker:H-3",
    13: "admin:A-3 admin:A-4 admin:I-2",
    14: "admin:A-3 admin:A-4 admin:E-5",
    15: "admin:M-1 worker:M-1",
}

CASE_PAGES = {1: 92, 2: 93, 3: 94, 4: 95, 5: 96, 6: 98, 7: 99, 8: 100, 9: 101, 10: 102, 11: 103, 12: 104,
              13: 105, 14: 106, 15: 107}

# office_reproducibility, congestion_impact, introduction_cost, introduction_workload, security_control_ease (p.27)
RATINGS = {
    "vpn": "SABBC",
    "remote_desktop": "SCBBA",
    "vdi": "SCCCS",
    "secure_container": "BABBA",
    "secure_browser": "CBBBA",
    "cloud_service": "BSAAD",
    "standalone": "DSSSC",
}
AXES = ("office_reproducibility", "congestion_impact", "introduction_cost", "introduction_workload",
        "security_control_ease")

# CSAJ 2018 section -> levels of its statements, in order (sections 5.1.1 … 8.3.1)
CSAJ_LEVELS = {
    "5.1.1": "shall shall", "5.1.2": "shall shall may", "5.1.3": "shall may", "5.1.4": "shall",
    "5.1.5": "shall should", "5.1.6": "shall should", "5.1.7": "shall", "5.1.8": "shall",
    "5.1.9": "shall should", "5.2.1": "shall", "5.2.2": "shall", "5.2.3": "shall shall",
    "5.2.4": "shall should should", "6.1.1": "shall shall should", "6.1.2": "shall should",
    "6.1.3": "shall should", "6.1.4": "should should", "6.2.1": "shall shall", "6.3.1": "should",
    "6.3.2": "shall", "6.3.3": "shall", "7.1.1": "shall", "7.1.2": "shall", "7.1.3": "shall", "7.1.4": "shall",
    "7.1.5": "shall", "7.1.6": "shall", "7.2.1": "should", "7.2.2": "shall", "8.1.1": "shall", "8.2.1": "shall",
    "8.2.2": "shall", "8.3.1": "should",
}


def test_it_has_the_measures_of_every_role_and_category(catalog):
    actual = {}
    for m in catalog.measures:
        actual.setdefault(m.role, Counter())[m.category] += 1
    assert {r: dict(c) for r, c in actual.items()} == MEASURES_PER_CATEGORY
    assert len(catalog.measures) == 98


def test_numbers_run_without_gaps_within_each_category(catalog):
    by_key = {}
    for m in catalog.measures:
        by_key.setdefault((m.role, m.category), []).append(m.number)
    for key, numbers in by_key.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key


def test_it_marks_exactly_the_advanced_measures(catalog):
    advanced = {m.id.removeprefix("mic-v5:") for m in catalog.measures if m.level == "advanced"}
    assert advanced == ADVANCED
    assert Counter(m.level for m in catalog.measures) == {"basic": 78, "advanced": 20}


def test_measure_pages_follow_chapter_4(catalog):
    pages = {m.id.removeprefix("mic-v5:"): m.ref.page for m in catalog.measures}
    assert {pages[k] for k in pages if k.startswith("executive")} == {56}
    assert pages["admin:A-1"] == 57 and pages["admin:C-3"] == 58 and pages["admin:E-7"] == 59
    assert pages["admin:G-4"] == 60 and pages["admin:I-6"] == 61 and pages["admin:M-3"] == 62
    assert pages["worker:E-3"] == 63 and pages["worker:F-1"] == 64 and pages["worker:M-1"] == 65
    for m in catalog.measures:
        assert m.explanation.page == catalog.category(m.category).detail_page


def test_every_trouble_case_names_exactly_the_guidelines_measures(catalog):
    assert [c.number for c in catalog.trouble_cases] == list(range(1, 16))
    for case in catalog.trouble_cases:
        assert [m.removeprefix("mic-v5:") for m in case.measures] == CASE_MEASURES[case.number].split(), case.id
        assert case.ref.page == CASE_PAGES[case.number]


def test_every_method_has_the_guidelines_ratings(catalog):
    assert [m.id for m in catalog.methods] == list(RATINGS)
    for method in catalog.methods:
        assert "".join(method.ratings[a].grade for a in AXES) == RATINGS[method.id], method.id


def test_v4_correspondence_splits_the_laptop_method_in_two(catalog):
    v4 = {m.id: m.v4_name.ja for m in catalog.methods}
    assert v4["vpn"] == v4["standalone"] == "会社PCの持ち帰り方式"
    assert len(set(v4.values())) == 6


def test_categories_are_a_to_m_with_their_detail_pages(catalog):
    assert [c.id for c in catalog.categories] == list("ABCDEFGHIJKLM")
    assert catalog.category("A").title.ja == "ガバナンス・リスク管理"
    assert catalog.category("M").detail_page == 90


def test_roles_have_their_numbered_responsibilities(catalog):
    assert {r.id: len(r.responsibilities) for r in catalog.roles} == {"executive": 10, "admin": 6, "worker": 7}


def test_csaj_levels_per_section_match_the_source(catalog):
    actual = {}
    for p in catalog.policies:
        actual.setdefault(p.section, []).append(p.level)
    assert {k: " ".join(v) for k, v in actual.items()} == CSAJ_LEVELS
    assert Counter(p.level for p in catalog.policies) == {"shall": 34, "should": 13, "may": 2}


def test_csaj_parameters_carry_the_documents_values(catalog):
    params = {(p.id, x.name): x.value for p in catalog.policies for x in p.parameters}
    values = {name: value for (_, name), value in params.items()}
    assert values["min_password_length"] == 12
    assert values["lockout_threshold"] == 10
    assert values["lockout_duration"] == 30
    assert 445 in values["blocked_inbound_ports_tcp_udp"]
    # the source misprints RDP's port as 3869; the structured value must be the real default
    assert params[("csaj-2018:5.1.8-1", "rdp_default_port")] == 3389


def test_priority_rule_reproduces_the_checklists_two_named_levels(catalog):
    rule = catalog.priority_rule
    cell = {(c.importance, c.difficulty): c.priority for c in rule.matrix}
    top = {p.id for p in rule.priorities if p.rank == 1}
    second = {p.id for p in rule.priorities if p.rank == 2}
    assert {k for k, v in cell.items() if v in top} == {("high", "low")}
    assert {k for k, v in cell.items() if v in second} == {("high", "not_high"), ("medium", "low")}
    assert {p.id for p in rule.priorities if p.from_source} == top | second


def test_legacy_types_cover_both_terminals_and_four_connections(catalog):
    pairs = {(t.terminal, t.connection) for t in catalog.legacy_types}
    assert len(pairs) == 8 == len(catalog.legacy_types)


def test_ssk_has_six_risk_types_each_mapped_to_measures(catalog):
    assert [r.number for r in catalog.risk_types] == [1, 2, 3, 4, 5, 6]
    assert all(r.measures for r in catalog.risk_types)
    sides = Counter(c.side for c in catalog.risk_countermeasures)
    assert sides["admin"] >= 10 and sides["user"] >= 10


def test_ids_are_unique_and_stable_in_form(catalog):
    ids = [e.id for e in (*catalog.measures, *catalog.trouble_cases, *catalog.policies, *catalog.risk_types)]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(("mic-v5:", "csaj-2018:", "ssk-2020:")) for i in ids)


def _texts(obj):
    if isinstance(obj, dict):
        if set(obj) == {"ja", "en"}:
            yield obj
        for v in obj.values():
            yield from _texts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _texts(v)


def test_every_text_has_japanese_and_english(catalog):
    texts = list(_texts(catalog.to_export()))
    assert len(texts) > 1000
    for t in texts:
        assert t["ja"].strip() and t["en"].strip(), t
        assert "TODO" not in t["ja"] + t["en"]
    japanese = sum(any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in t["ja"]) for t in texts)
    assert japanese / len(texts) > 0.95
