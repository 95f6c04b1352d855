"""The rulebook (在宅勤務・テレワーク セキュリティ規程) as a plain document model, numbered like a Japanese 規程.

Chapters of numbered articles (第N条), paragraphs (項) and items (号); 附則 with the effective date in the
Japanese era and the planned items as a transitional provision; 別表1 (the values) and 別表2 (which article holds
which CSAJ item). Built from tebiki.core.policy's template, parameters, choices and candidates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tebiki.catalog import Catalog

from .assessment import Assessment
from .policy import (
    ChapterTemplate,
    DocumentTemplate,
    Era,
    PolicyChoices,
    candidates,
    parameter_values,
    parameters,
    placeholders,
    read_template,
    template,
)


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
    era = era or read_template().era
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

    stated = set().union(*(placeholders(t) for key, t in (*tpl.policy_clauses.items(), *tpl.rule_clauses.items())
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
