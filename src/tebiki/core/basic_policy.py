"""The 情報セキュリティ基本方針 (basic information security policy) as a plain document model.

A short policy the executive signs and publishes (SECURITY ACTION's two stars ask for one): purpose, scope (from
the profile), the executive's commitments (one per executive measure of the MIC guideline that applies and was not
decided 対応不要, with the planned date of a 対応予定), the rulebook's key values (from the policy page's
parameters), responsibilities and the review cycle. The wording is data/basic_policy.yaml, cross-checked against the
catalog; rendering to DOCX is tebiki.documents.basic_policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from tebiki.catalog import Catalog, content
from tebiki.catalog.schema import Strict

from .assessment import Assessment
from .plan import build_rows
from .policy import PolicyChoices, parameter_values, parameters, placeholders
from .reasons import FACT_PHRASES
from .rulebook import Paragraph, japanese_date


class Titled(Strict):
    heading: str
    text: str


class ScopeText(Titled):
    departments: str
    department: str
    information: str


class CommitmentsText(Strict):
    heading: str
    lead: str
    planned: str
    measures: dict[str, str]
    rules: str
    laws: str


class ResponsibilitiesText(Strict):
    heading: str
    executive: str
    admin: dict[Literal["inhouse", "outsourced"], str]
    worker: str


class BasicPolicyTemplate(Strict):
    title: str
    purpose: Titled
    scope: ScopeText
    commitments: CommitmentsText
    responsibilities: ResponsibilitiesText
    review: Titled
    enacted: str
    signature: str


def _check(catalog: Catalog, tpl: BasicPolicyTemplate) -> None:
    executive = {m.id for m in catalog.measures if m.role == "executive"}
    for mid in tpl.commitments.measures:
        if mid not in executive:
            raise content.Problem(f"commitments.measures.{mid}", "not an executive measure of the catalog")
    missing = sorted(executive - set(tpl.commitments.measures))
    if missing:
        raise content.Problem("commitments.measures", f"no commitment for {missing[0]}")
    unknown = placeholders(tpl.commitments.rules) - set(parameters(catalog))
    if unknown:
        raise content.Problem("commitments.rules", f"{sorted(unknown)[0]!r} is not a CSAJ parameter")


KIND = content.kind("basic_policy", "basic_policy.yaml", BasicPolicyTemplate, _check)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class BasicPolicy:
    title: str
    organisation: str
    date: dt.date
    date_text: str
    sections: tuple[Section, ...]
    enacted: str
    signature: str
    commitments: tuple[str, ...]  # the executive measures pledged, in catalog order

    def text(self) -> str:
        """The whole policy as plain text (for previews, search and tests)."""
        lines = [self.title, self.organisation, self.date_text, ""]
        for i, s in enumerate(self.sections, start=1):
            lines.append(f"{i}. {s.heading}")
            for p in s.paragraphs:
                lines.append(p.text)
                lines += [f"　・{item}" for item in p.items]
        return "\n".join([*lines, self.enacted, self.signature]) + "\n"


_cache: list[tuple[Catalog, BasicPolicyTemplate]] = []


def template(catalog: Catalog) -> BasicPolicyTemplate:
    if not _cache or _cache[0][0] is not catalog:
        _cache[:] = [(catalog, content.load(KIND, catalog))]
    return _cache[0][1]


def build_basic_policy(catalog: Catalog, assessment: Assessment, choices: PolicyChoices, day: dt.date) -> BasicPolicy:
    """The basic policy of the assessed organisation, dated *day*."""
    tpl = template(catalog)
    profile = assessment.profile
    org = profile.name
    date_text = japanese_date(day)
    rows = build_rows(catalog, assessment)
    methods = {m.id: m.title.ja for m in catalog.methods}

    pledged, pledges = [], []
    for m in catalog.measures:
        if m.role != "executive":
            continue
        mine = [r for r in rows if r.item == m.id and r.applies]
        if not mine or all(r.decision == "not_needed" for r in mine):
            continue
        text = tpl.commitments.measures[m.id]
        planned = [r.deadline for r in mine if r.decision == "will_do" and r.deadline and r.status != "done"]
        if planned:
            text += tpl.commitments.planned.format(date=japanese_date(min(planned)))
        pledged.append(m.id)
        pledges.append(text)
    values = parameter_values(catalog, choices)

    scope = [Paragraph(tpl.scope.text.format(organisation=org, teleworkers=profile.people)),
             Paragraph(tpl.scope.departments, tuple(
                 tpl.scope.department.format(name=d.name, people=d.people,
                                             methods="、".join(methods[x] for x in d.methods))
                 for d in profile.departments))]
    if profile.information:
        scope.append(Paragraph(tpl.scope.information, tuple(
            FACT_PHRASES[f"information:{i}"]["ja"].removesuffix("を扱う") for i in profile.information)))
    r = tpl.responsibilities
    sections = (
        Section(tpl.purpose.heading, (Paragraph(tpl.purpose.text.format(organisation=org)),)),
        Section(tpl.scope.heading, tuple(scope)),
        Section(tpl.commitments.heading, (Paragraph(tpl.commitments.lead, tuple(pledges)),
                                          Paragraph(tpl.commitments.rules.format(**values)),
                                          Paragraph(tpl.commitments.laws))),
        Section(r.heading, (Paragraph(r.executive), Paragraph(r.admin[profile.admin]), Paragraph(r.worker))),
        Section(tpl.review.heading, (Paragraph(tpl.review.text),)),
    )
    return BasicPolicy(tpl.title, org, day, date_text, sections, tpl.enacted.format(date=date_text),
                       tpl.signature.format(organisation=org), tuple(pledged))
