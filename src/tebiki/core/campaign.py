"""Worker self-check campaigns: which worker-side items a campaign asks, and how the answers add up.

Pure functions over plain data; the web app translates its rows to WorkerRef / AnswerRef and back.
A campaign's items are questions (tebiki.core.worker_guide), each keyed by its main catalog entry and evidencing
one or more entries. A question is asked of a worker when any entry it evidences applies to the worker's
department (decided by the applicability engine from that department's facts). Answers are はい / いいえ /
わからない / 該当しない (yes / no / unknown / na); "na" is an answer, counted on its own and never as yes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tebiki.catalog import Catalog
from tebiki.catalog.schema import Measure, Policy

from .applicability import Evaluator
from .profile import Profile

ANSWERS = ("yes", "no", "unknown", "na")
USER_SIDES = ("user", "both")


def worker_entries(catalog: Catalog) -> list[Measure | Policy]:
    """Every worker-side entry: MIC v5 worker measures, then CSAJ policies on the user side, in catalog order."""
    return [m for m in catalog.measures if m.role == "worker"] + [p for p in catalog.policies if p.side in USER_SIDES]


def campaign_items(catalog: Catalog, profile: Profile, departments: Iterable[str],
                   questions: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Question -> the chosen departments it is asked in (where any entry it evidences applies), in the order of
    *questions*; questions that apply to none of them are left out."""
    chosen = set(departments)
    unknown = chosen - {d.id for d in profile.departments}
    if unknown:
        raise ValueError(f"unknown department {sorted(unknown)[0]!r}")
    ev = Evaluator(catalog, profile)
    order = [d.id for d in profile.departments if d.id in chosen]
    out: dict[str, list[str]] = {}
    for question, evidences in questions.items():
        depts = {r.scope for e in evidences for r in ev.decide(e, catalog.by_id[e].applies_when, "department")
                 if r.applies}
        if depts & chosen:
            out[question] = [d for d in order if d in depts]
    return out


def items_for(items: dict[str, list[str]], department: str) -> list[str]:
    """The items a worker of *department* is asked, in campaign order."""
    return [item for item, depts in items.items() if department in depts]


@dataclass(frozen=True)
class WorkerRef:
    id: int
    name: str
    department: str


@dataclass(frozen=True)
class AnswerRef:
    worker: int
    item: str
    value: str  # one of ANSWERS


@dataclass
class Tally:
    """Answers to one item among the workers it was asked of."""

    asked: int = 0
    yes: int = 0
    no: int = 0
    unknown: int = 0
    na: int = 0  # 該当しない: answered, and not counted as yes

    @property
    def answered(self) -> int:
        return self.yes + self.no + self.unknown + self.na

    @property
    def applicable(self) -> int:
        """Workers asked, less those who said it does not apply to them (the base for a share of yes)."""
        return self.asked - self.na

    @property
    def share_answered(self) -> float:
        return self.answered / self.asked if self.asked else 0.0


@dataclass
class Progress:
    """How far one worker (or a department's workers together) got."""

    asked: int = 0
    answered: int = 0

    @property
    def complete(self) -> bool:
        return self.answered >= self.asked

    @property
    def share_answered(self) -> float:
        return self.answered / self.asked if self.asked else 1.0


@dataclass
class DepartmentResult:
    workers: int = 0
    complete: int = 0
    progress: Progress = field(default_factory=Progress)
    items: dict[str, Tally] = field(default_factory=dict)


@dataclass
class Results:
    items: dict[str, Tally]
    departments: dict[str, DepartmentResult]
    workers: dict[int, Progress]
    not_answered: list[WorkerRef]  # workers who have not answered every item asked of them

    def tally(self, item: str, scope: str = "organisation") -> Tally | None:
        """The tally of *item* for the organisation or one department; None when it was not asked there."""
        if scope == "organisation":
            return self.items.get(item)
        dept = self.departments.get(scope)
        return dept.items.get(item) if dept else None


def aggregate_counted(items: dict[str, list[str]], workers: Iterable[WorkerRef], answered: dict[int, int],
                      counts: Iterable[tuple[str, str, str, int]]) -> Results:
    """What aggregate() gives, from counts a database made instead of every answer: *answered* is, by worker, how
    many items asked of them they answered (a value in ANSWERS); *counts* are (item, department, value, number) over
    the answers of *workers*. Answers to items a department is not asked are ignored, as in aggregate()."""
    workers = list(workers)
    given: dict[tuple[str, str], dict[str, int]] = {}
    for item, dept, value, n in counts:
        if value in ANSWERS and dept in items.get(item, ()):
            by_value = given.setdefault((item, dept), {})
            by_value[value] = by_value.get(value, 0) + n
    totals = {item: Tally() for item in items}
    departments: dict[str, DepartmentResult] = {}
    asked_in: dict[str, int] = {}
    for w in workers:
        departments.setdefault(w.department, DepartmentResult()).workers += 1
    for dept, result in departments.items():
        asked = items_for(items, dept)
        asked_in[dept] = len(asked)
        for item in asked:
            t = result.items[item] = Tally(asked=result.workers, **given.get((item, dept), {}))
            total = totals[item]
            total.asked += t.asked
            for value in ANSWERS:
                setattr(total, value, getattr(total, value) + getattr(t, value))
    progress: dict[int, Progress] = {}
    not_answered: list[WorkerRef] = []
    for w in workers:
        p = progress[w.id] = Progress(asked=asked_in[w.department], answered=answered.get(w.id, 0))
        dept = departments[w.department]
        dept.progress.asked += p.asked
        dept.progress.answered += p.answered
        if p.complete:
            dept.complete += 1
        else:
            not_answered.append(w)
    return Results(items={k: v for k, v in totals.items() if v.asked}, departments=departments, workers=progress,
                   not_answered=not_answered)


def aggregate(items: dict[str, list[str]], workers: Iterable[WorkerRef], answers: Iterable[AnswerRef]) -> Results:
    """Counts per item and per department, each worker's progress, and who has not answered.

    Answers to items not asked of a worker (e.g. after a move to another department) and answers of
    workers not in *workers* are ignored. The counting itself is aggregate_counted's (one rule for both).
    """
    workers = list(workers)
    department = {w.id: w.department for w in workers}
    given = {(a.worker, a.item): a.value for a in answers if a.value in ANSWERS and a.worker in department}
    answered: dict[int, int] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for (worker, item), value in given.items():
        dept = department[worker]
        if dept in items.get(item, ()):
            answered[worker] = answered.get(worker, 0) + 1
            counts[item, dept, value] = counts.get((item, dept, value), 0) + 1
    return aggregate_counted(items, workers, answered, ((i, d, v, n) for (i, d, v), n in counts.items()))
