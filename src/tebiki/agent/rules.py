"""Evaluate captured command output: pure functions from {file name: bytes} to check results.

The checks are data (checks.yaml, validated by the catalog schema); the rules that decide them are registered
per OS in rules_linux.py, rules_windows.py and rules_macos.py (see engine.py). Missing, empty, failed,
truncated or garbled input gives `unknown` with the reason, never a crash and never a guess.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from . import rules_linux, rules_macos, rules_windows  # noqa: F401  (they register their rules)
from .engine import OSES, REGISTRY, STATUS_FILE, Unknown, checks, decode, run_rule

__all__ = ["CHECK_IDS", "OSES", "REGISTRY", "STATUS_FILE", "Unknown", "check_texts", "decode", "evaluate",
           "rule_sources", "sources_table"]

CHECK_IDS = tuple(checks())


@cache
def check_texts() -> dict[str, dict[str, Any]]:
    """Each check's title, fix and steps per OS (limits filled in), measures and policies, by id (read-only)."""
    return {cid: {"title": {lang: c.text("title", lang) for lang in ("ja", "en")},
                  "fix": {lang: c.text("fix", lang) for lang in ("ja", "en")},
                  "steps": {os_name: {lang: c.text("steps", lang, os_name) for lang in ("ja", "en")}
                            for os_name in c.steps},
                  "measures": list(c.measures), "policies": list(c.policies), "limits": dict(c.limits)}
            for cid, c in checks().items()}


def rule_sources(os_name: str) -> list[str]:
    """The files the rules of *os_name* read, in check order (each once)."""
    out: list[str] = []
    for cid in CHECK_IDS:
        for source in REGISTRY[os_name][cid].sources:
            if source not in out:
                out.append(source)
    return out


def evaluate(os_name: str, files: dict[str, bytes], as_of: dt.date) -> dict[str, Any]:
    """All checks for *os_name* over captured *files*: {"os": …, "as_of": …, "checks": {id: {verdict, …}}}."""
    if os_name not in REGISTRY:
        raise ValueError(f"unknown OS {os_name!r}; expected linux, windows or macos")
    texts = check_texts()
    out = {}
    for cid, check in checks().items():
        result = run_rule(os_name, check, files, as_of)
        meta = texts[cid]
        out[cid] = {**result, "title": meta["title"], "measures": meta["measures"], "policies": meta["policies"],
                    "fix": meta["fix"] if result["verdict"] == "fail" else None}
    return {"os": os_name, "as_of": as_of.isoformat(), "checks": out}


OS_TITLES = {"windows": "Windows", "macos": "macOS", "linux": "Linux"}


def sources_table() -> str:
    """The Markdown table in docs/agent.md: which files decide each check on each OS (tested to agree)."""
    lines = ["| check | " + " | ".join(OS_TITLES.values()) + " |", "|---|---|---|---|"]
    for cid in CHECK_IDS:
        cells = [", ".join(f"`{s.split('/', 1)[1]}`" for s in REGISTRY[os_name][cid].sources) or "—"
                 for os_name in OS_TITLES]
        lines.append(f"| `{cid}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
