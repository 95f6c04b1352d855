"""Evidence over assertion: measures recorded as done while what was observed says otherwise.

Two kinds of observation contradict a done row: devices whose newest check fails a check that gives evidence for
the measure, and workers who answered いいえ (no) to it in a self-check. Pure: the callers gather the failing
devices and the "no" answers; this module decides which rows are contradicted and says by what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .plan import Row

NAMED = 5  # a flag on a screen names this many devices or workers and counts the rest: its size does not grow with them


@dataclass(frozen=True)
class FailingCheck:
    """A device check that fails on some devices: its id, title ({"ja", "en"}) and the devices' names."""

    id: str
    title: Mapping[str, str]
    devices: tuple[str, ...]

    @property
    def named(self) -> tuple[str, ...]:
        """The devices a screen names (the first NAMED); `more` counts the others."""
        return self.devices[:NAMED]

    @property
    def more(self) -> int:
        return max(len(self.devices) - NAMED, 0)


@dataclass(frozen=True)
class NoAnswers:
    """Workers who answered no to an item in a campaign: how many were asked, and who said no."""

    campaign: str
    asked: int
    who: tuple[str, ...]

    @property
    def no(self) -> int:
        return len(self.who)

    @property
    def named(self) -> tuple[str, ...]:
        """The workers a screen names (the first NAMED); `more` counts the others."""
        return self.who[:NAMED]

    @property
    def more(self) -> int:
        return max(len(self.who) - NAMED, 0)


@dataclass(frozen=True)
class Contradiction:
    row: Row
    checks: tuple[FailingCheck, ...] = ()
    answers: NoAnswers | None = None


def contradictions(rows: Iterable[Row], failing: Iterable[tuple[FailingCheck, Iterable[str]]],
                   said_no: Mapping[tuple[str, str], NoAnswers]) -> list[Contradiction]:
    """The applicable *rows* recorded as done that are contradicted, in row order.

    *failing*: each failing check with the measures it gives evidence for (checks no device fails are left out
    by the caller or have no devices); *said_no*: by (item, scope), the no answers of the newest campaign that
    asked the item there.
    """
    by_measure: dict[str, list[FailingCheck]] = {}
    for check, measures in failing:
        if check.devices:
            for m in measures:
                by_measure.setdefault(m, []).append(check)
    out = []
    for row in rows:
        if not (row.applies and row.status == "done"):
            continue
        checks = tuple(by_measure.get(row.item, ()))
        answers = said_no.get((row.item, row.scope))
        if answers is not None and not answers.who:
            answers = None
        if checks or answers:
            out.append(Contradiction(row, checks, answers))
    return out
