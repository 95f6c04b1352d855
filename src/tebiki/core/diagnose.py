"""Method diagnosis: a short questionnaire (data/diagnosis.yaml) that proposes one or more telework methods.

Every rule that holds proposes its method with a reason; nothing forces a single answer. Candidates are
compared on the guideline's five axes, and the first-edition checklist's 8 types map onto v5 methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from tebiki.catalog import Catalog, content, get_catalog
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


def _check(catalog: Catalog, q: Questionnaire) -> None:
    ids = {x.id for x in q.questions}
    for i, rule in enumerate(q.rules):
        # answer conditions use question IDs as facts; check them against the questions, not catalog facts
        for key, _ in _answer_leaves(rule.when):
            if key not in ids:
                raise content.Problem(f"rules.#{i + 1}({rule.method}).when", f"unknown question {key!r}")


KIND = content.kind("diagnosis", DATA.name, Questionnaire, _check)


@cache
def questionnaire() -> Questionnaire:
    """The packaged questions and rules, loaded through the catalog's content loader (CatalogError)."""
    return content.load(KIND, get_catalog())


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


__all__ = ["Candidate", "compare", "diagnose", "legacy_methods", "parse_answers", "questionnaire"]
