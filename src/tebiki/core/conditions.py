"""Evaluate catalog conditions (`applies_when`) against facts, with three-valued logic.

Facts map a fact name to the set of values that hold, e.g. {"method": {"vpn"}, "terminal": {"byod"},
"active_directory": {False}}. A fact that is absent is unknown: a test of it gives None, and
all/any/not follow Kleene's logic, so a filter can keep entries that *may* apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

Facts = Mapping[str, Set[Any]]


def evaluate(cond: Mapping[str, Any] | None, facts: Facts) -> bool | None:
    """True / False, or None when the answer depends on a fact that is not known."""
    if cond is None:
        return True
    (key, value), = cond.items()
    if key == "all":
        results = [evaluate(c, facts) for c in value]
        if False in results:
            return False
        return None if None in results else True
    if key == "any":
        results = [evaluate(c, facts) for c in value]
        if True in results:
            return True
        return None if None in results else False
    if key == "not":
        inner = evaluate(value, facts)
        return None if inner is None else not inner
    if key not in facts:
        return None
    held = facts[key]
    if value == "any":
        return bool(held - {False, None})
    return value in held


def leaves(cond: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """The fact tests a condition mentions, in order (for explaining a result)."""
    if cond is None:
        return []
    (key, value), = cond.items()
    if key in ("all", "any"):
        return [leaf for c in value for leaf in leaves(c)]
    if key == "not":
        return leaves(value)
    return [(key, value)]
