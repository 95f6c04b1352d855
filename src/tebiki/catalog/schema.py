"""The catalog's schema: one pydantic model per kind of entry, strict (extra="forbid").

Every entry is data; code never holds catalog text. The loader (loader.py) is the only way in.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from tebiki.core.vocabulary import CATALOG_ROLE, DIFFICULTY, IMPORTANCE, LEVEL, POLICY_LEVEL

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

ROLES = CATALOG_ROLE.codes
CATEGORIES = tuple("ABCDEFGHIJKLM")
METHODS = (
    "vpn",
    "remote_desktop",
    "vdi",
    "secure_container",
    "secure_browser",
    "cloud_service",
    "standalone",
)
RATING_AXES = (
    "office_reproducibility",
    "congestion_impact",
    "introduction_cost",
    "introduction_workload",
    "security_control_ease",
)
GRADES = ("S", "A", "B", "C", "D")
CLOUD_KINDS = ("mail", "chat", "meeting", "file_sharing", "saas", "iaas")
WORK_FORMS = ("home", "satellite", "mobile")
TERMINALS = ("company", "byod")
DEVICE_KINDS = ("pc", "mobile")
WIFI_KINDS = ("home", "public")
CONNECTIONS = ("vpn_remote_desktop", "secure_browser", "cloud", "local")
OWNERS = ("company", "private")  # who owns a device (profile v2); private = BYOD
EQUIPMENT = tuple(f"{o}_{k}" for o in OWNERS for k in DEVICE_KINDS)  # the equipment fact: owner_kind
REMOTE_ACCESS = ("vpn_appliance", "rd_gateway", "vdi_gateway")
INFORMATION = ("personal_data", "my_number", "customer_confidential")

# Each Literal below is derived from the tuple above it, so a value is spelled once.
Role = CATALOG_ROLE.literal()
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
MethodId = Literal[METHODS]  # type: ignore[valid-type]
Grade = Literal[GRADES]  # type: ignore[valid-type]
CloudKind = Literal[CLOUD_KINDS]  # type: ignore[valid-type]
WorkFormId = Literal[WORK_FORMS]  # type: ignore[valid-type]
Terminal = Literal[TERMINALS]  # type: ignore[valid-type]
DeviceKind = Literal[DEVICE_KINDS]  # type: ignore[valid-type]
WifiKind = Literal[WIFI_KINDS]  # type: ignore[valid-type]
Connection = Literal[CONNECTIONS]  # type: ignore[valid-type]
Owner = Literal[OWNERS]  # type: ignore[valid-type]
RemoteAccess = Literal[REMOTE_ACCESS]  # type: ignore[valid-type]
Information = Literal[INFORMATION]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A piece of prose in Japanese and English, both required."""

    ja: NonEmpty
    en: NonEmpty


class PageRef(Strict):
    """Where a fact comes from in a paged document (page numbers as printed)."""

    page: int = Field(ge=1, le=200)


class SectionRef(Strict):
    """Where a fact comes from in a sectioned document, e.g. section "5.1.1", page 14."""

    section: NonEmpty
    page: int | None = Field(default=None, ge=1, le=200)


# ---------------------------------------------------------------- conditions
# A condition says when an entry applies to an organisation. It is one of
#   {all: [cond, ...]} / {any: [cond, ...]} / {not: cond}
#   or a single fact test, e.g. {method: vpn}, {terminal: byod}, {cloud: any}.
# Fact tests are evaluated by tebiki.core.applicability; the vocabulary is checked here.

FACTS: dict[str, tuple[Any, ...]] = {
    "method": METHODS,
    "work_form": WORK_FORMS,
    "terminal": TERMINALS,
    "device": DEVICE_KINDS,
    "equipment": (*EQUIPMENT, "any"),
    "cloud": (*CLOUD_KINDS, "any"),
    "wifi": (*WIFI_KINDS, "any"),
    "active_directory": (True, False),
    "external_media": (True, False),
    "local_breakout": (True, False),
    "office_connection": (True, False),
    "data_on_terminal": (True, False),
    "inhouse_admin": (True, False),
    "windows": (True, False),
    "online": (True, False),
    "servers": (True, False),
    "remote_access": (*REMOTE_ACCESS, "any"),
    "information": (*INFORMATION, "any"),
}


def check_condition(cond: Any, where: str = "applies_when") -> None:
    """Raise ValueError naming the path when *cond* is not a well-formed condition."""
    if not isinstance(cond, dict) or len(cond) != 1:
        raise ValueError(f"{where}: a condition is a mapping with exactly one key, got {cond!r}")
    (key, value), = cond.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ValueError(f"{where}.{key}: expected a non-empty list of conditions")
        for i, sub in enumerate(value):
            check_condition(sub, f"{where}.{key}[{i}]")
    elif key == "not":
        check_condition(value, f"{where}.not")
    elif key in FACTS:
        if value not in FACTS[key]:
            allowed = ", ".join(str(v).lower() for v in FACTS[key])
            raise ValueError(f"{where}.{key}: {value!r} is not one of {allowed}")
    else:
        raise ValueError(f"{where}: unknown fact {key!r}; known: all, any, not, {', '.join(FACTS)}")


class Conditional(Strict):
    applies_when: dict[str, Any] | None = None

    @field_validator("applies_when")
    @classmethod
    def _valid_condition(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_condition(value)
        return value


# ---------------------------------------------------------------- sources and MIC v5


class Source(Strict):
    id: Literal["mic-v5", "mic-checklist-1", "ssk-2020", "csaj-2018"]
    title: Text
    publisher: Text
    published: NonEmpty  # ISO date or year-month as printed
    edition: NonEmpty | None = None
    seed: NonEmpty  # which file of ../shared/seeds holds the text we read
    note: Text | None = None
    counts: dict[str, int]  # how many entries of each kind this source yields; the loader checks them


class WorkForm(Strict):
    id: WorkFormId
    title: Text
    summary: Text
    ref: PageRef


class Responsibility(Strict):
    number: int = Field(ge=1, le=10)
    title: Text
    summary: Text


class RoleEntry(Strict):
    id: Role
    title: Text
    summary: Text
    responsibilities: list[Responsibility]
    ref: PageRef

    @model_validator(mode="after")
    def _numbered_in_order(self) -> RoleEntry:
        numbers = [r.number for r in self.responsibilities]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"responsibilities: numbers must run 1..n in order, got {numbers}")
        return self


class CategoryEntry(Strict):
    id: Category
    title: Text
    description: Text
    detail_page: int = Field(ge=1, le=200)


class Explanation(Strict):
    """Chapter 5 of the guideline, summarised: what to do, why, how to see it is done."""

    what: Text
    why: Text
    how_to_check: Text
    page: int = Field(ge=1, le=200)


class Measure(Conditional):
    id: NonEmpty
    source: Literal["mic-v5"] = "mic-v5"
    role: Role
    category: Category
    number: int = Field(ge=1, le=20)
    level: LEVEL.literal()  # type: ignore[valid-type]
    scope: Literal["organisation", "department"]
    title: Text
    summary: Text
    explanation: Explanation
    # what the measure becomes on a privately owned device, where the company cannot enforce it (tebiki's note,
    # after the BYOD notes of chapter 4's methods); shown in the reason of departments that use private devices
    byod: Text | None = None
    ref: PageRef

    @model_validator(mode="after")
    def _id_matches_fields(self) -> Measure:
        expected = f"mic-v5:{self.role}:{self.category}-{self.number}"
        if self.id != expected:
            raise ValueError(f"id: expected {expected!r} from role/category/number, got {self.id!r}")
        return self


class GradeMeaning(Strict):
    grade: Grade
    meaning: Text


class RatingAxis(Strict):
    id: Literal[
        "office_reproducibility",
        "congestion_impact",
        "introduction_cost",
        "introduction_workload",
        "security_control_ease",
    ]
    title: Text
    summary: Text


class RatingScale(Strict):
    axes: list[RatingAxis]
    grades: list[GradeMeaning]
    ref: PageRef


class Point(Strict):
    title: Text
    summary: Text


class Rating(Strict):
    grade: Grade
    reason: Text


class MethodProperties(Strict):
    """Facts about a method that the applicability engine derives conditions from."""

    office_connection: bool  # the terminal reaches the office network or its systems
    data_on_terminal: bool  # business data is normally stored on the terminal


class Method(Strict):
    id: MethodId
    number: int = Field(ge=1, le=7)
    title: Text
    definition: Text
    basic_configuration: Text
    derived_configurations: list[Point]
    merits: list[Point] = Field(min_length=1)
    demerits: list[Point] = Field(min_length=1)
    considerations: list[Text] = Field(min_length=1)
    byod: Text
    ratings: dict[str, Rating]
    use_case: Text
    properties: MethodProperties
    v4_name: Text
    ref: PageRef

    @field_validator("ratings")
    @classmethod
    def _all_axes(cls, value: dict[str, Rating]) -> dict[str, Rating]:
        if sorted(value) != sorted(RATING_AXES):
            raise ValueError(f"ratings: expected exactly the axes {', '.join(RATING_AXES)}, got {', '.join(value)}")
        return value


class Combination(Strict):
    id: NonEmpty
    kind: Literal["local_breakout", "pc_and_mobile"]
    title: Text
    summary: Text
    methods: list[MethodId] = Field(min_length=2)
    ref: PageRef


class TroubleCase(Strict):
    id: NonEmpty
    number: int = Field(ge=1, le=15)
    title: Text
    happened: Text
    lesson: Text
    measures: list[NonEmpty] = Field(min_length=1)
    # when an organisation is exposed to this case (a condition on its facts); None: every organisation
    exposed_when: dict[str, Any] | None = None
    ref: PageRef

    @field_validator("exposed_when")
    @classmethod
    def _valid_exposure(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_condition(value, "exposed_when")
        return value

    @model_validator(mode="after")
    def _id_matches_number(self) -> TroubleCase:
        expected = f"mic-v5:case-{self.number:02d}"
        if self.id != expected:
            raise ValueError(f"id: expected {expected!r} from number, got {self.id!r}")
        return self


# ---------------------------------------------------------------- MIC checklist, first edition (via 000)

Importance = IMPORTANCE.literal()
Difficulty = DIFFICULTY.literal()


class LevelMeaning(Strict):
    id: NonEmpty
    title: Text
    meaning: Text


class PriorityCell(Strict):
    importance: Importance
    difficulty: Difficulty
    priority: NonEmpty


class PriorityLevel(Strict):
    id: NonEmpty
    rank: int = Field(ge=1, le=9)
    title: Text
    from_source: bool  # True where the source names this level; False where tebiki extends the matrix


class PriorityRule(Strict):
    importance: list[LevelMeaning]
    difficulty: list[LevelMeaning]
    priorities: list[PriorityLevel]
    matrix: list[PriorityCell]
    ref: SectionRef

    @model_validator(mode="after")
    def _complete_matrix(self) -> PriorityRule:
        cells = {(c.importance, c.difficulty) for c in self.matrix}
        want = {(i, d) for i in ("high", "medium", "low") for d in ("high", "not_high", "low")}
        if cells != want or len(self.matrix) != 9:
            raise ValueError("matrix: needs exactly one cell for each importance x difficulty pair (9)")
        known = {p.id for p in self.priorities}
        for c in self.matrix:
            if c.priority not in known:
                raise ValueError(f"matrix: unknown priority {c.priority!r}")
        return self


class Weight(Strict):
    points: float = Field(ge=0, le=20)
    cap: int | None = Field(default=None, ge=1, le=20)  # count at most this many
    rationale: Text


class ModelWeights(Strict):
    trouble_case: Weight  # per trouble case the measure addresses and the organisation is exposed to
    risk_type: Weight  # per SSK risk type the measure counters
    people: Weight  # times the share of teleworkers the measure concerns


class Thresholds(Strict):
    high: float
    medium: float

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.high > self.medium:
            raise ValueError("high: must be above medium")
        return self


class Factor(Strict):
    """A fact about the organisation that makes some measures more urgent for it."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    points: float = Field(gt=0, le=20)
    when: dict[str, Any]  # a condition on the organisation's facts
    measures: list[NonEmpty] = []
    categories: list[Category] = []
    label: Text  # a few words for the action's one-line why
    rationale: Text
    ref: PageRef | SectionRef

    @field_validator("when")
    @classmethod
    def _valid_when(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_condition(value, "when")
        return value

    @model_validator(mode="after")
    def _targets(self) -> Factor:
        if not self.measures and not self.categories:
            raise ValueError("measures: a factor needs measures or categories to raise")
        return self


class DifficultyRule(Strict):
    """Default difficulty for measures matching level / roles / categories (first matching rule wins)."""

    difficulty: Difficulty
    level: Literal["basic", "advanced"] | None = None
    roles: list[Role] = []
    categories: list[Category] = []
    rationale: Text


class Effort(Strict):
    """The rough effort shown in an action's why, by difficulty and who runs IT."""

    difficulty: Difficulty
    admin: Literal["inhouse", "outsourced", "any"] = "any"
    label: Text


class PriorityModel(Strict):
    """tebiki's risk model: how importance is scored for one organisation (docs/priority.md)."""

    summary: Text
    weights: ModelWeights
    thresholds: Thresholds  # score -> importance high / medium (else low)
    factors: list[Factor]
    difficulty: list[DifficultyRule] = Field(min_length=1)
    effort: list[Effort] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> PriorityModel:
        ids = [f.id for f in self.factors]
        if len(ids) != len(set(ids)):
            raise ValueError("factors: an id is used twice")
        if self.difficulty[-1].level or self.difficulty[-1].roles or self.difficulty[-1].categories:
            raise ValueError("difficulty: the last rule must match every measure (no level, roles, categories)")
        for d in ("high", "not_high", "low"):
            if not any(e.difficulty == d for e in self.effort):
                raise ValueError(f"effort: no label for difficulty {d!r}")
        return self


class LegacyType(Strict):
    """One of the first-edition checklist's 8 method types: terminal ownership x connection."""

    id: NonEmpty
    terminal: Terminal
    connection: Connection
    title: Text
    methods: list[MethodId] = Field(min_length=1)
    note: Text


class ConnectionType(Strict):
    id: Connection
    title: Text
    summary: Text


# ---------------------------------------------------------------- SSK


class RiskMeasure(Strict):
    side: Literal["admin", "user"]
    group: Text
    text: Text
    measures: list[NonEmpty]


class RiskType(Strict):
    id: NonEmpty
    number: int = Field(ge=1, le=6)
    title: Text
    summary: Text
    examples: list[Text] = Field(min_length=1)
    measures: list[NonEmpty] = Field(min_length=1)  # MIC measure IDs that counter this risk


class RiskCatalog(Strict):
    risk_types: list[RiskType]
    countermeasures: list[RiskMeasure]


# ---------------------------------------------------------------- CSAJ 2018

Param = int | float | str | bool | list[int] | list[str]


class Parameter(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    value: Param
    unit: NonEmpty | None = None
    label: Text


class Policy(Conditional):
    id: NonEmpty
    source: Literal["csaj-2018"] = "csaj-2018"
    section: Annotated[str, StringConstraints(pattern=r"^[5-8]\.\d\.\d$")]
    number: int = Field(ge=1, le=9)
    level: POLICY_LEVEL.literal()  # type: ignore[valid-type]
    negative: bool  # SHALL NOT / SHOULD NOT / NEED NOT
    side: Literal["admin", "user", "both"]
    title: Text
    text: Text
    rationale: Text
    parameters: list[Parameter] = []
    measures: list[NonEmpty] = []  # related MIC measures
    ref: SectionRef

    @model_validator(mode="after")
    def _id_matches_fields(self) -> Policy:
        expected = f"csaj-2018:{self.section}-{self.number}"
        if self.id != expected:
            raise ValueError(f"id: expected {expected!r} from section/number, got {self.id!r}")
        if self.ref.section != self.section:
            raise ValueError(f"ref.section: {self.ref.section!r} differs from section {self.section!r}")
        return self


class PolicySection(Strict):
    section: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){1,2}$")]
    title: Text
    group: Literal["terminal", "active_directory", "network", "logs", "rules", "education", "checklist"]
    page: int = Field(ge=1, le=100)


class RuleClause(Strict):
    number: int = Field(ge=1, le=20)
    text: Text
    parameters: list[Parameter] = []


class RuleArticle(Strict):
    """A 規程例: one article of a model rulebook, re-expressed."""

    id: NonEmpty
    section: NonEmpty
    title: Text
    requirement: Text
    clauses: list[RuleClause] = Field(min_length=1)
    measures: list[NonEmpty] = []
    ref: SectionRef


class EducationTopic(Strict):
    id: NonEmpty
    section: NonEmpty
    title: Text
    goal: Text
    key_points: list[Text] = Field(min_length=1)
    measures: list[NonEmpty] = []
    ref: SectionRef


class GlossaryEntry(Strict):
    """A term of the guideline's glossary (用語集) or a column that explains one, in our words.

    `matches` are the spellings that get this explanation where they appear in a text (the web app's `glossary`
    filter); a spelling belongs to one entry only (checked at load).
    """

    id: str = Field(pattern=r"^mic-v5:(term|column):[a-z0-9-]+$")
    kind: Literal["term", "column"]
    term: Text
    matches: list[NonEmpty] = Field(min_length=1)
    explanation: Text
    ref: PageRef

    @model_validator(mode="after")
    def _kind_matches_id(self) -> GlossaryEntry:
        if self.id.split(":")[1] != self.kind:
            raise ValueError(f"kind: {self.kind!r} does not match the ID {self.id!r}")
        return self


class Choice(Strict):
    id: NonEmpty
    title: Text
    meaning: Text


class SelfEvaluation(Strict):
    """The CSAJ self-evaluation sheet: what each row describes and what the company fills in."""

    policy_columns: list[Choice]
    evaluation_columns: list[Choice]
    asset_classes: list[Choice]
    impact_aspects: list[Choice]
    decisions: list[Choice]
    example: Text
    ref: SectionRef



# ---------------------------------------------------------------- mappings to other frameworks
# A mapping set relates MIC v5 measures to the controls or points of another framework (ISO/IEC 27001:2022
# Annex A, IPA's SECURITY ACTION). Targets are named by the other framework's own identifiers; the rationale is
# ours. Relationship: how the MIC measure relates to the target (equal, subset = the measure covers part of the
# target, superset = the measure covers more than the target, intersect = they overlap).

Relationship = Literal["equal", "subset", "superset", "intersect"]


class MappingTarget(Strict):
    ref: NonEmpty  # the other framework's identifier, e.g. "A.8.8" or "star-1-3"
    title: NonEmpty  # as the other framework names it, in its own language (no translation of ours)
    group: NonEmpty | None = None  # e.g. "star-1" for SECURITY ACTION's one-star points


class MappingLink(Strict):
    target: NonEmpty
    relationship: Relationship


class Mapping(Strict):
    measure: NonEmpty
    targets: list[MappingLink] = Field(min_length=1)
    rationale: Text


class MappingSet(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    framework: Text
    cited_from: list[NonEmpty] = Field(min_length=1)  # where the target identifiers and facts come from
    note: Text
    targets: list[MappingTarget] = Field(min_length=1)
    mappings: list[Mapping]

    @model_validator(mode="after")
    def _links_resolve(self) -> MappingSet:
        refs = [t.ref for t in self.targets]
        if len(refs) != len(set(refs)):
            raise ValueError("targets: a ref is listed twice")
        measures = [m.measure for m in self.mappings]
        if len(measures) != len(set(measures)):
            raise ValueError("mappings: a measure is mapped twice; list all its targets in one entry")
        for m in self.mappings:
            for link in m.targets:
                if link.target not in refs:
                    raise ValueError(f"mappings: {m.measure} points at {link.target!r}, which is not among the targets")
        return self


# ---------------------------------------------------------------- endpoint checks (tebiki/agent/checks.yaml)

CheckId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class Check(Strict):
    """One endpoint check: its texts, the catalog entries it gives evidence for, and its limits.

    A limit (`max_idle_minutes: 15`) is stated once; the rules read it and the texts name it as
    `{max_idle_minutes}`, so the title, the rule and the fix cannot disagree."""

    id: CheckId
    title: Text
    fix: Text
    measures: list[NonEmpty] = Field(min_length=1)
    policies: list[NonEmpty] = []
    limits: dict[CheckId, Annotated[int, Field(ge=1)]] = {}
    steps: dict[Literal["windows", "macos", "linux"], Text]  # what a device's user does, per OS

    @model_validator(mode="after")
    def _texts_name_only_its_limits(self) -> Check:
        if set(self.steps) != {"windows", "macos", "linux"}:
            raise ValueError("steps: give windows, macos and linux")
        texts = {"title": self.title, "fix": self.fix, **{f"steps.{os}": t for os, t in self.steps.items()}}
        for fieldname, text in texts.items():
            for lang in ("ja", "en"):
                for name in PLACEHOLDER.findall(getattr(text, lang)):
                    if name not in self.limits:
                        raise ValueError(f"{fieldname}.{lang}: {{{name}}} is not one of the check's limits "
                                         f"({', '.join(self.limits) or 'none'})")
        return self

    def text(self, fieldname: str, lang: str, os_name: str = "") -> str:
        """The title, fix or (with *os_name*) steps in *lang*, with the limits filled in."""
        text = self.steps[os_name] if fieldname == "steps" else getattr(self, fieldname)
        return getattr(text, lang).format(**self.limits)
