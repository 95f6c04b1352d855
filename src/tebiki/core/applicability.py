"""Which catalog entries apply to an organisation, per scope, and why.

A measure whose scope is `organisation` is decided once, from the facts of the whole organisation
(a fact holds when it holds for some department). A `department` measure is decided for each
department from that department's own facts. CSAJ policies are decided at organisation level.
Every result carries a structured reason (reasons.Reason) naming the profile facts behind it and, at
organisation level, the departments they hold for; `reason` is that reason rendered in ja and en.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tebiki.catalog import Catalog

from .conditions import Facts, evaluate, leaves
from .profile import Department, Profile
from .reasons import Part, Reason

ORG = "organisation"


@dataclass(frozen=True)
class Applicability:
    item: str  # measure or policy ID
    scope: str  # "organisation" or a department ID
    applies: bool
    reason: dict[str, str]  # {"ja": …, "en": …}, rendered from `why`
    why: Reason = field(default_factory=lambda: Reason(applies=False))
    departments: tuple[str, ...] = ()  # IDs of the departments the decisive facts hold for (or the scope's own)


def department_facts(catalog: Catalog, profile: Profile, dept: Department) -> dict[str, set[Any]]:
    """The facts that hold for one department, organisation-wide facts included."""
    methods = [catalog.method(m) for m in dept.methods]
    office = any(m.properties.office_connection for m in methods)
    return {
        "method": set(dept.methods),
        "work_form": set(dept.work_forms),
        "terminal": {"byod" if e.owner == "private" else "company" for e in dept.equipment},
        "device": {e.kind for e in dept.equipment},
        "equipment": {f"{e.owner}_{e.kind}" for e in dept.equipment},
        "cloud": set(profile.cloud_of(dept)),
        "wifi": set(profile.wifi_of(dept)),
        "online": {not dept.offline},
        "active_directory": {profile.active_directory},
        "windows": {profile.windows},
        "external_media": {profile.removable_media_of(dept)},
        "local_breakout": {profile.local_breakout and not dept.offline},
        "inhouse_admin": {profile.admin == "inhouse"},
        "office_connection": {office},
        "data_on_terminal": {any(m.properties.data_on_terminal for m in methods)},
        "servers": {profile.servers_on_premises},
        # the organisation's internet-facing gateways concern the departments that connect to the office
        "remote_access": set(profile.remote_access_equipment) if office else set(),
        "information": set(profile.information),
    }


def organisation_facts(per_department: Iterable[Facts]) -> dict[str, set[Any]]:
    """A fact holds for the organisation when it holds for some department."""
    merged: dict[str, set[Any]] = {}
    for facts in per_department:
        for key, values in facts.items():
            merged.setdefault(key, set()).update(values)
    return merged


def _holds(facts: Facts, key: str, value: Any) -> bool:
    return bool(evaluate({key: value}, facts))


class Evaluator:
    """Decides applicability for one profile; computes the facts once."""

    def __init__(self, catalog: Catalog, profile: Profile) -> None:
        self.catalog = catalog
        self.profile = profile
        self.facts = {d.id: department_facts(catalog, profile, d) for d in profile.departments}
        self.org_facts = organisation_facts(self.facts.values())

    def who(self, key: str, value: Any) -> list[Department]:
        """The departments for which the fact test holds."""
        return [d for d in self.profile.departments if _holds(self.facts[d.id], key, value)]

    def _via(self, key: str, scope: Department | None) -> tuple[dict[str, str], ...]:
        """The titles of the methods that make a derived fact true (office_connection, data_on_terminal)."""
        if key not in ("office_connection", "data_on_terminal"):
            return ()
        depts = [scope] if scope else self.profile.departments
        used = {m for d in depts for m in d.methods}
        return tuple(m.title.model_dump() for m in self.catalog.methods
                     if m.id in used and getattr(m.properties, key))

    def decisive(self, cond: dict[str, Any] | None, applies: bool, scope: Department | None) -> list[tuple[str, Any]]:
        """The fact tests that decided the result (all tests when none alone did)."""
        facts = self.facts[scope.id] if scope else self.org_facts
        tests = leaves(cond)
        return [t for t in tests if _holds(facts, *t) == applies] or tests

    def explain(self, cond: dict[str, Any] | None, applies: bool, scope: Department | None) -> tuple[Reason, tuple[str, ...]]:
        """The structured reason for a result, and the IDs of the departments it concerns."""
        if cond is None:
            concerned = (scope.id,) if scope else tuple(d.id for d in self.profile.departments)
            return Reason(applies=True, everyone=True, scope=scope.name if scope else None), concerned
        parts = []
        concerned_ids: list[str] = []
        for key, value in self.decisive(cond, applies, scope):
            label = self.catalog.method(value).title.model_dump() if key == "method" else None
            via = self._via(key, scope) if applies and value is True else ()
            if scope is None and applies:
                who = self.who(key, value)
                concerned_ids += [d.id for d in who if d.id not in concerned_ids]
                names = tuple(d.name for d in who)
            else:
                names = ()
            parts.append(Part("fact", fact=key, value=value, departments=names, via=via, label=label))
        if scope is not None:
            concerned = (scope.id,) if applies else ()
        else:
            concerned = tuple(d.id for d in self.profile.departments if d.id in concerned_ids) if applies else ()
        return Reason(applies=applies, parts=tuple(parts), scope=scope.name if scope else None), concerned

    def decide(self, item: str, cond: dict[str, Any] | None, scope: str) -> list[Applicability]:
        """Results for one entry: one for the organisation, or one per department."""
        if scope == ORG:
            applies = bool(evaluate(cond, self.org_facts))
            why, concerned = self.explain(cond, applies, None)
            return [Applicability(item, ORG, applies, why.texts(), why, concerned)]
        results = []
        for dept in self.profile.departments:
            applies = bool(evaluate(cond, self.facts[dept.id]))
            why, concerned = self.explain(cond, applies, dept)
            results.append(Applicability(item, dept.id, applies, why.texts(), why, concerned))
        return results

    def all(self) -> list[Applicability]:
        """Every measure (at its scope) and every CSAJ policy (organisation-wide), in catalog order."""
        out: list[Applicability] = []
        for m in self.catalog.measures:
            out += self.decide(m.id, m.applies_when, ORG if m.scope == "organisation" else "department")
        for p in self.catalog.policies:
            out += self.decide(p.id, p.applies_when, ORG)
        return out


def applicability(catalog: Catalog, profile: Profile) -> list[Applicability]:
    """Convenience: every entry's applicability for *profile*."""
    return Evaluator(catalog, profile).all()
