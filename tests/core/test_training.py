"""Training modules: validated against the catalog, scored, and who is overdue (pure, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from tebiki.catalog import CatalogError, get_catalog
from tebiki.core.training import Ack, content, modules, parse_training, quiz_sizes, score, statuses

catalog = get_catalog()
GOOD = """modules:
- id: m1
  title: {ja: あ, en: a}
  summary: {ja: あ, en: a}
  duties: [1]
  education: [csaj-2018:edu-10.2]
  quiz:
  - question: {ja: 問, en: q}
    choices: [{ja: 一, en: one}, {ja: 二, en: two}]
    answer: 1
"""


def test_the_packaged_modules_cover_every_worker_duty_and_every_csaj_education_topic():
    ms = modules().values()
    worker = next(r for r in catalog.roles if r.id == "worker")
    assert {d for m in ms for d in m.duties} == {r.number for r in worker.responsibilities}
    assert {e for m in ms for e in m.education} == {e.id for e in catalog.education}


def test_module_content_comes_from_the_catalog_not_a_copy():
    m = modules()["place"]
    page = content(m, catalog)
    assert [e.id for e in page["education"]] == ["csaj-2018:edu-10.1", "csaj-2018:edu-10.4"]
    assert page["duties"][0].number == 4


@pytest.mark.parametrize("change,field", [
    (("duties: [1]", "duties: [42]"), "m1.duties"),
    (("csaj-2018:edu-10.2", "csaj-2018:edu-99"), "m1.education"),
    (("answer: 1", "answer: 2"), "modules.m1.quiz.#1"),
    (("id: m1", "id: M 1"), "modules.M 1.id"),
    (("duties: [1]", "duties: [1]\n  colour: red"), "modules.m1.colour"),
])
def test_a_bad_module_is_refused_naming_the_field(change, field):
    with pytest.raises(CatalogError) as err:
        parse_training(GOOD.replace(*change), catalog, origin="training.yaml")
    assert str(err.value).startswith(f"training.yaml: {field}: ")


def test_quiz_score_counts_right_answers():
    m = parse_training(GOOD, catalog)["m1"]
    assert score(m, [1]) == 1 and score(m, [0]) == 0


def test_modules_not_confirmed_are_pending_then_overdue_after_the_deadline():
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    acks = [Ack(1, "a", at, 2)]
    before = statuses(["a", "b"], [1, 2], acks, dt.date(2026, 12, 10), dt.date(2026, 12, 10))
    assert [(s.worker, s.module, s.state) for s in before] == [(1, "a", "done"), (1, "b", "pending"),
                                                               (2, "a", "pending"), (2, "b", "pending")]
    after = statuses(["a", "b"], [1, 2], acks, dt.date(2026, 12, 10), dt.date(2026, 12, 11))
    assert [s.state for s in after] == ["done", "overdue", "overdue", "overdue"]
    assert after[0].score == 2 and after[0].at == at


def test_a_confirmed_module_with_a_wrong_quiz_answer_is_done_but_not_passed():
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    acks = [Ack(1, "a", at, 1), Ack(2, "a", at, 3), Ack(3, "b", at, None)]
    got = statuses(["a", "b"], [1, 2, 3], acks, dt.date(2026, 12, 10), dt.date(2026, 12, 10), sizes={"a": 3})
    by = {(s.worker, s.module): s for s in got}
    assert by[1, "a"].state == "done" and not by[1, "a"].quiz_passed and by[1, "a"].quiz_total == 3
    assert by[2, "a"].quiz_passed
    assert by[3, "b"].quiz_passed and by[3, "b"].quiz_total is None  # no quiz: confirming is enough
    assert not by[1, "b"].quiz_passed  # pending


def test_quiz_sizes_count_the_questions_of_each_packaged_module():
    sizes = quiz_sizes(["device", "made-up"])
    assert sizes == {"device": len(modules()["device"].quiz)}
