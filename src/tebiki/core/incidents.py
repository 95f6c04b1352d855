"""Incident situations (data/incident_situations.yaml), the incident statuses and the contact card layout.

A situation is data: its title, a worker's first steps, and the MIC v5 trouble cases and measures it relates
to. The links are resolved against the catalog when the file is loaded, so an unknown ID is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from tebiki.catalog import Catalog, get_catalog
from tebiki.catalog.schema import Text

from .errors import DataError, read_yaml
from .vocabulary import INCIDENT_STATUS

DATA = Path(__file__).parent / "data" / "incident_situations.yaml"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{1,29}$")]

STATUSES = INCIDENT_STATUS.codes
OPEN_STATUSES = tuple(s for s in STATUSES if s != "closed")
AVAILABILITY = ("business_hours", "out_of_hours", "always")
GENERAL = "general"  # a contact for every situation


class Situation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Slug
    title: Text
    summary: Text
    first_steps: list[Text] = Field(min_length=1, max_length=8)
    trouble_cases: list[str]
    measures: list[str] = Field(min_length=1)


class Situations(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    situations: list[Situation] = Field(min_length=1)

    def get(self, situation_id: str) -> Situation | None:
        return next((s for s in self.situations if s.id == situation_id), None)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.situations]


def load_situations(catalog: Catalog, text: str | None = None, origin: str = str(DATA)) -> Situations:
    """Validate the situations file and resolve its trouble-case and measure IDs against *catalog*."""
    raw = read_yaml(DATA.read_text(encoding="utf-8") if text is None else text, origin)
    try:
        data = Situations.model_validate(raw)
    except ValidationError as err:
        raise DataError.from_validation(err, origin, text) from None
    cases = {c.id for c in catalog.trouble_cases}
    measures = {m.id for m in catalog.measures}
    seen: set[str] = set()
    for i, s in enumerate(data.situations):
        if s.id in seen or s.id == GENERAL:
            raise DataError(origin, f"situations.{i}.id", f"{s.id!r} is used twice or reserved")
        seen.add(s.id)
        for ref in s.trouble_cases:
            if ref not in cases:
                raise DataError(origin, f"{s.id}.trouble_cases", f"unknown trouble case {ref!r}")
        for ref in s.measures:
            if ref not in measures:
                raise DataError(origin, f"{s.id}.measures", f"unknown measure {ref!r}")
    return data


@cache
def situations() -> Situations:
    """The packaged situations, loaded and checked once per process."""
    return load_situations(get_catalog())


BUSINESS_DAYS = (0, 1, 2, 3, 4)  # Monday to Friday (public holidays are not known here)
BUSINESS_HOURS = (9, 18)  # from 9:00 to before 18:00, local time


def in_business_hours(at: datetime) -> bool:
    """Whether *at* (local time) falls in ordinary business hours, so in-hours contacts are likely to answer."""
    return at.weekday() in BUSINESS_DAYS and BUSINESS_HOURS[0] <= at.hour < BUSINESS_HOURS[1]


class ContactLike(Protocol):
    situation: str
    availability: str
    position: int


@dataclass
class CardSection:
    """One situation on the contact card: what to do first and whom to call, in hours and out of hours."""

    situation: Situation | None
    business_hours: list[Any] = field(default_factory=list)
    out_of_hours: list[Any] = field(default_factory=list)

    @property
    def has_contacts(self) -> bool:
        return bool(self.business_hours or self.out_of_hours)

    @property
    def same_any_time(self) -> bool:
        """The same people in and out of hours: one "any time" line is enough."""
        return bool(self.business_hours) and self.business_hours == self.out_of_hours


def _ordered(contacts: Iterable[ContactLike]) -> list[ContactLike]:
    return sorted(contacts, key=lambda c: (c.position, getattr(c, "id", 0) or 0))


def _fill(sec: CardSection, contacts: list[ContactLike], situation_ids: tuple[str, ...]) -> CardSection:
    for c in contacts:
        if c.situation not in situation_ids:
            continue
        if c.availability in ("business_hours", "always"):
            sec.business_hours.append(c)
        if c.availability in ("out_of_hours", "always"):
            sec.out_of_hours.append(c)
    return sec


def card_sections(data: Situations, contacts: Iterable[ContactLike], with_general: bool = True) -> list[CardSection]:
    """Contacts per situation in file order, "always" in both columns; general contacts join each situation
    unless *with_general* is off (the printed card lists them once, see general_section)."""
    ordered = _ordered(contacts)
    ids = (GENERAL,) if with_general else ()
    return [_fill(CardSection(s), ordered, (s.id, *ids)) for s in data.situations]


def general_section(contacts: Iterable[ContactLike]) -> CardSection:
    """The contacts for every situation, once (situation is None)."""
    return _fill(CardSection(None), _ordered(contacts), (GENERAL,))


__all__ = ["AVAILABILITY", "BUSINESS_DAYS", "BUSINESS_HOURS", "GENERAL", "OPEN_STATUSES", "STATUSES", "CardSection",
           "Situation", "Situations", "card_sections", "general_section", "in_business_hours", "load_situations", "situations"]
