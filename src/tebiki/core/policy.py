"""The policy generator's inputs: the rulebook template, the CSAJ parameters, a company's choices, which items go in.

The rulebook (在宅勤務・テレワーク セキュリティ規程, built in rulebook.py) holds the CSAJ 2018 policies that apply
(every shall item, should/may items as chosen) and the model rule articles, with the CSAJ parameters substituted.
The frame articles and clause wording live in data/policy_document.yaml, validated here and cross-checked against
the catalog; policy statements come from the catalog. The same inputs give the CSAJ self-evaluation sheet
(self_evaluation.py). No I/O beyond reading that YAML once; rendering to DOCX/xlsx is in tebiki.documents.policy_files.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from tebiki.catalog import Catalog, content
from tebiki.catalog.loader import CatalogError
from tebiki.catalog.schema import Strict, check_condition

from .applicability import ORG, Evaluator
from .assessment import Assessment, ItemState
from .errors import DataError
from .text import has_control_characters, no_control_characters

DATA = Path(__file__).parent / "data" / "policy_document.yaml"
ASPECTS = ("confidentiality", "integrity", "availability", "accountability")
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                      AfterValidator(no_control_characters)]


# --- the document template (data/policy_document.yaml) -------------------------------------------------------------

class ParagraphTemplate(Strict):
    text: str
    items: list[str] = []
    items_from_education: bool = False


class ArticleTemplate(Strict):
    title: str
    paragraphs: list[ParagraphTemplate] = Field(min_length=1)


class ChapterTemplate(Strict):
    title: str
    articles: list[ArticleTemplate] = []


class PolicyChapter(Strict):
    prefix: Annotated[str, StringConstraints(pattern=r"^[5-8](\.\d)?$")]
    title: str


class Supplementary(Strict):
    title: str
    enacted: str  # the line under the title: "{date}制定"
    effective: str
    transition: str
    transition_item: str


class Tables(Strict):
    parameters: str
    parameters_header: list[str] = Field(min_length=4, max_length=4)
    mapping: str
    mapping_header: list[str] = Field(min_length=3, max_length=3)
    levels: dict[Literal["shall", "should", "may", "rule"], str]
    yes_word: str
    no_word: str


class ParamSpec(Strict):
    """What a company may set a parameter to; the default is always the catalog's CSAJ value."""

    type: Literal["int", "choice"]
    min: int | None = None
    max: int | None = None
    choices: list[int | str] = []
    at_least: str | None = None  # another parameter this one may not be below


class Era(Strict):
    name: str
    start: dt.date


class Level(Strict):
    id: str
    title: dict[Literal["ja", "en"], str]


class SheetTemplate(Strict):
    title: str
    evaluation: str
    assets: str
    legend: str
    extra_columns: dict[Literal["item_id", "level", "applies", "included", "owner"], str]
    asset_header: list[str] = Field(min_length=4, max_length=4)
    legend_header: list[str] = Field(min_length=2, max_length=2)
    applies_word: str
    not_applicable_word: str
    encrypt_word: str
    no_encrypt_word: str
    with_deadline: str
    example_title: str


class DocumentTemplate(Strict):
    title: str
    era: Era
    impact_levels: list[Level] = Field(min_length=2)
    units: dict[str, str]
    opening: ChapterTemplate
    policy_chapters: list[PolicyChapter] = Field(min_length=1)
    rules_chapter: ChapterTemplate
    education_chapter: ChapterTemplate
    closing: ChapterTemplate
    supplementary: Supplementary
    tables: Tables
    policy_clauses: dict[str, str]
    rule_clauses: dict[str, str]
    rule_conditions: dict[str, dict[str, Any]]
    parameters: dict[str, ParamSpec]
    sheet: SheetTemplate


def placeholders(text: str) -> set[str]:
    """The {names} a template text refers to."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def read_template() -> DocumentTemplate:
    """The template file, validated on its own (template() also checks it against the catalog)."""
    return content.load(KIND, None)


_checked: list[tuple[Catalog, DocumentTemplate]] = []  # the last catalog checked, so a request checks once


def template(catalog: Catalog) -> DocumentTemplate:
    """The validated template, cross-checked against the catalog (parameters, IDs, placeholders)."""
    if _checked and _checked[0][0] is catalog:
        return _checked[0][1]
    tpl = check_template(catalog, read_template())
    _checked[:] = [(catalog, tpl)]
    return tpl


def check_template(catalog: Catalog, tpl: DocumentTemplate) -> DocumentTemplate:
    """Raise CatalogError naming the key when the template and the catalog disagree."""
    params = parameters(catalog, tpl)

    def fail(where: str, reason: str) -> None:
        raise CatalogError(f"{DATA.name}: {where}: {reason}")

    for name in tpl.parameters:
        if name not in params:
            fail(f"parameters.{name}", "no CSAJ policy or rule has this parameter")
    for name, info in params.items():
        if info.spec is not None:
            try:
                coerce_parameter(info, info.default)
            except ParameterError as err:
                fail(f"parameters.{name}", f"the CSAJ value does not fit: {err.reason}")
    clauses = {**{pid: (pid, t) for pid, t in tpl.policy_clauses.items()},
               **{key: (key.split("#")[0], t) for key, t in tpl.rule_clauses.items()}}
    for key, (entry_id, text) in clauses.items():
        entry = catalog.by_id.get(entry_id)
        if entry is None:
            fail(key, "unknown policy or rule article")
        own = {p.name for p in _entry_parameters(entry)}
        unknown = placeholders(text) - own
        if unknown:
            fail(key, f"placeholder {sorted(unknown)[0]!r} is not a parameter of {entry_id}")
    for p in catalog.policies:
        editable = {x.name for x in p.parameters if x.name in tpl.parameters}
        if editable and p.id not in tpl.policy_clauses:
            fail(p.id, "has parameters a company may change but no clause wording in policy_clauses")
        missing = editable - placeholders(tpl.policy_clauses.get(p.id, ""))
        if missing:
            fail(p.id, f"the clause does not show parameter {sorted(missing)[0]!r}")
    for art in catalog.rule_articles:
        for clause in art.clauses:
            editable = {x.name for x in clause.parameters if x.name in tpl.parameters}
            key = f"{art.id}#{clause.number}"
            if editable - placeholders(tpl.rule_clauses.get(key, "")):
                fail(key, "has parameters a company may change but its clause wording does not show them")
    for rid, cond in tpl.rule_conditions.items():
        if rid not in {a.id for a in catalog.rule_articles}:
            fail(f"rule_conditions.{rid}", "unknown rule article")
        try:
            check_condition(cond)
        except ValueError as err:
            fail(f"rule_conditions.{rid}", str(err))
    return tpl


KIND = content.kind("policy_document", DATA.name, DocumentTemplate, lambda catalog, tpl: check_template(catalog, tpl))


# --- parameters -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParameterInfo:
    """One named CSAJ parameter: shared by every policy or rule clause that names it."""

    name: str
    label: dict[str, str]
    unit: str | None
    default: Any
    spec: ParamSpec | None  # None: fixed at the CSAJ value
    items: tuple[str, ...]  # policy / rule article IDs that use it

    @property
    def editable(self) -> bool:
        return self.spec is not None


class ParameterError(ValueError):
    """A parameter value a company may not use; names the parameter."""

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


def _entry_parameters(entry: Any) -> list[Any]:
    if hasattr(entry, "clauses"):
        return [p for c in entry.clauses for p in c.parameters]
    return list(entry.parameters)


def parameters(catalog: Catalog, tpl: DocumentTemplate | None = None) -> dict[str, ParameterInfo]:
    """Every CSAJ parameter by name, in catalog order; the same name always means the same value."""
    tpl = tpl or read_template()
    found: dict[str, ParameterInfo] = {}
    for entry in (*catalog.policies, *catalog.rule_articles):
        for p in _entry_parameters(entry):
            seen = found.get(p.name)
            if seen is None:
                found[p.name] = ParameterInfo(p.name, p.label.model_dump(), p.unit, p.value, tpl.parameters.get(p.name),
                                              (entry.id,))
            else:
                if seen.default != p.value:
                    raise CatalogError(f"{entry.id}: parameters.{p.name}: value {p.value!r} differs from "
                                       f"{seen.default!r} in {seen.items[0]}")
                if entry.id not in seen.items:
                    found[p.name] = ParameterInfo(seen.name, seen.label, seen.unit or p.unit, seen.default, seen.spec,
                                                  (*seen.items, entry.id))
    return found


def coerce_parameter(info: ParameterInfo, raw: Any) -> int | str:
    """The typed value for *raw* (form text or YAML value), or ParameterError saying what is allowed."""
    spec = info.spec
    if spec is None:
        raise ParameterError(info.name, "this value is fixed by the CSAJ policy and cannot be changed")
    if spec.type == "int":
        if isinstance(raw, bool):
            raise ParameterError(info.name, "expected a whole number")
        try:
            value = int(str(raw).strip()) if not isinstance(raw, int) else raw
        except ValueError:
            raise ParameterError(info.name, f"expected a whole number, got {raw!r}") from None
        if spec.min is not None and value < spec.min or spec.max is not None and value > spec.max:
            raise ParameterError(info.name, f"must be between {spec.min} and {spec.max}, got {value}")
        return value
    for choice in spec.choices:
        if str(choice) == str(raw).strip():
            return choice
    raise ParameterError(info.name, f"must be one of {', '.join(map(str, spec.choices))}, got {raw!r}")


def validate_parameters(catalog: Catalog, raw: dict[str, Any]) -> tuple[dict[str, int | str], list[ParameterError]]:
    """Check every override and the relations between them; returns the typed values and all problems."""
    params = parameters(catalog)
    values: dict[str, int | str] = {}
    problems: list[ParameterError] = []
    for name, value in raw.items():
        info = params.get(name)
        if info is None:
            problems.append(ParameterError(name, "unknown parameter"))
            continue
        try:
            values[name] = coerce_parameter(info, value)
        except ParameterError as err:
            problems.append(err)
    failed = {p.name for p in problems}
    for name, info in params.items():
        low_name = info.spec.at_least if info.spec else None
        if not low_name or {name, low_name} & failed or (name not in values and low_name not in values):
            continue
        high, low = values.get(name, info.default), values.get(low_name, params[low_name].default)
        if high < low:
            problems.append(ParameterError(name, f"must not be less than {low_name} ({low})") if name in values
                            else ParameterError(low_name, f"must not be more than {name} ({high})"))
    return values, problems


# --- the company's choices ------------------------------------------------------------------------------------------

class Impact(Strict):
    """The company's evaluation of one policy: impact on each aspect, in its own words where it wants."""

    confidentiality: str | None = None
    integrity: str | None = None
    availability: str | None = None
    accountability: str | None = None
    current_state: ShortText | None = None


class AssetClass(Strict):
    assets: list[ShortText] = Field(default=[], max_length=50)
    encrypt: bool | None = None


class PolicyChoices(Strict):
    """What a company decided for its rulebook. Stored by the web app and read from a YAML file by the CLI."""

    include: dict[str, bool] = {}  # should/may policy or rule article ID -> include it
    parameters: dict[str, StrictBool | StrictInt | StrictStr] = {}
    effective_date: dt.date | None = None
    assets: dict[str, AssetClass] = {}  # asset class ID (catalog self_evaluation) -> assets in that class
    impacts: dict[str, Impact] = {}  # policy ID -> evaluation

    @field_validator("parameters")
    @classmethod
    def _no_control(cls, value: dict[str, int | str]) -> dict[str, int | str]:
        for name, v in value.items():
            if isinstance(v, str) and has_control_characters(v):
                raise ValueError(f"{name}: control characters are not allowed")
        return value


def parse_choices(catalog: Catalog, data: Any, origin: str = "<choices>") -> PolicyChoices:
    """Validate choices; the first problem raises DataError naming the field (e.g. parameters.min_password_length)."""
    try:
        choices = PolicyChoices.model_validate(data or {})
    except ValidationError as err:
        raise DataError.from_validation(err, origin) from None
    tpl = template(catalog)
    selectable = {p.id for p in catalog.policies if p.level != "shall"} | {a.id for a in catalog.rule_articles}
    for item in choices.include:
        if item not in selectable:
            reason = ("a shall policy is always included when it applies" if item in catalog.by_id
                      else "unknown policy or rule article")
            raise DataError(origin, f"include.{item}", reason)
    values, problems = validate_parameters(catalog, choices.parameters)
    if problems:
        raise DataError(origin, f"parameters.{problems[0].name}", problems[0].reason)
    classes = {c.id for c in catalog.self_evaluation.asset_classes}
    for cid in choices.assets:
        if cid not in classes:
            raise DataError(origin, f"assets.{cid}", f"not an asset class; known: {', '.join(sorted(classes))}")
    levels = {lv.id for lv in tpl.impact_levels}
    policy_ids = {p.id for p in catalog.policies}
    for pid, impact in choices.impacts.items():
        if pid not in policy_ids:
            raise DataError(origin, f"impacts.{pid}", "unknown policy")
        for aspect in ASPECTS:
            level = getattr(impact, aspect)
            if level is not None and level not in levels:
                raise DataError(origin, f"impacts.{pid}.{aspect}", f"must be one of {', '.join(sorted(levels))}")
    return choices.model_copy(update={"parameters": values})


def parameter_values(catalog: Catalog, choices: PolicyChoices) -> dict[str, Any]:
    """Every parameter's value for this company: its override or the CSAJ default."""
    return {name: choices.parameters.get(name, info.default) for name, info in parameters(catalog).items()}


# --- which items go in ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A CSAJ policy or model rule article and whether it is in this company's rulebook, and why."""

    id: str
    kind: Literal["policy", "rule"]
    level: str  # shall / should / may, or "rule" for a model rule article
    section: str
    title: dict[str, str]
    applies: bool
    reason: dict[str, str]
    state: ItemState
    included: bool
    choosable: bool  # False for shall policies and for items that do not apply


def _applies(evaluator: Evaluator, item: str, cond: dict[str, Any] | None, state: ItemState) -> tuple[bool, dict]:
    """From the profile, unless the organisation recorded the item as not applicable (status na, with a reason)."""
    res = evaluator.decide(item, cond, ORG)[0]
    if res.applies and state.status == "na":
        return False, {"ja": f"対象外: {state.reason}", "en": f"not applicable: {state.reason}"}
    return res.applies, res.reason


def candidates(catalog: Catalog, assessment: Assessment, choices: PolicyChoices) -> list[Candidate]:
    """Every policy and rule article in catalog order; should/may follow the choices, else the recorded decision."""
    tpl = template(catalog)
    evaluator = Evaluator(catalog, assessment.profile)
    states = assessment.states()
    out = []
    for p in catalog.policies:
        state = states.get((p.id, ORG)) or ItemState(item=p.id)
        applies, reason = _applies(evaluator, p.id, p.applies_when, state)
        if p.level == "shall":
            included = applies
        elif p.id in choices.include:
            included = applies and choices.include[p.id]
        else:  # not chosen yet: what the organisation already decided or did
            included = applies and (state.decision in ("done", "will_do") or
                                    state.decision is None and state.status in ("done", "partly"))
        out.append(Candidate(p.id, "policy", p.level, p.section, p.title.model_dump(), applies, reason, state,
                             included, applies and p.level != "shall"))
    for art in catalog.rule_articles:
        state = states.get((art.id, ORG)) or ItemState(item=art.id)
        applies, reason = _applies(evaluator, art.id, tpl.rule_conditions.get(art.id), state)
        included = applies and choices.include.get(art.id, True)
        out.append(Candidate(art.id, "rule", "rule", art.section, art.title.model_dump(), applies, reason, state,
                             included, applies))
    return out
