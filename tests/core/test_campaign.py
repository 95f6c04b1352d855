"""Campaign items from the applicability engine, and the pure aggregation of answers."""

from __future__ import annotations

import pytest
import yaml

from tebiki.catalog import CatalogError, get_catalog
from tebiki.core.campaign import ANSWERS, AnswerRef, WorkerRef, aggregate, campaign_items, items_for, worker_entries
from tebiki.core.profile import Profile
from tebiki.core.worker_guide import DATA, guide, minutes, missing, not_asked, parse_guide, question_for, questions

catalog = get_catalog()


def profile(**dept) -> Profile:
    base = {"id": "d1", "name": "本社", "people": 5, "methods": ["vpn"], "work_forms": ["home"],
            "terminals": ["company"], "devices": ["pc"]}
    return Profile.model_validate({"name": "テスト", "size": 50, "wifi": ["home"], "cloud": [],
                                   "departments": [{**base, **dept}, {**base, "id": "d2", "name": "営業",
                                                                       "devices": ["pc", "mobile"]}]})


def test_worker_entries_are_worker_measures_and_user_side_policies():
    entries = worker_entries(catalog)
    assert {e.id.split(":")[1] for e in entries if e.id.startswith("mic-v5")} == {"worker"}
    assert all(e.side in ("user", "both") for e in entries if e.id.startswith("csaj"))
    assert len(entries) == 29 + 17


def test_items_are_decided_per_department_by_the_applicability_engine():
    items = campaign_items(catalog, profile(), ["d1", "d2"], questions())
    assert items["mic-v5:worker:C-3"] == ["d2"]  # phones only in d2
    assert items["mic-v5:worker:A-1"] == ["d1", "d2"]  # applies to everyone
    assert "mic-v5:worker:A-2" not in items  # no cloud service in use
    assert "mic-v5:worker:C-3" not in items_for(items, "d1")


def test_only_the_chosen_departments_are_asked():
    items = campaign_items(catalog, profile(), ["d1"], questions())
    assert all(depts == ["d1"] for depts in items.values())
    assert "mic-v5:worker:C-3" not in items


def test_an_unknown_department_is_refused():
    with pytest.raises(ValueError, match="unknown department"):
        campaign_items(catalog, profile(), ["nope"], questions())


ITEMS = {"a": ["d1", "d2"], "b": ["d2"]}
WORKERS = [WorkerRef(1, "A", "d1"), WorkerRef(2, "B", "d2"), WorkerRef(3, "C", "d2")]


def test_aggregation_counts_per_item_and_department():
    res = aggregate(ITEMS, WORKERS, [AnswerRef(1, "a", "yes"), AnswerRef(2, "a", "no"), AnswerRef(2, "b", "unknown"),
                                     AnswerRef(3, "a", "yes")])
    a = res.items["a"]
    assert (a.asked, a.yes, a.no, a.unknown, a.answered) == (3, 2, 1, 0, 3)
    b = res.items["b"]
    assert (b.asked, b.answered, b.unknown) == (2, 1, 1) and b.share_answered == 0.5
    assert res.tally("a", "d2").yes == 1 and res.tally("b", "d1") is None
    assert res.departments["d2"].progress.asked == 4 and res.departments["d2"].progress.answered == 3
    assert res.departments["d1"].complete == 1 and res.departments["d2"].complete == 1


def test_who_has_not_answered_everything_is_listed():
    res = aggregate(ITEMS, WORKERS, [AnswerRef(1, "a", "yes"), AnswerRef(2, "a", "no")])
    assert [w.id for w in res.not_answered] == [2, 3]
    assert res.workers[2].answered == 1 and res.workers[2].asked == 2


def test_answers_to_items_not_asked_or_from_unknown_workers_are_ignored():
    res = aggregate(ITEMS, WORKERS, [AnswerRef(1, "b", "yes"), AnswerRef(99, "a", "yes"), AnswerRef(1, "a", "maybe")])
    assert "b" not in res.departments["d1"].items
    assert res.items["a"].answered == 0 and res.items["b"].answered == 0


def test_no_workers_gives_empty_results():
    res = aggregate(ITEMS, [], [])
    assert res.items == {} and res.not_answered == []


def test_every_worker_side_item_has_guidance_in_both_languages():
    g = guide()
    assert missing(catalog, g) == []
    for entry in g.values():
        assert entry.question["ja"] and entry.question["en"] and entry.meaning["ja"]
        assert all(text["ja"] and text["en"] for _, text in entry.platforms)


def test_every_item_of_a_campaign_over_every_department_shape_has_guidance():
    items = campaign_items(catalog, profile(devices=["pc", "mobile"], terminals=["company", "byod"]), ["d1", "d2"],
                           questions())
    assert set(items) <= set(guide())


def test_guidance_falls_back_to_the_catalog_texts():
    g = guide()["mic-v5:worker:A-1"]
    measure = catalog.by_id["mic-v5:worker:A-1"]
    assert g.meaning == measure.summary.model_dump()
    assert g.check == measure.explanation.how_to_check.model_dump()


STEPS = "steps:\n- {id: s, title: {ja: あ, en: a}}\n"


@pytest.mark.parametrize("text,field", [
    ("guide:\n- item: mic-v5:admin:A-1\n  step: s\n  question: {ja: あ, en: a}\n", "mic-v5:admin:A-1.item"),
    ("guide:\n- item: mic-v5:worker:A-1\n  step: s\n  question: {ja: あ}\n", "guide.mic-v5:worker:A-1.question.en"),
    ("guide:\n- item: mic-v5:worker:A-1\n  step: s\n  question: {ja: あ, en: a}\n  colour: red\n",
     "guide.mic-v5:worker:A-1.colour"),
    ("guide:\n- item: mic-v5:worker:A-1\n  step: s\n  question: {ja: あ, en: a}\n  platforms: {linux: {ja: あ, en: a}}\n",
     "guide.mic-v5:worker:A-1.platforms.linux"),
    ("guide:\n- item: mic-v5:worker:A-1\n  step: nope\n  question: {ja: あ, en: a}\n", "mic-v5:worker:A-1.step"),
    ("guide:\n- item: mic-v5:worker:A-1\n  also: [mic-v5:admin:A-1]\n  step: s\n  question: {ja: あ, en: a}\n",
     "mic-v5:worker:A-1.also"),
])
def test_a_bad_guide_is_refused_naming_the_field(text, field):
    with pytest.raises(CatalogError) as err:
        parse_guide(text + STEPS, catalog, origin="guide.yaml")
    assert str(err.value).startswith(f"guide.yaml: {field}: ")


def test_the_guide_file_is_plain_yaml_with_a_list():
    assert isinstance(yaml.safe_load(DATA.read_text(encoding="utf-8"))["guide"], list)


# ---------------------------------------------------------------- one question, several entries; no silent overlap

OVERLAP = """guide:
- item: mic-v5:worker:G-2
  also: [csaj-2018:5.2.2-1]
  step: s
  question: {ja: あ, en: a}
- item: mic-v5:worker:C-2
  also: [csaj-2018:5.2.2-1]
  step: s
  question: {ja: い, en: b}
""" + STEPS


def test_two_questions_evidencing_the_same_entry_are_refused_naming_both():
    with pytest.raises(CatalogError) as err:
        parse_guide(OVERLAP, catalog, origin="guide.yaml")
    assert str(err.value) == ("guide.yaml: mic-v5:worker:C-2.also: csaj-2018:5.2.2-1 is already evidenced by "
                              "mic-v5:worker:G-2; one entry, one question")
    twice = OVERLAP.replace("- item: mic-v5:worker:C-2\n  also: [csaj-2018:5.2.2-1]", "- item: mic-v5:worker:G-2")
    with pytest.raises(CatalogError, match="G-2.item: mic-v5:worker:G-2 is already evidenced by mic-v5:worker:G-2"):
        parse_guide(twice, catalog, origin="guide.yaml")  # the same question twice


def test_an_entry_both_asked_and_left_to_the_administrator_is_refused():
    text = OVERLAP.split("- item: mic-v5:worker:C-2")[0] + STEPS + (
        "not_asked:\n- item: csaj-2018:5.2.2-1\n  reason: {ja: あ, en: a}\n")
    with pytest.raises(CatalogError, match="csaj-2018:5.2.2-1.item: not_asked, but evidenced by mic-v5:worker:G-2"):
        parse_guide(text, catalog, origin="guide.yaml")


SHAPES = [profile(), profile(devices=["pc", "mobile"], terminals=["company", "byod"], work_forms=["home", "mobile"]),
          profile(terminals=["byod"], devices=["mobile"], methods=["cloud_service"])]


@pytest.mark.parametrize("shape", SHAPES)
def test_the_questions_shown_to_one_worker_never_evidence_the_same_entry(shape):
    g = guide()
    items = campaign_items(catalog, shape, ["d1", "d2"], questions())
    for dept in ("d1", "d2"):
        shown = items_for(items, dept)
        evidenced = [e for q in shown for e in g[q].evidences]
        assert len(evidenced) == len(set(evidenced)), dept
        assert len(shown) == len(set(shown))


def test_the_overlapping_topics_are_one_question_each():
    # Wi-Fi, passwords, updates and antivirus were asked twice or three times before (MIC and CSAJ overlap)
    for mic, csaj in [("G-2", "5.2.2-1"), ("H-2", "6.1.2-2"), ("C-1", "5.1.3-1"), ("F-2", "5.1.5-1")]:
        assert question_for(f"csaj-2018:{csaj}") == f"mic-v5:worker:{mic}"
        assert question_for(f"mic-v5:worker:{mic}") == f"mic-v5:worker:{mic}"


def test_a_question_is_asked_where_any_entry_it_evidences_applies():
    one = {"mic-v5:worker:C-3": ("mic-v5:worker:C-3",)}  # phones and tablets only: d2
    assert campaign_items(catalog, profile(), ["d1", "d2"], one) == {"mic-v5:worker:C-3": ["d2"]}
    joined = {"mic-v5:worker:C-3": ("mic-v5:worker:C-3", "mic-v5:worker:A-1")}  # A-1 applies everywhere
    assert campaign_items(catalog, profile(), ["d1", "d2"], joined) == {"mic-v5:worker:C-3": ["d1", "d2"]}


def test_administrator_tasks_are_not_asked_of_workers_and_stay_listed_with_a_reason():
    left = not_asked()
    for task in ("csaj-2018:5.1.2-1", "csaj-2018:5.2.3-1", "csaj-2018:5.2.3-2", "csaj-2018:5.2.4-2",
                 "csaj-2018:6.3.2-1", "csaj-2018:5.1.8-1"):
        assert task in left and left[task]["ja"] and left[task]["en"]
        assert question_for(task) is None
    items = campaign_items(catalog, SHAPES[1], ["d1", "d2"], questions())
    assert not set(items) & set(left)


def test_the_self_check_takes_about_five_minutes_for_the_widest_department():
    items = campaign_items(catalog, SHAPES[1], ["d1", "d2"], questions())
    widest = max(len(items_for(items, d)) for d in ("d1", "d2"))
    assert widest <= 25 and minutes(widest) <= 5
    assert minutes(1) == 1 and minutes(0) == 1


JARGON = ["ファームウェア", "WPS", "ポート", "定義ファイル", "脱獄", "root 化"]


def test_jargon_in_a_question_comes_with_its_explanation():
    for q in guide().values():
        text = q.question["ja"]
        for word in JARGON:
            if word in text:
                assert "と呼ばれ" in text, (q.item, word)  # 「…」と呼ばれます: named after it is explained
        assert "WPS" not in text and "ポート" not in text and "定義ファイル" not in text


def test_na_is_an_answer_of_its_own_and_never_counted_as_yes():
    res = aggregate(ITEMS, WORKERS, [AnswerRef(1, "a", "na"), AnswerRef(2, "a", "yes"), AnswerRef(3, "a", "na")])
    a = res.items["a"]
    assert (a.yes, a.na, a.answered, a.asked, a.applicable) == (1, 2, 3, 3, 1)
    assert res.workers[1].answered == 1 and res.workers[1].complete


DEVICE_SETTINGS = ["B-1", "B-2", "C-1", "E-3", "F-2", "G-2", "I-2", "K-1"]


def test_every_question_about_a_device_setting_has_steps_for_each_platform():
    g = guide()
    for q in [f"mic-v5:worker:{n}" for n in DEVICE_SETTINGS] + ["csaj-2018:5.2.4-1"]:
        assert [p for p, _ in g[q].platforms] == ["windows", "macos", "iphone", "android"], q
    assert [p for p, _ in g["mic-v5:worker:C-3"].platforms] == ["iphone", "android"]  # phones and tablets only
    for q in g.values():  # a general check of our own where the catalog's is written for administrators
        assert "Magisk" not in (q.check or {}).get("ja", "") and "winver" not in (q.check or {}).get("ja", "")


def test_questions_come_back_in_the_guides_order_whatever_order_the_database_kept():
    from tebiki.core.worker_guide import in_order

    g = list(guide())
    shuffled = sorted(g, key=len)  # roughly what PostgreSQL's jsonb does to the keys of campaign.items
    assert in_order(shuffled) == g
    assert in_order(["made-up", g[1], g[0]]) == [g[0], g[1], "made-up"]


def _counted(items, workers, answers):
    """What a database gives aggregate_counted: answers per worker to items asked of them, and grouped counts."""
    from collections import Counter

    dept = {w.id: w.department for w in workers}
    answered = Counter(a.worker for a in answers if a.value in ANSWERS and a.worker in dept
                       and dept[a.worker] in items.get(a.item, ()))
    counts = Counter((a.item, dept[a.worker], a.value) for a in answers if a.worker in dept and a.value in ANSWERS)
    return answered, [(*k, n) for k, n in counts.items()]


@pytest.mark.parametrize("answers", [
    [],
    [AnswerRef(1, "q1", "yes"), AnswerRef(1, "q2", "no"), AnswerRef(2, "q1", "na")],
    [AnswerRef(1, "q1", "yes"), AnswerRef(1, "q2", "unknown"), AnswerRef(2, "q1", "no"), AnswerRef(2, "q3", "yes"),
     AnswerRef(3, "q2", "yes"), AnswerRef(3, "q1", "yes"), AnswerRef(9, "q1", "no")],  # q2 not asked of b; 9 unknown
])
def test_counted_results_equal_the_results_of_every_answer(answers):
    from tebiki.core.campaign import aggregate_counted

    items = {"q1": ["a", "b"], "q2": ["a"], "q3": ["b"]}
    workers = [WorkerRef(1, "一", "a"), WorkerRef(2, "二", "b"), WorkerRef(3, "三", "b"), WorkerRef(4, "四", "a")]
    answered, counts = _counted(items, workers, answers)
    assert aggregate_counted(items, workers, answered, counts) == aggregate(items, workers, answers)


def test_answers_alike_in_one_department_add_up_and_every_complete_worker_counts():
    workers = [WorkerRef(1, "一", "d1"), WorkerRef(2, "二", "d1"), WorkerRef(3, "三", "d1")]
    res = aggregate({"a": ["d1"]}, workers, [AnswerRef(1, "a", "yes"), AnswerRef(2, "a", "yes"), AnswerRef(3, "a", "no")])
    assert (res.items["a"].yes, res.items["a"].no) == (2, 1) and res.tally("a", "d1").yes == 2
    assert res.departments["d1"].complete == 3 and res.not_answered == []


def test_a_worker_without_answers_has_answered_nothing():
    res = aggregate({"a": ["d1"], "b": ["d1"]}, [WorkerRef(1, "一", "d1")], [])
    assert (res.workers[1].asked, res.workers[1].answered) == (2, 0) and not res.workers[1].complete
    assert res.departments["d1"].complete == 0 and [w.id for w in res.not_answered] == [1]


def test_answers_to_an_item_no_longer_in_the_campaign_are_ignored():
    res = aggregate({"a": ["d1"]}, [WorkerRef(1, "一", "d1")], [AnswerRef(1, "gone", "yes"), AnswerRef(1, "a", "no")])
    assert set(res.items) == {"a"} and res.items["a"].no == 1 and res.workers[1].answered == 1


def test_counts_from_the_database_are_summed_and_values_that_are_no_answer_are_left_out():
    from tebiki.core.campaign import aggregate_counted

    workers = [WorkerRef(1, "一", "d1"), WorkerRef(2, "二", "d1")]
    counts = [("a", "d1", "yes", 1), ("a", "d1", "yes", 1), ("a", "d1", "maybe", 5), ("gone", "d1", "yes", 4),
              ("a", "d9", "no", 2)]
    res = aggregate_counted({"a": ["d1"]}, workers, {1: 1, 2: 1}, counts)
    a = res.items["a"]
    assert (a.asked, a.yes, a.no, a.answered) == (2, 2, 0, 2) and set(res.items) == {"a"}


def test_a_tally_is_looked_up_for_the_organisation_or_one_department():
    res = aggregate({"a": ["d1", "d2"]}, [WorkerRef(1, "一", "d1"), WorkerRef(2, "二", "d2")],
                    [AnswerRef(1, "a", "yes"), AnswerRef(2, "a", "no")])
    assert res.tally("a").asked == 2 and res.tally("a", "organisation").yes == 1
    assert res.tally("a", "d2").no == 1 and res.tally("a", "d2").yes == 0
    assert res.tally("a", "d9") is None and res.tally("b") is None
