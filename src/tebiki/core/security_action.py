"""SECURITY ACTION readiness: how far an assessment is from IPA's one-star and two-star self-declaration.

Derived from the catalog's mapping set `mic-v5-security-action` (which MIC measures carry each point) and the
plan's rows. A point is met when every applicable row of its measures is done (or decided not needed, which is
shown). The two-star policy step also needs a recorded fact: the date the basic policy was published (an
administrator records it; generating or downloading the document is not publishing it). What tebiki cannot judge —
IPA's 25-question self-check — is said so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tebiki.catalog import Catalog

MAPPING_SET = "mic-v5-security-action"
SELF_CHECK = "star-2-self-check"
POLICY_STEP = "star-2-policy"


@dataclass
class PointReadiness:
    ref: str
    title: str
    group: str  # star-1 / star-2
    state: str  # met / missing / unpublished (policy written, publication not recorded) / not_applicable / outside
    measures: list[str] = field(default_factory=list)
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # (item, scope, scope name) still open
    not_needed: list[tuple[str, str, str]] = field(default_factory=list)
    published: dt.date | None = None  # the policy step: when the basic policy was published, as recorded

    @property
    def open_items(self) -> list[tuple[str, str, list[str]]]:
        """The open measures once each: (item, its first open scope, the names of every open scope)."""
        grouped: dict[str, tuple[str, list[str]]] = {}
        for item, scope, name in self.missing:
            grouped.setdefault(item, (scope, []))[1].append(name)
        return [(item, scope, names) for item, (scope, names) in grouped.items()]


@dataclass
class Readiness:
    points: list[PointReadiness]

    def star(self, group: str) -> list[PointReadiness]:
        return [p for p in self.points if p.group == group]

    @property
    def one_star(self) -> bool:
        return all(p.state in ("met", "not_applicable") for p in self.star("star-1"))

    @property
    def two_star_within_tebiki(self) -> bool:
        """One star and every two-star step tebiki can see; the self-check itself is always outside."""
        return self.one_star and all(p.state in ("met", "outside") for p in self.star("star-2"))


def _done(row: Any) -> bool:
    return row.status == "done" or row.decision == "done"


def readiness(catalog: Catalog, rows: Iterable[Any], published: dt.date | None = None) -> Readiness:
    """Readiness per point from plan rows (anything with item, scope, scope_name, applies, status, decision) and
    the recorded date the basic policy was published (None: not recorded)."""
    mset = next(m for m in catalog.mapping_sets if m.id == MAPPING_SET)
    by_item: dict[str, list[Any]] = {}
    for r in rows:
        if r.applies:
            by_item.setdefault(r.item, []).append(r)
    points = []
    for target in mset.targets:
        measures = [m.measure for m in mset.mappings if any(link.target == target.ref for link in m.targets)]
        point = PointReadiness(target.ref, target.title, target.group or "", "outside", measures)
        if measures:
            applicable = [r for mid in measures for r in by_item.get(mid, [])]
            point.missing = [(r.item, r.scope, r.scope_name) for r in applicable if not _done(r) and r.decision != "not_needed"]
            point.not_needed = [(r.item, r.scope, r.scope_name) for r in applicable if r.decision == "not_needed"]
            point.state = "not_applicable" if not applicable else "missing" if point.missing else "met"
        if target.ref == POLICY_STEP:
            point.published = published
            if point.state == "met" and published is None:
                point.state = "unpublished"
        points.append(point)
    return Readiness(points)
