"""Plain-language guidance for workers, keyed by catalog item ID (data/worker_guide.yaml).

For each worker-side item: the question a worker answers, and optionally what it means and how to
check it in general or on Windows, macOS, iPhone and Android. Where the guide gives no meaning or
general check, the catalog's own summary and how-to-check texts are used (never copied here).
Validated on load; every ID must be a worker-side catalog entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import Field

from tebiki.catalog import Catalog, content, get_catalog
from tebiki.catalog.schema import Measure, Strict, Text

from .campaign import worker_entries

DATA = Path(__file__).parent / "data" / "worker_guide.yaml"
PLATFORMS = ("windows", "macos", "iphone", "android")


class Platforms(Strict):
    windows: Text | None = None
    macos: Text | None = None
    iphone: Text | None = None
    android: Text | None = None


class GuideEntry(Strict):
    item: str
    question: Text
    meaning: Text | None = None  # default: the catalog entry's summary (measures) or text (policies)
    check: Text | None = None  # default: the measure's how-to-check
    platforms: Platforms | None = None


class Guide(Strict):
    guide: list[GuideEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Guidance:
    """What a worker sees for one item, with the catalog defaults filled in."""

    item: str
    title: dict[str, str]
    question: dict[str, str]
    meaning: dict[str, str]
    check: dict[str, str] | None
    platforms: list[tuple[str, dict[str, str]]]  # (platform, text) in PLATFORMS order, only those given


def _check(catalog: Catalog, guide: Guide) -> None:
    entries = {e.id for e in worker_entries(catalog)}
    seen: set[str] = set()
    for g in guide.guide:
        if g.item not in entries:
            raise content.Problem(f"{g.item}.item", "not a worker-side catalog entry (worker measure or user-side policy)")
        if g.item in seen:
            raise content.Problem(f"{g.item}.item", "listed twice")
        seen.add(g.item)


KIND = content.kind("worker_guide", DATA.name, Guide, _check)


def parse_guide(text: str, catalog: Catalog, origin: str = str(DATA)) -> dict[str, Guidance]:
    """Validate the guide and join it with the catalog; errors (CatalogError) name the file, the item and the field."""
    guide = content.load(KIND, catalog, text, origin)
    entries = {e.id: e for e in worker_entries(catalog)}
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
        out[g.item] = Guidance(item=g.item, title=entry.title.model_dump(), question=g.question.model_dump(),
                               meaning=meaning.model_dump(), check=check.model_dump() if check else None,
                               platforms=platforms)
    return out


@cache
def guide() -> dict[str, Guidance]:
    """The packaged guide, loaded and validated once per process."""
    return parse_guide(DATA.read_text(encoding="utf-8"), get_catalog())


def missing(catalog: Catalog, guidance: dict[str, Guidance]) -> list[str]:
    """Worker-side catalog entries the guide does not cover (a campaign could ask them without help)."""
    return [e.id for e in worker_entries(catalog) if e.id not in guidance]
