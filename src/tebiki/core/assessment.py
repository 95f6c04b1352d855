"""An assessment: the profile plus the recorded state of each applicable item, with history and snapshots.

States are kept per scope: `organisation` for governance items, a department ID for items that can
differ by department. Invalid combinations (a "will do" without deadline or owner, "not needed"
without a reason, …) are rejected with a clear message and change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from .errors import DataError
from .profile import Profile
from .vocabulary import DECISION, DIFFICULTY, IMPORTANCE, STATUS, STATUS_VALUE

ASSESSMENT_SCHEMA = "tebiki-assessment/1"
Status = STATUS.literal()
Decision = DECISION.literal()
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Level3 = IMPORTANCE.literal()
Difficulty = DIFFICULTY.literal()


PROBLEM_TEXT = {
    "will_do_needs_deadline": "decision 'will_do' needs a deadline (対応予定には期限が必要です)",
    "will_do_needs_owner": "decision 'will_do' needs an owner (対応予定には担当者が必要です)",
    "will_do_but_done": "status 'done' contradicts decision 'will_do' (対応済みの項目は対応予定にできません)",
    "not_needed_needs_reason": "decision 'not_needed' needs a reason (対応不要には理由が必要です)",
    "done_needs_done_status": "decision 'done' needs status 'done' or 'partly' (対応済みの判断には実施状況が必要です)",
    "na_needs_reason": "status 'na' needs a reason (対象外には理由が必要です)",
    "not_applicable_done": "this item does not apply here, so it cannot be recorded as done or partly done; "
                           "record status 'na' with a reason instead (対象外の項目は実施済みにできません)",
    "not_applicable_will_do": "this item does not apply here, so there is nothing to plan; use decision "
                              "'not_needed' with a reason (対象外の項目は対応予定にできません)",
}


def applicability_problems(applies: bool, status: str, decision: str | None) -> list[tuple[str, str]]:
    """A row that does not apply refuses done / partly and the decisions done / will do (field, problem code)."""
    if applies:
        return []
    out: list[tuple[str, str]] = []
    if status in ("done", "partly") or decision == "done":
        out.append(("status" if status in ("done", "partly") else "decision", "not_applicable_done"))
    if decision == "will_do":
        out.append(("decision", "not_applicable_will_do"))
    return out


def coherence_problems(status: str, decision: str | None, deadline: dt.date | None, owner: str | None,
                       reason: str | None) -> list[tuple[str, str]]:
    """The rules a recorded state must satisfy, as (field, problem code) pairs; empty when coherent.

    Shared by the file format and the web forms, so that both refuse the same states.
    """
    out: list[tuple[str, str]] = []
    if decision == "will_do":
        if deadline is None:
            out.append(("deadline", "will_do_needs_deadline"))
        if not owner:
            out.append(("owner", "will_do_needs_owner"))
        if status == "done":
            out.append(("status", "will_do_but_done"))
    if decision == "not_needed" and not reason:
        out.append(("reason", "not_needed_needs_reason"))
    if decision == "done" and status not in ("done", "partly"):
        out.append(("status", "done_needs_done_status"))
    if status == "na" and not reason:
        out.append(("reason", "na_needs_reason"))
    return out


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    note: ShortText | None = None
    link: Annotated[str, StringConstraints(pattern=r"^(https?://|file:|/|\./)\S+$", max_length=2000)] | None = None

    @model_validator(mode="after")
    def _something(self) -> Evidence:
        if not self.note and not self.link:
            raise ValueError("evidence needs a note or a link")
        return self


class ItemState(BaseModel):
    """What the organisation recorded about one item in one scope."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: ShortText
    scope: ShortText = "organisation"
    status: Status = "unchecked"
    decision: Decision | None = None
    deadline: dt.date | None = None
    owner: ShortText | None = None
    reason: ShortText | None = None
    evidence: list[Evidence] = []
    importance: Level3 | None = None
    difficulty: Difficulty | None = None
    override_reason: ShortText | None = None
    changed_by: ShortText | None = None
    changed_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _coherent(self) -> ItemState:
        problems = coherence_problems(self.status, self.decision, self.deadline, self.owner, self.reason)
        if problems:
            raise ValueError("; ".join(PROBLEM_TEXT[code] for _, code in problems))
        if (self.importance or self.difficulty) and self.override_reason is None:
            raise ValueError("changing importance or difficulty needs override_reason")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return (self.item, self.scope)


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: ShortText
    taken_at: dt.datetime
    statuses: dict[str, Status]  # "item|scope" -> status


class Assessment(BaseModel):
    """The whole file: profile, current states, append-only history and snapshots."""

    model_config = ConfigDict(extra="forbid")

    schema_: Literal["tebiki-assessment/1"] = Field(ASSESSMENT_SCHEMA, alias="schema")
    profile: Profile
    items: list[ItemState] = []
    history: list[ItemState] = []
    snapshots: list[Snapshot] = []

    @model_validator(mode="after")
    def _unique_keys(self) -> Assessment:
        seen: set[tuple[str, str]] = set()
        scopes = {"organisation", *(d.id for d in self.profile.departments)}
        for i, state in enumerate(self.items):
            if state.key in seen:
                raise ValueError(f"items.{i}: {state.item} / {state.scope} is recorded twice")
            if state.scope not in scopes:
                raise ValueError(f"items.{i}.scope: {state.scope!r} is not 'organisation' or a department id")
            seen.add(state.key)
        return self

    def states(self) -> dict[tuple[str, str], ItemState]:
        """Recorded states by (item, scope), for callers that look up many items."""
        return {s.key: s for s in self.items}

    def state(self, item: str, scope: str) -> ItemState:
        return next((s for s in self.items if s.key == (item, scope)), ItemState(item=item, scope=scope))

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=False)


def parse_assessment(data: Any, origin: str = "<assessment>", text: str | None = None) -> Assessment:
    try:
        return Assessment.model_validate(data)
    except ValidationError as err:
        raise DataError.from_validation(err, origin, text) from None


def new_assessment(profile: Profile) -> Assessment:
    return Assessment(profile=profile)


def record(assessment: Assessment, item: str, scope: str, changed_by: str, now: dt.datetime,
           **changes: Any) -> Assessment:
    """Return a new assessment with *changes* applied to (item, scope); the input is never modified.

    Raises DataError when the resulting state is incoherent.
    """
    current = assessment.state(item, scope).model_dump()
    current.update({k: v for k, v in changes.items()})
    current.update(changed_by=changed_by, changed_at=now)
    try:
        new_state = ItemState.model_validate(current)
    except ValidationError as err:
        raise DataError.from_validation(err, f"{item} / {scope}") from None
    items = [s for s in assessment.items if s.key != new_state.key] + [new_state]
    data = assessment.dump()
    data.update(items=[s.model_dump(mode="json") for s in items],
                history=[*data["history"], new_state.model_dump(mode="json")])
    return parse_assessment(data)


def change_profile(assessment: Assessment, profile: Profile) -> tuple[Assessment, list[ItemState]]:
    """The assessment with a new profile; answers for departments that are gone leave `items` (they stay in
    `history`) and are returned, so the caller can list them. Nothing else is lost."""
    scopes = {"organisation", *(d.id for d in profile.departments)}
    kept = [s for s in assessment.items if s.scope in scopes]
    dropped = [s for s in assessment.items if s.scope not in scopes]
    data = assessment.dump()
    data.update(profile=profile.model_dump(mode="json"), items=[s.model_dump(mode="json") for s in kept])
    return parse_assessment(data), dropped


def take_snapshot(assessment: Assessment, label: str, now: dt.datetime) -> Assessment:
    statuses = {f"{s.item}|{s.scope}": s.status for s in assessment.items}
    data = assessment.dump()
    data["snapshots"] = [*data["snapshots"], Snapshot(label=label, taken_at=now, statuses=statuses).model_dump(mode="json")]
    return parse_assessment(data)


def compare(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Keys ("item|scope") whose status improved or regressed between two snapshots."""
    def value(statuses: dict[str, str], key: str) -> float:
        return STATUS_VALUE.get(statuses.get(key, "unchecked"), 0.0)

    keys = sorted(set(before) | set(after))
    return {
        "improved": [k for k in keys if value(after, k) > value(before, k)],
        "regressed": [k for k in keys if value(after, k) < value(before, k)],
    }
