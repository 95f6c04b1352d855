"""Load the catalog: YAML files under this package (one folder per source) or an exported JSON.

The loader is the only way into the catalog. It validates every entry against schema.py,
resolves every cross-reference by ID and checks the counts each source declares. Any problem
raises CatalogError("<file>: <entry id>.<field>: <reason>").
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import schema as s

CATALOG_DIR = Path(__file__).parent
# The endpoint checks live next to the rules that decide them; they are part of the packaged catalog.
AGENT_CHECKS = CATALOG_DIR.parent / "agent" / "checks.yaml"
EXPORT_SCHEMA = "tebiki-catalog/1"
# libyaml's parser when PyYAML was built with it (it is in the wheels), else the pure-Python one.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# kind -> (model, is_list). A YAML file is a mapping of kinds to entries.
KINDS: dict[str, tuple[type[BaseModel], bool]] = {
    "source": (s.Source, False),
    "work_forms": (s.WorkForm, True),
    "roles": (s.RoleEntry, True),
    "categories": (s.CategoryEntry, True),
    "rating_scale": (s.RatingScale, False),
    "methods": (s.Method, True),
    "combinations": (s.Combination, True),
    "measures": (s.Measure, True),
    "trouble_cases": (s.TroubleCase, True),
    "priority_rule": (s.PriorityRule, False),
    "priority_model": (s.PriorityModel, False),
    "connection_types": (s.ConnectionType, True),
    "legacy_types": (s.LegacyType, True),
    "risk_types": (s.RiskType, True),
    "risk_countermeasures": (s.RiskMeasure, True),
    "policy_sections": (s.PolicySection, True),
    "policies": (s.Policy, True),
    "rule_articles": (s.RuleArticle, True),
    "education": (s.EducationTopic, True),
    "self_evaluation": (s.SelfEvaluation, False),
    "mapping_sets": (s.MappingSet, True),
    "checks": (s.Check, True),
    "glossary": (s.GlossaryEntry, True),
}


class CatalogError(Exception):
    """The catalog data is malformed; the message names file, entry and field."""


def _entry_name(raw: Any, index: int) -> str:
    if isinstance(raw, dict):
        for key in ("id", "section", "number"):
            if key in raw:
                return str(raw[key])
    return f"#{index + 1}"


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _describe(err: ValidationError) -> str:
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(entry)"
    msg = first["msg"].removeprefix("Value error, ")
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"{loc}: {msg}{more}"


@dataclass
class Catalog:
    """The whole catalog, validated. Lists keep file order; lookups go through by_id."""

    sources: list[s.Source] = field(default_factory=list)
    work_forms: list[s.WorkForm] = field(default_factory=list)
    roles: list[s.RoleEntry] = field(default_factory=list)
    categories: list[s.CategoryEntry] = field(default_factory=list)
    rating_scale: s.RatingScale | None = None
    methods: list[s.Method] = field(default_factory=list)
    combinations: list[s.Combination] = field(default_factory=list)
    measures: list[s.Measure] = field(default_factory=list)
    trouble_cases: list[s.TroubleCase] = field(default_factory=list)
    priority_rule: s.PriorityRule | None = None
    priority_model: s.PriorityModel | None = None
    connection_types: list[s.ConnectionType] = field(default_factory=list)
    legacy_types: list[s.LegacyType] = field(default_factory=list)
    risk_types: list[s.RiskType] = field(default_factory=list)
    risk_countermeasures: list[s.RiskMeasure] = field(default_factory=list)
    policy_sections: list[s.PolicySection] = field(default_factory=list)
    policies: list[s.Policy] = field(default_factory=list)
    rule_articles: list[s.RuleArticle] = field(default_factory=list)
    education: list[s.EducationTopic] = field(default_factory=list)
    self_evaluation: s.SelfEvaluation | None = None
    mapping_sets: list[s.MappingSet] = field(default_factory=list)
    checks: list[s.Check] = field(default_factory=list)
    glossary: list[s.GlossaryEntry] = field(default_factory=list)

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the whole content; what was derived from an older catalog is stale when it differs."""
        content = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @cached_property
    def by_id(self) -> dict[str, BaseModel]:
        """Every entry that has a stable ID: measures, methods, cases, policies, risks, rules…"""
        index: dict[str, BaseModel] = {}
        for entry in (*self.measures, *self.trouble_cases, *self.policies, *self.risk_types,
                      *self.rule_articles, *self.education, *self.methods):
            index[entry.id] = entry
        return index

    @cached_property
    def cases_for_measure(self) -> dict[str, list[s.TroubleCase]]:
        """Measure ID -> the trouble cases that name it (derived, never stored twice)."""
        out: dict[str, list[s.TroubleCase]] = {m.id: [] for m in self.measures}
        for case in self.trouble_cases:
            for mid in case.measures:
                out[mid].append(case)
        return out

    @cached_property
    def risks_for_measure(self) -> dict[str, list[s.RiskType]]:
        out: dict[str, list[s.RiskType]] = {m.id: [] for m in self.measures}
        for risk in self.risk_types:
            for mid in risk.measures:
                out[mid].append(risk)
        return out

    @cached_property
    def policies_for_measure(self) -> dict[str, list[s.Policy]]:
        out: dict[str, list[s.Policy]] = {m.id: [] for m in self.measures}
        for policy in self.policies:
            for mid in policy.measures:
                out[mid].append(policy)
        return out

    def method(self, method_id: str) -> s.Method:
        return next(m for m in self.methods if m.id == method_id)

    def category(self, letter: str) -> s.CategoryEntry:
        return next(c for c in self.categories if c.id == letter)

    def to_export(self) -> dict[str, Any]:
        """The public JSON contract (schema tebiki-catalog/1)."""
        out: dict[str, Any] = {"schema": EXPORT_SCHEMA}
        for kind, (_, is_list) in KINDS.items():
            key = "sources" if kind == "source" else kind
            value = self.sources if kind == "source" else getattr(self, kind)
            if is_list or kind == "source":
                out[key] = [e.model_dump(mode="json") for e in value]
            else:
                out[key] = value.model_dump(mode="json") if value is not None else None
        return out


class _Builder:
    def __init__(self) -> None:
        self.catalog = Catalog()
        self.origin: dict[int, str] = {}  # id(entry) -> file it came from

    def add(self, kind: str, raw: Any, origin: str) -> None:
        if kind not in KINDS:
            raise CatalogError(f"{origin}: unknown top-level key {kind!r}; expected one of {', '.join(KINDS)}")
        model, is_list = KINDS[kind]
        items: Iterable[Any]
        if is_list:
            if not isinstance(raw, list):
                raise CatalogError(f"{origin}: {kind}: expected a list of entries")
            items = raw
        else:
            items = [raw]
        for index, item in enumerate(items):
            try:
                entry = model.model_validate(item)
            except ValidationError as err:
                raise CatalogError(f"{origin}: {_entry_name(item, index)}.{_describe(err)}") from None
            self.origin[id(entry)] = origin
            if kind == "source":
                self.catalog.sources.append(entry)
            elif is_list:
                getattr(self.catalog, kind).append(entry)
            else:
                if getattr(self.catalog, kind) is not None:
                    raise CatalogError(f"{origin}: {kind}: defined twice")
                setattr(self.catalog, kind, entry)

    def where(self, entry: BaseModel) -> str:
        return self.origin.get(id(entry), "<catalog>")

    def finish(self) -> Catalog:
        c = self.catalog
        self._unique_ids()
        measure_ids = {m.id for m in c.measures}

        def refs(entry: BaseModel, fieldname: str, ids: Iterable[str], known: set[str], what: str) -> None:
            for ref in ids:
                if ref not in known:
                    name = getattr(entry, "id", None) or getattr(entry, "section", "?")
                    raise CatalogError(f"{self.where(entry)}: {name}.{fieldname}: unknown {what} {ref!r}")

        for case in c.trouble_cases:
            refs(case, "measures", case.measures, measure_ids, "measure")
        for risk in c.risk_types:
            refs(risk, "measures", risk.measures, measure_ids, "measure")
        for cm in c.risk_countermeasures:
            refs(cm, "measures", cm.measures, measure_ids, "measure")
        for policy in c.policies:
            refs(policy, "measures", policy.measures, measure_ids, "measure")
        if c.priority_model is not None:
            for factor in c.priority_model.factors:
                if any(ref not in measure_ids for ref in factor.measures):
                    bad = next(ref for ref in factor.measures if ref not in measure_ids)
                    raise CatalogError(f"{self.where(c.priority_model)}: factors.{factor.id}.measures: "
                                       f"unknown measure {bad!r}")
        for art in c.rule_articles:
            refs(art, "measures", art.measures, measure_ids, "measure")
        for topic in c.education:
            refs(topic, "measures", topic.measures, measure_ids, "measure")
        for mset in c.mapping_sets:
            refs(mset, "mappings", [m.measure for m in mset.mappings], measure_ids, "measure")
        letters = {cat.id for cat in c.categories}
        for m in c.measures:
            refs(m, "category", [m.category], letters, "category")
        policy_ids = {p.id for p in c.policies}
        for check in c.checks:
            refs(check, "measures", check.measures, measure_ids, "measure")
            refs(check, "policies", check.policies, policy_ids, "policy")
        spelled: dict[str, s.GlossaryEntry] = {}
        for term in c.glossary:
            for word in term.matches:
                if word in spelled:
                    raise CatalogError(f"{self.where(term)}: {term.id}.matches: {word!r} is already a spelling of "
                                       f"{spelled[word].id}")
                spelled[word] = term
        sections = {ps.section for ps in c.policy_sections}
        for policy in c.policies:
            refs(policy, "section", [policy.section], sections, "section")
        self._counts()
        return c

    def _unique_ids(self) -> None:
        seen: dict[str, BaseModel] = {}
        c = self.catalog
        for entry in (*c.measures, *c.trouble_cases, *c.policies, *c.risk_types, *c.rule_articles,
                      *c.education, *c.methods, *c.combinations, *c.legacy_types, *c.categories,
                      *c.roles, *c.work_forms, *c.sources, *c.mapping_sets, *c.checks, *c.glossary):
            if entry.id in seen and seen[entry.id] is not entry:
                raise CatalogError(f"{self.where(entry)}: {entry.id}.id: duplicate ID (also in {self.where(seen[entry.id])})")
            seen[entry.id] = entry

    def _counts(self) -> None:
        c = self.catalog
        actual: Counter[str] = Counter()
        for kind, (_, is_list) in KINDS.items():
            if is_list:
                actual[kind] = len(getattr(c, kind))
        for m in c.measures:
            actual[f"measures.{m.role}"] += 1
            actual[f"measures.{m.level}"] += 1
        for p in c.policies:
            actual[f"policies.{p.level}"] += 1
        for src in c.sources:
            for key, want in src.counts.items():
                if actual[key] != want:
                    raise CatalogError(
                        f"{self.where(src)}: {src.id}.counts.{key}: the source declares {want} but the catalog has {actual[key]}"
                    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise CatalogError(f"{path}: {line}not valid YAML: {getattr(err, 'problem', err)}") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping of kinds (measures:, policies: …) at the top")
    return data


def catalog_files(root: Path = CATALOG_DIR) -> list[Path]:
    """The YAML files of a catalog folder; the packaged one also has the endpoint checks."""
    extra = [AGENT_CHECKS] if root == CATALOG_DIR else []
    return sorted(p for p in root.glob("*/*.yaml")) + extra


def load_checks(path: Path = AGENT_CHECKS) -> list[s.Check]:
    """The endpoint checks alone, validated (their catalog references are resolved by load_catalog)."""
    builder = _Builder()
    for kind, raw in _read_yaml(path).items():
        if kind != "checks":
            raise CatalogError(f"{path}: only checks: belongs here, not {kind!r}")
        builder.add(kind, raw, str(path))
    builder._unique_ids()
    return builder.catalog.checks


def load_catalog(root: Path | str = CATALOG_DIR) -> Catalog:
    """Load and validate every YAML file under *root* (one folder per source document)."""
    builder = _Builder()
    root = Path(root)
    for path in catalog_files(root):
        shown = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
        for kind, raw in _read_yaml(path).items():
            builder.add(kind, raw, shown)
    return builder.finish()


def load_export(data: dict[str, Any] | str, origin: str = "<export>") -> Catalog:
    """Load a catalog from its exported JSON (a dict or a JSON string); validates as load_catalog does."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as err:
            raise CatalogError(f"{origin}: line {err.lineno}: not valid JSON: {err.msg}") from None
    if not isinstance(data, dict) or data.get("schema") != EXPORT_SCHEMA:
        raise CatalogError(f"{origin}: schema: expected {EXPORT_SCHEMA!r}")
    builder = _Builder()
    for key, raw in data.items():
        if key == "schema" or raw is None:
            continue
        kind = "source" if key == "sources" else key
        if kind == "source":
            for item in raw:
                builder.add("source", item, origin)
        else:
            builder.add(kind, raw, origin)
    return builder.finish()


_cached: Catalog | None = None


def get_catalog() -> Catalog:
    """The packaged catalog, loaded once per process."""
    global _cached
    if _cached is None:
        _cached = load_catalog()
    return _cached


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(data: Any) -> str:
    """The canonical form of a catalog file: UTF-8 Japanese as is, key order kept, prose in | blocks."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
