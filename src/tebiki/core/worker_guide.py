"""The worker's self-check questions and plain-language guidance (data/worker_guide.yaml).

A question is keyed by its main catalog entry (`item`) and may evidence further worker-side entries (`also`):
an answer to it counts for every one of them. The data states each such overlap; the loader refuses an entry
evidenced by two questions, so two questions shown to one worker never silently check the same thing.
Worker-side entries that are administrator tasks are listed under `not_asked` with the reason: they stay on the
admin's checklist. Each question has a step (short groups on a phone), may offer 「該当しない」 (`may_not_apply`),
and optionally what it means and how to check it in general or on Windows, macOS, iPhone and Android. Where the
guide gives no meaning or general check, the catalog's own summary and how-to-check texts are used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import Field

from tebiki.catalog import Catalog, content, get_catalog
from tebiki.catalog.schema import Measure, Strict, Text

from .campaign import worker_entries

DATA = Path(__file__).parent / "data" / "worker_guide.yaml"
PLATFORMS = ("windows", "macos", "iphone", "android")
SECONDS_PER_QUESTION = 12  # an estimate: read the question, choose, now and then open the help


class Platforms(Strict):
    windows: Text | None = None
    macos: Text | None = None
    iphone: Text | None = None
    android: Text | None = None


class GuideEntry(Strict):
    item: str
    also: list[str] = []  # further worker-side entries this question evidences
    step: str
    may_not_apply: bool = False  # offers 「該当しない」, stored as its own answer
    question: Text
    meaning: Text | None = None  # default: the catalog entry's summary (measures) or text (policies)
    check: Text | None = None  # default: the measure's how-to-check
    platforms: Platforms | None = None


class Step(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,29}$")
    title: Text


class NotAsked(Strict):
    item: str
    reason: Text  # why a worker is not asked (an administrator's task)


class Guide(Strict):
    guide: list[GuideEntry] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    not_asked: list[NotAsked] = []


@dataclass(frozen=True)
class Guidance:
    """What a worker sees for one question, with the catalog defaults filled in."""

    item: str
    title: dict[str, str]
    question: dict[str, str]
    meaning: dict[str, str]
    check: dict[str, str] | None
    platforms: list[tuple[str, dict[str, str]]]  # (platform, text) in PLATFORMS order, only those given
    evidences: tuple[str, ...] = ()  # item first, then `also`
    covers: tuple[dict[str, str], ...] = ()  # the titles of every entry evidenced, item first
    step: str = ""
    step_title: dict[str, str] | None = None
    may_not_apply: bool = False


def _check(catalog: Catalog, guide: Guide) -> None:
    entries = {e.id for e in worker_entries(catalog)}
    steps = {s.id for s in guide.steps}
    owner: dict[str, str] = {}  # entry -> the question (or not_asked) that covers it
    for g in guide.guide:
        for field, ref in [("item", g.item)] + [("also", a) for a in g.also]:
            if ref not in entries:
                raise content.Problem(f"{g.item}.{field}", "not a worker-side catalog entry (worker measure or "
                                      "user-side policy)" + (f": {ref}" if field == "also" else ""))
            if ref in owner:
                raise content.Problem(f"{g.item}.{field}", f"{ref} is already evidenced by {owner[ref]}; "
                                      "one entry, one question")
            owner[ref] = g.item
        if g.step not in steps:
            raise content.Problem(f"{g.item}.step", f"unknown step {g.step!r}")
    for n in guide.not_asked:
        if n.item not in entries:
            raise content.Problem(f"{n.item}.item", "not a worker-side catalog entry (worker measure or user-side "
                                  "policy)")
        if n.item in owner:
            raise content.Problem(f"{n.item}.item", f"not_asked, but evidenced by {owner[n.item]}")
        owner[n.item] = "not_asked"


KIND = content.kind("worker_guide", DATA.name, Guide, _check)


def load_guide(text: str, catalog: Catalog, origin: str = str(DATA)) -> Guide:
    """The validated file (CatalogError naming the file, the item and the field)."""
    return content.load(KIND, catalog, text, origin)


def parse_guide(text: str, catalog: Catalog, origin: str = str(DATA)) -> dict[str, Guidance]:
    """Validate the guide and join it with the catalog: question (main item ID) -> Guidance, in file order."""
    return _join(load_guide(text, catalog, origin), catalog)


def _join(guide: Guide, catalog: Catalog) -> dict[str, Guidance]:
    entries = {e.id: e for e in worker_entries(catalog)}
    steps = {s.id: s.title.model_dump() for s in guide.steps}
    out: dict[str, Guidance] = {}
    for g in guide.guide:
        entry = entries[g.item]
        if isinstance(entry, Measure):
            meaning = g.meaning or entry.summary
            check = g.check or entry.explanation.how_to_check
        else:
            meaning = g.meaning or entry.text
            check = g.check
        platforms = [(p, getattr(g.platforms, p).model_dump()) for p in PLATFORMS
                     if g.platforms is not None and getattr(g.platforms, p) is not None]
        evidences = (g.item, *g.also)
        out[g.item] = Guidance(item=g.item, title=entry.title.model_dump(), question=g.question.model_dump(),
                               meaning=meaning.model_dump(), check=check.model_dump() if check else None,
                               platforms=platforms, evidences=evidences,
                               covers=tuple(entries[e].title.model_dump() for e in evidences),
                               step=g.step, step_title=steps[g.step], may_not_apply=g.may_not_apply)
    return out


@cache
def _packaged() -> Guide:
    return load_guide(DATA.read_text(encoding="utf-8"), get_catalog())


@cache
def guide() -> dict[str, Guidance]:
    """The packaged guide, loaded and validated once per process."""
    return _join(_packaged(), get_catalog())


def not_asked() -> dict[str, dict[str, str]]:
    """Worker-side entries left to the administrator -> why (ja/en)."""
    return {n.item: n.reason.model_dump() for n in _packaged().not_asked}


def questions(guidance: dict[str, Guidance] | None = None) -> dict[str, tuple[str, ...]]:
    """Question -> the catalog entries its answer evidences (for tebiki.core.campaign.campaign_items)."""
    return {q: g.evidences for q, g in (guide() if guidance is None else guidance).items()}


def question_for(item: str, guidance: dict[str, Guidance] | None = None) -> str | None:
    """The question whose answers evidence catalog entry *item*; None for an entry no question asks."""
    if guidance is None:
        return _asked_by().get(item)
    return next((q for q, ev in questions(guidance).items() if item in ev), None)


@cache
def _asked_by() -> dict[str, str]:
    """Entry -> the first question (in the guide's order) that evidences it, for the packaged guide: pages ask this
    for every done row, so it is looked up, not searched."""
    out: dict[str, str] = {}
    for q, evidences in questions().items():
        for item in evidences:
            out.setdefault(item, q)
    return out


def in_order(items: list[str], guidance: dict[str, Guidance] | None = None) -> list[str]:
    """*items* in the guide's order (steps stay together), whatever order the database returned them in
    (PostgreSQL's jsonb does not keep the order of keys); items the guide does not know come last."""
    position = {q: n for n, q in enumerate(guide() if guidance is None else guidance)}
    return sorted(items, key=lambda i: position.get(i, len(position)))


def minutes(count: int) -> int:
    """About how long *count* questions take, in whole minutes (at least 1)."""
    return max(1, math.ceil(count * SECONDS_PER_QUESTION / 60))


def missing(catalog: Catalog, guidance: dict[str, Guidance], left_out: set[str] | None = None) -> list[str]:
    """Worker-side catalog entries neither asked by a question nor listed as left to the administrator."""
    covered = {e for g in guidance.values() for e in g.evidences} | (set(not_asked()) if left_out is None else left_out)
    return [e.id for e in worker_entries(catalog) if e.id not in covered]
