"""Organisation templates (tebiki-org-template/1): start a similar organisation from another one's choices.

A template carries what transfers between similar clients — the profile (departments, methods, devices, facts),
the decisions (対応不要 with its reason, 対応予定 with the owner's role and how many days it is due after the
start), importance/difficulty overrides with their reasons, and the policy generator's chosen items and
parameters — and nothing that belongs to the source organisation's people or history: no statuses, no owners'
names, no evidence, no change history. Pure: the CLI reads and writes the file, the web app stores the result.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints, ValidationError, model_validator

from tebiki.catalog import Catalog
from tebiki.catalog.schema import Strict
from tebiki.core.assessment import Assessment, ItemState, applicability_problems, parse_assessment
from tebiki.core.errors import DataError
from tebiki.core.plan import build_rows
from tebiki.core.policy import parse_choices
from tebiki.core.profile import Profile
from tebiki.core.vocabulary import DIFFICULTY, IMPORTANCE, MEMBER_ROLE, ROLE_SHORT

TEMPLATE_SCHEMA = "tebiki-org-template/1"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
OwnerRole = Literal["executive", "admin", "worker", "consultant"]
MAX_DUE_DAYS = 3660


class TemplateChoice(Strict):
    """One decision or priority override for one item (measure or CSAJ policy) in one scope."""

    item: Text
    scope: Text = "organisation"
    decision: Literal["not_needed", "will_do"] | None = None
    reason: Text | None = None
    owner_role: OwnerRole | None = None  # for will_do: who carries it out, as a role, never a person
    due_in_days: int | None = Field(None, ge=0, le=MAX_DUE_DAYS)  # for will_do: deadline = start date + this
    importance: IMPORTANCE.literal() | None = None  # type: ignore[valid-type]
    difficulty: DIFFICULTY.literal() | None = None  # type: ignore[valid-type]
    override_reason: Text | None = None

    @model_validator(mode="after")
    def _complete(self) -> TemplateChoice:
        if self.decision == "will_do" and (self.owner_role is None or self.due_in_days is None):
            raise ValueError("decision 'will_do' needs owner_role and due_in_days")
        if self.decision != "will_do" and (self.owner_role is not None or self.due_in_days is not None):
            raise ValueError("owner_role and due_in_days belong to decision 'will_do' only")
        if self.decision == "not_needed" and not self.reason:
            raise ValueError("decision 'not_needed' needs a reason")
        if (self.importance or self.difficulty) and not self.override_reason:
            raise ValueError("changing importance or difficulty needs override_reason")
        if self.decision is None and not (self.importance or self.difficulty):
            raise ValueError("a choice needs a decision or an importance/difficulty override")
        return self


class TemplatePolicy(Strict):
    """The policy generator's choices that transfer: which should/may items go in, and changed parameters."""

    include: dict[str, StrictBool] = {}
    parameters: dict[str, StrictBool | StrictInt | StrictStr] = {}


class OrgTemplate(Strict):
    """The whole template file."""

    schema_: Literal["tebiki-org-template/1"] = Field(TEMPLATE_SCHEMA, alias="schema")
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    exported_at: dt.date
    profile: Profile
    choices: list[TemplateChoice] = []
    policy: TemplatePolicy = TemplatePolicy()

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _owner_role(owner: str | None, item_role: str | None) -> str:
    """The role an owner text names ("管理者", "Executive", "admin" …); the measure's own role otherwise,
    so a person's name never leaves the organisation."""
    text = (owner or "").strip().casefold()
    for terms in (MEMBER_ROLE, ROLE_SHORT):
        for t in terms:
            if text in (t.code, t.ja.casefold(), t.en.casefold()) and t.code != "viewer":
                return t.code
    return item_role if item_role in ("executive", "admin", "worker") else "admin"


def _choice_of(state: ItemState, item_role: str | None, today: dt.date) -> TemplateChoice | None:
    out: dict[str, Any] = {"item": state.item, "scope": state.scope}
    if state.decision == "not_needed":
        out.update(decision="not_needed", reason=state.reason)
    elif state.decision == "will_do" and state.deadline is not None:
        out.update(decision="will_do", reason=state.reason, owner_role=_owner_role(state.owner, item_role),
                   due_in_days=min(max((state.deadline - today).days, 0), MAX_DUE_DAYS))
    if state.importance or state.difficulty:
        out.update(importance=state.importance, difficulty=state.difficulty, override_reason=state.override_reason)
    if "decision" not in out and "override_reason" not in out:
        return None  # a status or a note only: the source organisation's own state
    return TemplateChoice.model_validate(out)


def template_of(catalog: Catalog, assessment: Assessment, policy: dict[str, Any] | None, label: str,
                today: dt.date) -> OrgTemplate:
    """The template of an organisation: its profile under *label*, its decisions and overrides, its policy choices."""
    choices = []
    for state in sorted(assessment.items, key=lambda s: (s.item, s.scope)):
        entry = catalog.by_id.get(state.item)
        choice = _choice_of(state, getattr(entry, "role", None), today)
        if choice is not None:
            choices.append(choice)
    policy = policy or {}
    profile = assessment.profile.model_copy(update={"name": label})
    return OrgTemplate.model_validate({
        "schema": TEMPLATE_SCHEMA, "label": label, "exported_at": today,
        "profile": profile.model_dump(mode="json"), "choices": [c.model_dump() for c in choices],
        "policy": {"include": policy.get("include", {}), "parameters": policy.get("parameters", {})}})


def _recordable(catalog: Catalog) -> set[str]:
    return {e.id for e in (*catalog.measures, *catalog.policies, *catalog.rule_articles)}


def parse_template(catalog: Catalog, data: Any, origin: str = "<template>", text: str | None = None) -> OrgTemplate:
    """Validate a template completely, or raise DataError naming the first bad field (choices.3.item …)."""
    if not isinstance(data, dict):
        raise DataError(origin, "", "a template is a mapping with schema, label, exported_at, profile, choices, policy")
    try:
        tpl = OrgTemplate.model_validate(data)
    except ValidationError as err:
        raise DataError.from_validation(err, origin, text) from None
    known = _recordable(catalog)
    rows = {(r.item, r.scope): r for r in build_rows(catalog, Assessment(profile=tpl.profile))}
    measures = {item for item, _ in rows}  # policies have no rows: their only scope is the organisation
    seen: set[tuple[str, str]] = set()
    for i, c in enumerate(tpl.choices):
        where = f"choices.{i}"
        if c.item not in known:
            raise DataError(origin, f"{where}.item", f"{c.item!r} is not a measure or CSAJ policy of this catalog")
        if (c.item, c.scope) in seen:
            raise DataError(origin, f"{where}.scope", f"{c.item} / {c.scope} is listed twice")
        seen.add((c.item, c.scope))
        row = rows.get((c.item, c.scope))
        if (row is None) if c.item in measures else c.scope != "organisation":
            raise DataError(origin, f"{where}.scope", f"{c.scope!r} is not a scope of {c.item} in this profile")
        if row is not None and applicability_problems(row.applies, "unchecked", c.decision):
            raise DataError(origin, f"{where}.decision", f"{c.item} does not apply in {c.scope}, so there is "
                                                         f"nothing to plan: {row.reason['en']}")
    try:
        parse_choices(catalog, tpl.policy.model_dump(), origin)
    except DataError as err:
        raise DataError(origin, f"policy.{err.field}", err.reason) from None
    return tpl


def start_from(template: OrgTemplate, name: str, today: dt.date) -> tuple[Assessment, dict[str, Any]]:
    """A new organisation's assessment (no status recorded) and policy choices from a validated template."""
    items = []
    for c in template.choices:
        state: dict[str, Any] = {"item": c.item, "scope": c.scope, "decision": c.decision, "reason": c.reason,
                                 "importance": c.importance, "difficulty": c.difficulty,
                                 "override_reason": c.override_reason}
        if c.decision == "will_do":
            state.update(owner=MEMBER_ROLE.label(c.owner_role, "ja"),
                         deadline=(today + dt.timedelta(days=c.due_in_days or 0)).isoformat())
        items.append({k: v for k, v in state.items() if v is not None})
    profile = template.profile.model_copy(update={"name": name})
    assessment = parse_assessment({"schema": "tebiki-assessment/1", "profile": profile.model_dump(mode="json"),
                                   "items": items}, f"template {template.label}")
    return assessment, template.policy.model_dump(exclude_defaults=True)
