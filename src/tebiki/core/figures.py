"""The few numbers every view of an assessment shows: score, done, open, overdue, exposure.

Defined once here from the plan's rows, so the dashboard, the consultant overview, the reports and the CLI
cannot count differently (a record on a measure that no longer applies, or for a removed department, is not a
row of the plan and so counts nowhere).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from tebiki.catalog import Catalog

from .plan import Row, exposure, scores
from .vocabulary import STATUS_VALUE


def overall_score(rows: list[Row]) -> float:
    """Share of the applicable rows done, a partly done row counting half (as scores() does per axis)."""
    applicable = [r for r in rows if r.applies]
    return round(sum(STATUS_VALUE.get(r.status, 0.0) for r in applicable) / max(len(applicable), 1), 3)


def overdue_rows(rows: list[Row], today: dt.date) -> list[Row]:
    """Open rows whose planned deadline has passed."""
    return [r for r in rows if r.overdue(today)]


@dataclass(frozen=True)
class Figures:
    applicable: int
    done: int
    partly: int
    open: int
    top_open: int
    overdue: int
    score: float
    by_role: dict[str, float]
    exposed_cases: int
    partly_cases: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def figures(catalog: Catalog, rows: list[Row], today: dt.date) -> Figures:
    applicable = [r for r in rows if r.applies]
    cases = exposure(catalog, rows)["trouble_cases"]
    return Figures(
        applicable=len(applicable),
        done=sum(r.status == "done" for r in applicable),
        partly=sum(r.status == "partly" for r in applicable),
        open=sum(r.is_open for r in rows),
        top_open=sum(r.is_open and r.priority.rank == 1 for r in rows),
        overdue=len(overdue_rows(rows, today)),
        score=overall_score(rows),
        by_role={k: v["score"] for k, v in scores(rows)["role"].items()},
        exposed_cases=sum(e.state == "exposed" for e in cases),
        partly_cases=sum(e.state == "partly" for e in cases),
    )
