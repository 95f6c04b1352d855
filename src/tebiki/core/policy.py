"""The policy generator: from profile, recorded decisions and a company's choices to a telework security rulebook.

The rulebook (在宅勤務・テレワーク セキュリティ規程) is a plain document model: chapters of numbered articles
whose paragraphs are the CSAJ 2018 policies that apply (every shall item, should/may items as chosen) and the model
rule articles, with the CSAJ parameters substituted. The frame articles and clause wording live in
data/policy_document.yaml; policy statements come from the catalog. The same inputs give the CSAJ self-evaluation
sheet (see self_evaluation()). No I/O beyond reading that YAML once; rendering to DOCX/xlsx is in tebiki.policy_files.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from tebiki.catalog import Catalog
from tebiki.catalog.loader import CatalogError
from tebiki.catalog.schema import check_condition

from .applicability import ORG, Evaluator
from .assessment import Assessment, ItemState
from .errors import DataError

DATA = Path(__file__).parent / "data" / "policy_document.yaml"
ASPECTS = ("confidentiality", "integrity", "availability", "accountability")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not storable in PostgreSQL text or Office XML


def no_control_characters(text: str) -> str:
    if _CONTROL.search(text):
        raise ValueError("control characters are not allowed")
    return text


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                      AfterValidator(no_control_characters)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the document template (data/policy_document.yaml) -------------------------------------------------------------

class ParagraphTemplate(_Strict):
    text: str
    items: list[str] = []
    items_from_education: bool = False


class ArticleTemplate(_Strict):
    title: str
    paragraphs: list[ParagraphTemplate] = Field(min_length=1)


class ChapterTemplate(_Strict):
    title: str
    articles: list[ArticleTemplate] = []


class PolicyChapter(_Strict):
    prefix: Annotated[str, StringConstraints(pattern=r"^[5-8](\.\d)?$")]
    title: str


class Supplementary(_Strict):
    title: str
    enacted: str  # the line under the title: "{date}制定"
    effective: str
    transition: str
    transition_item: str


class Tables(_Strict):
    parameters: str
    parameters_header: list[str] = Field(min_length=4, max_length=4)
    mapping: str
    mapping_header: list[str] = Field(min_length=3, max_length=3)
    levels: dict[Literal["shall", "should", "may", "rule"], str]
    yes_word: str
    no_word: str


class ParamSpec(_Strict):
    """What a company may set a parameter to; the default is always the catalog's CSAJ value."""

    type: Literal["int", "choice"]
    min: int | None = None
    max: int | None = None
    choices: list[int | str] = []
    at_least: str | None = None  # another parameter this one may not be below


class Era(_Strict):
    name: str
    start: dt.date


class Level(_Strict):
    id: str
    title: dict[Literal["ja", "en"], str]


class SheetTemplate(_Strict):
    title: str
    evaluation: str
    assets: str
    legend: str
    extra_columns: dict[Literal["item_id", "level", "applies", "included", "owner"], str]
    asset_header: list[str] = Field(min_length=4, max_length=4)
    legend_header: list[str] = Field(min_length=2, max_length=2)
    statuses: dict[Literal["unchecked", "done", "partly", "not_done", "na"], str]
    applies_word: str
    not_applicable_word: str
    encrypt_word: str
    no_encrypt_word: str
    with_deadline: str
    example_title: str


class DocumentTemplate(_Strict):
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


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def _read_template() -> DocumentTemplate:
    try:
        return DocumentTemplate.model_validate(yaml.safe_load(DATA.read_text(encoding="utf-8")))
    except ValidationError as err:
        first = err.errors()[0]
        raise CatalogError(f"{DATA.name}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


_checked: list[tuple[Catalog, DocumentTemplate]] = []  # the last catalog checked, so a request checks once


def template(catalog: Catalog) -> DocumentTemplate:
    """The validated template, cross-checked against the catalog (parameters, IDs, placeholders)."""
    if _checked and _checked[0][0] is catalog:
        return _checked[0][1]
    tpl = check_template(catalog, _read_template())
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
        unknown = _placeholders(text) - own
        if unknown:
            fail(key, f"placeholder {sorted(unknown)[0]!r} is not a parameter of {entry_id}")
    for p in catalog.policies:
        editable = {x.name for x in p.parameters if x.name in tpl.parameters}
        if editable and p.id not in tpl.policy_clauses:
            fail(p.id, "has parameters a company may change but no clause wording in policy_clauses")
        missing = editable - _placeholders(tpl.policy_clauses.get(p.id, ""))
        if missing:
            fail(p.id, f"the clause does not show parameter {sorted(missing)[0]!r}")
    for art in catalog.rule_articles:
        for clause in art.clauses:
            editable = {x.name for x in clause.parameters if x.name in tpl.parameters}
            key = f"{art.id}#{clause.number}"
            if editable - _placeholders(tpl.rule_clauses.get(key, "")):
                fail(key, "has parameters a company may change but its clause wording does not show them")
    for rid, cond in tpl.rule_conditions.items():
        if rid not in {a.id for a in catalog.rule_articles}:
            fail(f"rule_conditions.{rid}", "unknown rule article")
        try:
            check_condition(cond)
        except ValueError as err:
            fail(f"rule_conditions.{rid}", str(err))
    return tpl


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
    tpl = tpl or _read_template()
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

class Impact(_Strict):
    """The company's evaluation of one policy: impact on each aspect, in its own words where it wants."""

    confidentiality: str | None = None
    integrity: str | None = None
    availability: str | None = None
    accountability: str | None = None
    current_state: ShortText | None = None


class AssetClass(_Strict):
    assets: list[ShortText] = Field(default=[], max_length=50)
    encrypt: bool | None = None


class PolicyChoices(_Strict):
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
            if isinstance(v, str) and _CONTROL.search(v):
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


# --- the document model ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paragraph:
    text: str
    items: tuple[str, ...] = ()
    source: str | None = None  # the policy or rule article it comes from


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def label(self) -> str:
        return f"第{self.number}条"

    def cite(self, source: str) -> str:
        """"第12条" or "第12条第2項" for the paragraph that came from *source*."""
        if len(self.paragraphs) == 1:
            return self.label
        index = next(i for i, p in enumerate(self.paragraphs, start=1) if p.source == source)
        return f"{self.label}第{index}項"


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    articles: tuple[Article, ...]

    @property
    def label(self) -> str:
        return f"第{self.number}章"


@dataclass(frozen=True)
class ParameterRow:
    name: str
    label: str
    value: str
    default: str
    changed: bool
    articles: tuple[str, ...]


@dataclass(frozen=True)
class MappingRow:
    article: str
    item: str
    title: str
    level: str


@dataclass(frozen=True)
class PolicyDocument:
    title: str
    organisation: str
    effective_date: dt.date
    date_text: str
    chapters: tuple[Chapter, ...]
    supplementary: tuple[Paragraph, ...]
    supplementary_title: str
    parameters_title: str
    parameters_header: tuple[str, ...]
    parameters: tuple[ParameterRow, ...]
    mapping_title: str
    mapping_header: tuple[str, ...]
    mapping: tuple[MappingRow, ...]
    included: tuple[str, ...]
    excluded: tuple[str, ...] = field(default=())

    @property
    def articles(self) -> list[Article]:
        return [a for c in self.chapters for a in c.articles]

    def text(self) -> str:
        """The whole rulebook as plain text (for previews, search and tests)."""
        lines = [self.title, self.organisation, self.date_text, ""]
        for ch in self.chapters:
            lines.append(f"{ch.label}　{ch.title}")
            for art in ch.articles:
                lines.append(f"{art.label}（{art.title}）")
                lines += paragraph_lines(art.paragraphs)
        lines.append(self.supplementary_title)
        lines += paragraph_lines(self.supplementary)
        lines.append(self.parameters_title)
        lines += ["　".join((r.label, r.value, r.default, "、".join(r.articles))) for r in self.parameters]
        lines.append(self.mapping_title)
        lines += ["　".join((r.article, r.item, r.title, r.level)) for r in self.mapping]
        return "\n".join(lines) + "\n"


KANJI_DIGITS = "〇一二三四五六七八九"


def kanji_number(n: int) -> str:
    """1..99 in kanji numerals, as items (号) of a Japanese rulebook are numbered."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else KANJI_DIGITS[tens]) + "十" if tens else "") + (KANJI_DIGITS[ones] if ones else "")


def paragraph_lines(paragraphs: tuple[Paragraph, ...]) -> list[str]:
    """Paragraph texts numbered like a Japanese rulebook: 項 with digits when there are several, 号 with kanji."""
    lines = []
    for i, p in enumerate(paragraphs, start=1):
        lines.append(f"{i}　{p.text}" if len(paragraphs) > 1 else p.text)
        lines += [f"　{kanji_number(j)}　{item}" for j, item in enumerate(p.items, start=1)]
    return lines


def japanese_date(day: dt.date, era: Era | None = None) -> str:
    """令和8年12月1日 (元年 for the first year); dates before the era in the Western calendar."""
    era = era or _read_template().era
    if day < era.start:
        return f"{day.year}年{day.month}月{day.day}日"
    year = day.year - era.start.year + 1
    return f"{era.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def format_value(value: Any, tpl: DocumentTemplate) -> str:
    if isinstance(value, bool):
        return tpl.tables.yes_word if value else tpl.tables.no_word
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _with_unit(value: Any, unit: str | None, tpl: DocumentTemplate) -> str:
    return format_value(value, tpl) + (tpl.units.get(unit, unit) if unit and not isinstance(value, bool) else "")


def text_context(catalog: Catalog, tpl: DocumentTemplate, choices: PolicyChoices, organisation: str,
                 effective: dt.date) -> dict[str, str]:
    """What the {placeholders} of the template stand for, for this company."""
    context = {name: format_value(v, tpl) for name, v in parameter_values(catalog, choices).items()}
    context.update(organisation=organisation, effective_date=japanese_date(effective, tpl.era))
    return context


def policy_clause(tpl: DocumentTemplate, policy: Any, context: dict[str, str]) -> str:
    """A policy's paragraph: tebiki's wording with this company's values, or the catalog statement."""
    return tpl.policy_clauses.get(policy.id, policy.text.ja).format_map(context)


def build_document(catalog: Catalog, assessment: Assessment, choices: PolicyChoices, today: dt.date) -> PolicyDocument:
    """The company's rulebook: frame articles, the included policies and rules, 附則 and the two tables."""
    tpl = template(catalog)
    cands = {c.id: c for c in candidates(catalog, assessment, choices)}
    values = parameter_values(catalog, choices)
    effective = choices.effective_date or today
    context = text_context(catalog, tpl, choices, assessment.profile.name, effective)

    def fill(text: str) -> str:
        return text.format_map(context)

    counter = iter(range(1, 1000))
    chapters: list[Chapter] = []
    where: dict[str, Article] = {}

    def frame(ch: ChapterTemplate) -> list[Article]:
        arts = []
        for a in ch.articles:
            paras = []
            for p in a.paragraphs:
                items = [fill(i) for i in p.items]
                if p.items_from_education:
                    items += [t.title.ja for t in catalog.education]
                paras.append(Paragraph(fill(p.text), tuple(items)))
            arts.append(Article(next(counter), a.title, tuple(paras)))
        return arts

    def add(title: str, articles: list[Article]) -> None:
        if articles:
            chapters.append(Chapter(len(chapters) + 1, title, tuple(articles)))

    add(tpl.opening.title, frame(tpl.opening))
    for pc in tpl.policy_chapters:
        arts = []
        for sec in catalog.policy_sections:
            if not (sec.section == pc.prefix or sec.section.startswith(pc.prefix + ".")):
                continue
            paras = tuple(Paragraph(policy_clause(tpl, p, context), (), p.id)
                          for p in catalog.policies if p.section == sec.section and cands[p.id].included)
            if paras:
                art = Article(next(counter), sec.title.ja, paras)
                arts.append(art)
                where.update({p.source: art for p in paras})
        add(pc.title, arts)
    rule_arts = []
    for ra in catalog.rule_articles:
        if cands[ra.id].included:
            paras = tuple(Paragraph(fill(tpl.rule_clauses.get(f"{ra.id}#{c.number}", c.text.ja)), (), ra.id)
                          for c in ra.clauses)
            art = Article(next(counter), ra.title.ja, paras)
            rule_arts.append(art)
            where[ra.id] = art
    add(tpl.rules_chapter.title, rule_arts)
    add(tpl.education_chapter.title, frame(tpl.education_chapter))
    add(tpl.closing.title, frame(tpl.closing))

    def cite(item: str) -> str:
        return where[item].label if cands[item].kind == "rule" else where[item].cite(item)

    supplementary = [Paragraph(fill(tpl.supplementary.effective))]
    pending = [c for c in cands.values() if c.included and c.state.decision == "will_do" and c.state.deadline]
    if pending:
        items = tuple(tpl.supplementary.transition_item.format(
            article=cite(c.id), title=where[c.id].title, deadline=japanese_date(c.state.deadline, tpl.era))
            for c in sorted(pending, key=lambda c: where[c.id].number))
        supplementary.append(Paragraph(fill(tpl.supplementary.transition), items))

    stated = set().union(*(_placeholders(t) for key, t in (*tpl.policy_clauses.items(), *tpl.rule_clauses.items())
                           if key.split("#")[0] in where))
    rows = []
    for name, info in parameters(catalog, tpl).items():
        used = [i for i in info.items if i in where]
        if used and name in stated:  # the values the articles state; the rest stays in the catalog wording
            rows.append(ParameterRow(name, info.label["ja"], _with_unit(values[name], info.unit, tpl),
                                     _with_unit(info.default, info.unit, tpl), values[name] != info.default,
                                     tuple(dict.fromkeys(cite(i) for i in used))))
    levels = tpl.tables.levels
    mapping = tuple(MappingRow(cite(i), i.removeprefix("csaj-2018:"), cands[i].title["ja"], levels[cands[i].level])
                    for i in sorted(where, key=lambda i: (where[i].number, i)))
    return PolicyDocument(
        title=tpl.title, organisation=assessment.profile.name, effective_date=effective,
        date_text=tpl.supplementary.enacted.format(date=japanese_date(today, tpl.era)), chapters=tuple(chapters),
        supplementary=tuple(supplementary), supplementary_title=tpl.supplementary.title, parameters_title=tpl.tables.parameters,
        parameters_header=tuple(tpl.tables.parameters_header), parameters=tuple(rows),
        mapping_title=tpl.tables.mapping, mapping_header=tuple(tpl.tables.mapping_header), mapping=mapping,
        included=tuple(c.id for c in cands.values() if c.included),
        excluded=tuple(c.id for c in cands.values() if not c.included))
