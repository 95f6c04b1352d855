"""Campaign items from the applicability engine, and the pure aggregation of answers."""

from __future__ import annotations

import pytest
import yaml

from tebiki.catalog import CatalogError, get_catalog
from tebiki.core.campaign import AnswerRef, WorkerRef, aggregate, campaign_items, items_for, worker_entries
from tebiki.core.profile import Profile
from tebiki.core.worker_guide import DATA, guide, missing, parse_guide

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
    items = campaign_items(catalog, profile(), ["d1", "d2"])
    assert items["mic-v5:worker:C-3"] == ["d2"]  # phones only in d2
    assert items["mic-v5:worker:A-1"] == ["d1", "d2"]  # applies to everyone
    assert "mic-v5:worker:A-2" not in items  # no cloud service in use
    assert "mic-v5:worker:C-3" not in items_for(items, "d1")


def test_only_the_chosen_departments_are_asked():
    items = campaign_items(catalog, profile(), ["d1"])
    assert all(depts == ["d1"] for depts in items.values())
    assert "mic-v5:worker:C-3" not in items


def test_an_unknown_department_is_refused():
    with pytest.raises(ValueError, match="unknown department"):
        campaign_items(catalog, profile(), ["nope"])


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
    items = campaign_items(catalog, profile(devices=["pc", "mobile"], terminals=["company", "byod"]), ["d1", "d2"])
    assert set(items) <= set(guide())


def test_guidance_falls_back_to_the_catalog_texts():
    g = guide()["mic-v5:worker:A-1"]
    measure = catalog.by_id["mic-v5:worker:A-1"]
    assert g.meaning == measure.summary.model_dump()
    assert g.check == measure.explanation.how_to_check.model_dump()


@pytest.mark.parametrize("text,field", [
    ("guide:\n- item: mic-v5:admin:A-1\n  question: {ja: あ, en: a}\n", "mic-v5:admin:A-1.item"),
    ("guide:\n- item: mic-v5:worker:A-1\n  question: {ja: あ}\n", "guide.mic-v5:worker:A-1.question.en"),
    ("guide:\n- item: mic-v5:worker:A-1\n  question: {ja: あ, en: a}\n  colour: red\n", "guide.mic-v5:worker:A-1.colour"),
    ("guide:\n- item: mic-v5:worker:A-1\n  question: {ja: あ, en: a}\n  platforms: {linux: {ja: あ, en: a}}\n",
     "guide.mic-v5:worker:A-1.platforms.linux"),
])
def test_a_bad_guide_is_refused_naming_the_field(text, field):
    with pytest.raises(CatalogError) as err:
        parse_guide(text, catalog, origin="guide.yaml")
    assert str(err.value).startswith(f"guide.yaml: {field}: ")


def test_the_guide_file_is_plain_yaml_with_a_list():
    assert isinstance(yaml.safe_load(DATA.read_text(encoding="utf-8"))["guide"], list)
