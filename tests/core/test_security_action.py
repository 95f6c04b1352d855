"""SECURITY ACTION readiness from an assessment: pure, over real profiles and recorded states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from tebiki.catalog import get_catalog
from tebiki.core.assessment import new_assessment, record
from tebiki.core.plan import build_rows
from tebiki.core.profile import parse_profile
from tebiki.core.security_action import readiness

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def rows_for(states: dict[tuple[str, str], dict] | None = None):
    catalog = get_catalog()
    profile = parse_profile(yaml.safe_load((EXAMPLES / "manufacturer.yaml").read_text(encoding="utf-8")))
    assessment = new_assessment(profile)
    for (item, scope), values in (states or {}).items():
        assessment = record(assessment, item, scope, "test", dt.datetime(2026, 12, 1, tzinfo=dt.UTC), **values)
    return build_rows(catalog, assessment)


def test_a_fresh_assessment_meets_no_point_and_names_what_is_missing():
    ready = readiness(get_catalog(), rows_for())
    assert [p.ref for p in ready.star("star-1")] == [f"star-1-{n}" for n in range(1, 6)]
    assert all(p.state == "missing" for p in ready.star("star-1"))
    assert not ready.one_star
    point2 = next(p for p in ready.points if p.ref == "star-1-2")
    assert "mic-v5:admin:F-1" in {item for item, _, _ in point2.missing}
    listed = [item for item, _, _ in point2.open_items]
    assert len(listed) == len(set(listed)) == len({item for item, _, _ in point2.missing})  # each measure once
    f1 = next(names for item, _, names in point2.open_items if item == "mic-v5:admin:F-1")
    assert len(f1) == sum(1 for item, _, _ in point2.missing if item == "mic-v5:admin:F-1")


def test_the_self_check_is_always_outside_tebiki():
    ready = readiness(get_catalog(), rows_for())
    check = next(p for p in ready.points if p.ref == "star-2-self-check")
    assert check.state == "outside" and check.measures == []


def test_a_point_is_met_when_every_applicable_row_of_its_measures_is_done():
    catalog = get_catalog()
    rows = rows_for()
    point = next(p for p in readiness(catalog, rows).points if p.ref == "star-1-2")
    states = {(item, scope): {"status": "done"} for item, scope, _ in point.missing}
    last = next(iter(states))
    partial = readiness(catalog, rows_for({k: v for k, v in states.items() if k != last}))
    assert next(p for p in partial.points if p.ref == "star-1-2").state == "missing"  # one row still open
    full = readiness(catalog, rows_for(states))
    assert next(p for p in full.points if p.ref == "star-1-2").state == "met"
    assert next(p for p in full.points if p.ref == "star-1-1").state == "missing"  # the other points are untouched


def test_the_policy_step_needs_the_policy_written_and_its_publication_recorded():
    catalog = get_catalog()
    written = rows_for({("mic-v5:executive:A-1", "organisation"): {"status": "done"}})

    def step(rows, published=None):
        ready = readiness(catalog, rows, published)
        return next(p for p in ready.points if p.ref == "star-2-policy"), ready

    assert step(rows_for())[0].state == "missing"
    assert step(rows_for(), dt.date(2026, 11, 1))[0].state == "missing"  # published, but A-1 is not recorded done
    point, ready = step(written)
    assert point.state == "unpublished" and point.published is None
    point, ready = step(written, dt.date(2026, 11, 1))
    assert point.state == "met" and point.published == dt.date(2026, 11, 1)
