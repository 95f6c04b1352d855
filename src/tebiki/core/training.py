"""Training modules for teleworkers (data/training.yaml) and who has acknowledged them, pure.

A module carries only its own short text and quiz; the worker's duties and the CSAJ education content
it covers are referenced by number and ID and read from the catalog, so nothing is written twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from tebiki.catalog import Catalog, get_catalog
from tebiki.catalog import content as content_files
from tebiki.catalog.schema import Strict, Text

DATA = Path(__file__).parent / "data" / "training.yaml"


class QuizQuestion(Strict):
    question: Text
    choices: list[Text] = Field(min_length=2, max_length=6)
    answer: int = Field(ge=0)

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> QuizQuestion:
        if self.answer >= len(self.choices):
            raise ValueError(f"answer: {self.answer} is not one of the {len(self.choices)} choices (counted from 0)")
        return self


class Module(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,29}$")
    title: Text
    summary: Text
    duties: list[int] = []
    education: list[str] = []
    measures: list[str] = []
    quiz: list[QuizQuestion] = []


class Training(Strict):
    modules: list[Module] = Field(min_length=1)


def _check(catalog: Catalog, training: Training) -> None:
    worker = next(r for r in catalog.roles if r.id == "worker")
    duties = {r.number for r in worker.responsibilities}
    education = {e.id for e in catalog.education}
    measures = {m.id for m in catalog.measures if m.role == "worker"}
    seen: set[str] = set()
    for m in training.modules:
        if m.id in seen:
            raise content_files.Problem(f"{m.id}.id", "used twice")
        seen.add(m.id)
        for field, refs, known in (("duties", m.duties, duties), ("education", m.education, education),
                                   ("measures", m.measures, measures)):
            for ref in refs:
                if ref not in known:
                    raise content_files.Problem(f"{m.id}.{field}", f"unknown {field} reference {ref!r}")


KIND = content_files.kind("training", DATA.name, Training, _check)


def parse_training(text: str, catalog: Catalog, origin: str = str(DATA)) -> dict[str, Module]:
    """Validate the modules and resolve every reference into the catalog; errors (CatalogError) name file, module
    and field."""
    return {m.id: m for m in content_files.load(KIND, catalog, text, origin).modules}


@cache
def modules() -> dict[str, Module]:
    """The packaged modules, loaded and validated once per process."""
    return parse_training(DATA.read_text(encoding="utf-8"), get_catalog())


def content(module: Module, catalog: Catalog) -> dict[str, Any]:
    """What the module page shows: its own text, the duties and the education topics from the catalog."""
    worker = next(r for r in catalog.roles if r.id == "worker")
    by_number = {r.number: r for r in worker.responsibilities}
    return {"module": module, "duties": [by_number[n] for n in module.duties],
            "education": [catalog.by_id[e] for e in module.education],
            "measures": [catalog.by_id[m] for m in module.measures]}


def score(module: Module, answers: list[int | None]) -> int:
    """How many quiz questions were answered right."""
    return sum(1 for q, a in zip(module.quiz, answers, strict=False) if a == q.answer)


@dataclass(frozen=True)
class Ack:
    worker: int
    module: str
    at: dt.datetime
    score: int | None = None


@dataclass(frozen=True)
class Status:
    worker: int
    module: str
    state: str  # done / pending / overdue
    at: dt.datetime | None
    score: int | None  # right quiz answers; None without a quiz or before confirming
    quiz_total: int | None = None  # questions in the module's quiz; None without a quiz

    @property
    def quiz_passed(self) -> bool:
        """Confirmed, and every quiz question right (a module without a quiz passes once confirmed)."""
        if self.state != "done":
            return False
        return self.quiz_total is None or self.score == self.quiz_total


def quiz_sizes(module_ids: Iterable[str]) -> dict[str, int]:
    """Module ID -> number of quiz questions, for the packaged modules that have a quiz."""
    known = modules()
    return {m: len(known[m].quiz) for m in module_ids if m in known and known[m].quiz}


def statuses(module_ids: Iterable[str], workers: Iterable[int], acks: Iterable[Ack], deadline: dt.date,
             today: dt.date, sizes: dict[str, int] | None = None) -> list[Status]:
    """One status per worker and module: done, pending, or overdue once the deadline has passed.

    *sizes* (module -> quiz questions, see quiz_sizes) lets each status say "3 of 5 right", not only "3".
    """
    sizes = sizes or {}
    given = {(a.worker, a.module): a for a in acks}
    late = today > deadline
    out = []
    for w in workers:
        for m in module_ids:
            a = given.get((w, m))
            state = "done" if a else "overdue" if late else "pending"
            out.append(Status(w, m, state, a.at if a else None, a.score if a else None, sizes.get(m)))
    return out
