"""Method diagnosis: a short questionnaire (data/diagnosis.yaml) that proposes one or more telework methods.

Every rule that holds proposes its method with a reason; nothing forces a single answer. Candidates are
compared on the guideline's five axes, and the first-edition checklist's 8 types map onto v5 methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from tebiki.catalog import Catalog
from tebiki.catalog.schema import MethodId, Text

from .conditions import evaluate
from .errors import DataError

DATA = Path(__file__).parent / "data" / "diagnosis.yaml"


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: Text


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    method: MethodId
    when: dict[str, Any]
    reason: Text


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    questions: list[Question]
    rules: list[Rule]
    company_terminal_methods: list[MethodId] = []  # rated assuming company-issued terminals
    byod_note: Text
    no_fit: Text

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


@cache
def questionnaire() -> Questionnaire:
    q = Questionnaire.model_validate(yaml.safe_load(DATA.read_text(encoding="utf-8")))
    ids = {x.id for x in q.questions}
    for rule in q.rules:
        # answer conditions use question IDs as facts; check them against the questions, not catalog facts
        for key, _ in _answer_leaves(rule.when):
            if key not in ids:
                raise ValueError(f"{DATA}: rule for {rule.method}: unknown question {key!r}")
    return q


def _answer_leaves(cond: dict[str, Any]) -> list[tuple[str, Any]]:
    (key, value), = cond.items()
    if key in ("all", "any"):
        return [leaf for c in value for leaf in _answer_leaves(c)]
    if key == "not":
        return _answer_leaves(value)
    return [(key, value)]


@dataclass(frozen=True)
class Candidate:
    method: str
    reason: dict[str, str]


def parse_answers(data: Any, origin: str = "<answers>") -> dict[str, bool]:
    """Answers are {question_id: true/false}; unknown questions or non-boolean answers are errors."""
    if not isinstance(data, dict):
        raise DataError(origin, "", "expected a mapping of question id to true/false")
    ids = {q.id for q in questionnaire().questions}
    for key, value in data.items():
        if key not in ids:
            raise DataError(origin, str(key), f"unknown question; known: {', '.join(sorted(ids))}")
        if not isinstance(value, bool):
            raise DataError(origin, str(key), f"expected true or false, got {value!r}")
    return dict(data)


def diagnose(answers: dict[str, bool]) -> list[Candidate]:
    """Every method whose rule holds for *answers* (unanswered questions count as unknown, not no)."""
    facts = {key: {value} for key, value in answers.items()}
    return [Candidate(r.method, r.reason.model_dump()) for r in questionnaire().rules if evaluate(r.when, facts) is True]


@dataclass(frozen=True)
class Open:
    """A method the answers leave open, and the unanswered questions (with the answer) that would propose it."""

    method: str
    questions: tuple[tuple[str, bool], ...]  # (question id, the answer that proposes the method)
    decides_alone: bool  # answering the one question as shown is enough


@dataclass(frozen=True)
class Diagnosis:
    """The full result for one department: proposals, what is still open, notes, and advice when nothing fits."""

    candidates: list[Candidate]
    open: list[Open]
    notes: dict[str, dict[str, str]]  # method -> note, e.g. a method rated for company terminals used with BYOD
    advice: dict[str, str] | None  # when nothing is proposed and nothing is open
    byod: bool | None  # the answer about private devices (None = not known)

    @property
    def equipment(self) -> list[dict[str, str]]:
        """A default for the department's profile: a company PC, plus private devices when BYOD is answered yes."""
        out = [{"kind": "pc", "owner": "company"}]
        if self.byod:
            out = [{"kind": "pc", "owner": "private"}, {"kind": "mobile", "owner": "private"}]
        return out


def _open(rule: Rule, facts: dict[str, set[bool]]) -> Open | None:
    unknown = [(k, v) for k, v in _answer_leaves(rule.when) if k not in facts]
    if not unknown:
        return None
    alone = [(k, v) for k, v in unknown if evaluate(rule.when, {**facts, k: {v}}) is True]
    if alone:
        return Open(rule.method, tuple(dict.fromkeys(alone)), True)
    return Open(rule.method, tuple(dict.fromkeys(unknown)), False)


def diagnosis(answers: dict[str, bool]) -> Diagnosis:
    """Diagnose one department: unknown answers ("わからない") are reported as open, never read as no."""
    q = questionnaire()
    facts = {key: {value} for key, value in answers.items()}
    candidates, still_open = [], []
    for rule in q.rules:
        result = evaluate(rule.when, facts)
        if result is True:
            candidates.append(Candidate(rule.method, rule.reason.model_dump()))
        elif result is None and (o := _open(rule, facts)) is not None:
            still_open.append(o)
    byod = answers.get("byod")
    notes = {c.method: q.byod_note.model_dump() for c in candidates
             if byod and c.method in q.company_terminal_methods}
    advice = q.no_fit.model_dump() if not candidates and not still_open else None
    return Diagnosis(candidates, still_open, notes, advice, byod)


def diagnose_departments(answers: dict[str, dict[str, bool]]) -> dict[str, Diagnosis]:
    """One diagnosis per department (department id -> its answers)."""
    return {dept: diagnosis(given) for dept, given in answers.items()}


def compare(catalog: Catalog, methods: list[str]) -> list[dict[str, Any]]:
    """The candidates side by side on the five axes (grades S best … D worst)."""
    axes = [a.id for a in catalog.rating_scale.axes]
    return [{"method": m, "title": catalog.method(m).title.model_dump(),
             "ratings": {a: catalog.method(m).ratings[a].grade for a in axes}} for m in methods]


def legacy_methods(catalog: Catalog, terminal: str, connection: str) -> list[str]:
    """The v5 methods that a first-edition type (terminal ownership × connection) corresponds to."""
    for t in catalog.legacy_types:
        if t.terminal == terminal and t.connection == connection:
            return list(t.methods)
    raise DataError("<legacy>", "type", f"no first-edition type for terminal={terminal!r}, connection={connection!r}")


__all__ = ["Candidate", "Diagnosis", "Open", "compare", "diagnose", "diagnose_departments", "diagnosis",
           "legacy_methods", "parse_answers", "questionnaire"]
