"""The checklist as people read it: one entry per measure, its scopes folded in, grouped and paged.

Plan rows are per measure and scope. A person decides per measure: the entry shows one status when every
scope agrees and one line per scope only where they differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from tebiki.core.plan import Action, Row, actions

PAGE_SIZE = 40
GROUPINGS = ("priority", "category", "role")


@dataclass
class Entry:
    """One measure on the checklist: its action (the applicable rows, in the organisation's order) and the rows
    of the scopes where it does not apply. Built per request (entries()), so what a page asks of it many times is
    worked out once (cached_property)."""

    item: str
    action: Action | None  # None: the measure applies nowhere here
    not_applicable: list[Row]
    section: str = ""

    @property
    def _head(self):
        return self.action or self.not_applicable[0]

    @property
    def title(self):
        return self._head.title

    @property
    def role(self) -> str:
        return self._head.role

    @property
    def category(self) -> str:
        return self._head.category

    @property
    def level(self) -> str:
        return self._head.level

    @property
    def priority(self):
        return self._head.priority

    @property
    def why(self) -> dict[str, str]:
        return self.action.why_text if self.action else {}

    @property
    def departments(self) -> tuple[str, ...]:
        return self.action.department_names if self.action else ()

    @cached_property
    def applicable(self) -> tuple[Row, ...]:
        return self.action.rows if self.action else ()

    @cached_property
    def rows(self) -> list[Row]:
        return [*self.applicable, *self.not_applicable]

    @property
    def first(self) -> Row:
        return self.rows[0]

    @property
    def applies(self) -> bool:
        return self.action is not None

    @cached_property
    def uniform(self) -> bool:
        """Every applicable scope has the same status and decision, so one control sets them all."""
        return len({(r.status, r.decision, r.deadline, r.owner) for r in self.applicable}) <= 1

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.action.scopes if self.action else ()

    @cached_property
    def anchor(self) -> str:
        return "m-" + "".join(c if c.isalnum() else "-" for c in self.item.lower())


def entries(rows: list[Row], measures: list[Action] | None = None) -> list[Entry]:
    """Every measure once: those that apply in the organisation's action order, then those that apply nowhere.
    *measures*: actions(rows, include_closed=True) when the caller has them (Plan.every_measure keeps them)."""
    na: dict[str, list[Row]] = {}
    for r in rows:
        if not r.applies:
            na.setdefault(r.item, []).append(r)
    out = [Entry(a.item, a, na.pop(a.item, []))
           for a in (actions(rows, include_closed=True) if measures is None else measures)]
    return out + [Entry(item, None, group) for item, group in na.items()]


def matches(entry: Entry, f: dict[str, str], today: dt.date | None = None) -> bool:
    """Filters of the checklist form; a scope or status filter matches when any scope of the measure does.
    show=overdue keeps the measures with an open row past its deadline on *today* (what the dashboard counts)."""
    show = f.get("show") or "applicable"
    if show != "all" and not entry.applies:
        return False
    if show == "overdue" and not (today and any(r.overdue(today) for r in entry.rows)):
        return False
    for key, value in (("role", entry.role), ("category", entry.category), ("level", entry.level),
                       ("priority", entry.priority.priority)):
        if f.get(key) and f[key] != value:
            return False
    if f.get("scope") and not any(r.scope == f["scope"] for r in entry.rows):
        return False
    return not f.get("status") or any(r.status == f["status"] for r in entry.rows)


def sectioned(items: list[Entry], grouping: str, titles: dict[str, str]) -> list[Entry]:
    """Give each entry its section heading; sections follow the order of *titles*, entries keep their order."""
    def key(e: Entry) -> str:
        return e.priority.priority if grouping == "priority" else e.category if grouping == "category" else e.role

    order = {k: i for i, k in enumerate(titles)}
    for e in items:
        e.section = titles.get(key(e), key(e))
    return sorted(items, key=lambda e: order.get(key(e), len(order)))
