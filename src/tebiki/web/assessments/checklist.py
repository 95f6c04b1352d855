"""The checklist as people read it: one entry per measure, its scopes folded in, grouped and paged.

Plan rows are per measure and scope. A person decides per measure: the entry shows one status when every
scope agrees and one line per scope only where they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator

from tebiki.core.plan import Row

PAGE_SIZE = 40
GROUPINGS = ("priority", "category", "role")


@dataclass
class Entry:
    """One measure on the checklist, with the rows of every scope it was decided for."""

    item: str
    rows: list[Row]  # applicable rows first, then those that do not apply
    why: str = ""
    section: str = ""
    departments: list[str] = field(default_factory=list)

    @property
    def first(self) -> Row:
        return self.rows[0]

    @property
    def title(self):
        return self.first.title

    @property
    def role(self) -> str:
        return self.first.role

    @property
    def category(self) -> str:
        return self.first.category

    @property
    def level(self) -> str:
        return self.first.level

    @property
    def priority(self):
        return self.first.priority

    @property
    def applicable(self) -> list[Row]:
        return [r for r in self.rows if r.applies]

    @property
    def not_applicable(self) -> list[Row]:
        return [r for r in self.rows if not r.applies]

    @property
    def applies(self) -> bool:
        return bool(self.applicable)

    @property
    def uniform(self) -> bool:
        """Every applicable scope has the same status and decision, so one control sets them all."""
        return len({(r.status, r.decision, r.deadline, r.owner) for r in self.applicable}) <= 1

    @property
    def status(self) -> str:
        return self.applicable[0].status if self.applicable else "na"

    @property
    def scopes(self) -> list[str]:
        return [r.scope for r in self.applicable]

    @property
    def is_open(self) -> bool:
        return any(r.is_open for r in self.rows)

    @property
    def anchor(self) -> str:
        return "m-" + "".join(c if c.isalnum() else "-" for c in self.item.lower())


def entries(rows: list[Row], order: list[str] | None = None) -> list[Entry]:
    """Rows folded into one entry per measure; *order* (measure IDs) first, the rest by priority, then catalog."""
    by_item: dict[str, list[Row]] = {}
    for r in rows:
        by_item.setdefault(r.item, []).append(r)
    position = {m: i for i, m in enumerate(order or [])}
    catalog_pos = {m: i for i, m in enumerate(by_item)}
    out = []
    for item, group in by_item.items():
        group.sort(key=lambda r: not r.applies)
        out.append(Entry(item=item, rows=group,
                         departments=[r.scope_name for r in group if r.applies and r.scope != "organisation"]))
    out.sort(key=lambda e: (position.get(e.item, len(position)), not e.applies, e.priority.rank, catalog_pos[e.item]))
    return out


def matches(entry: Entry, f: dict[str, str]) -> bool:
    """Filters of the checklist form; a scope or status filter matches when any scope of the measure does."""
    if f.get("show", "applicable") != "all" and not entry.applies:
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


def page_of(items: list[Entry], number) -> object:
    return Paginator(items, PAGE_SIZE).get_page(number)
