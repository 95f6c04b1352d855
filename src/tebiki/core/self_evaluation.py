"""The CSAJ self-evaluation sheet (在宅勤務セキュリティチェックリスト) filled in with a company's evaluation.

One row per CSAJ policy: what it asks (in this company's values), the threat it answers, whether it applies,
the company's impact ratings for confidentiality, integrity, availability and accountability, and the decision
実施済み / する（期限） / 不要 taken from the recorded states. Plain data; tebiki.documents.policy_files writes the xlsx.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tebiki.catalog import Catalog

from .assessment import Assessment, ItemState
from .policy import ASPECTS, PolicyChoices, candidates, template
from .rulebook import japanese_date, policy_clause, text_context
from .vocabulary import STATUS


@dataclass(frozen=True)
class EvaluationRow:
    no: int
    item: str
    category: str
    title: str
    detail: str
    threat_scenario: str
    threat_class: str
    level: str
    applies: str
    included: str
    current_state: str
    impacts: tuple[str, ...]  # one per ASPECTS entry
    decision: str
    owner: str


@dataclass(frozen=True)
class AssetRow:
    level: str
    meaning: str
    assets: str
    encrypt: str


@dataclass(frozen=True)
class SelfEvaluationSheet:
    title: str
    organisation: str
    date_text: str
    evaluation_title: str
    columns: tuple[str, ...]
    evaluation_start: int  # index of the first column the company fills in (現状 … 実施判定)
    rows: tuple[EvaluationRow, ...]
    assets_title: str
    asset_header: tuple[str, ...]
    assets: tuple[AssetRow, ...]
    legend_title: str
    legend_header: tuple[str, ...]
    legend: tuple[tuple[str, str], ...]
    example_title: str
    example: str
    impact_choices: tuple[str, ...]


def decision_text(catalog: Catalog, state: ItemState, applies: bool) -> str:
    """実施済み / する（令和9年3月31日まで） / 不要 from the recorded state; empty while undecided."""
    words = {d.id: d.title.ja for d in catalog.self_evaluation.decisions}
    tpl = template(catalog)
    if not applies:
        return ""
    decision = state.decision or ("done" if state.status == "done" else None)
    if decision == "will_do" and state.deadline:
        return tpl.sheet.with_deadline.format(decision=words["will_do"], deadline=japanese_date(state.deadline, tpl.era))
    return words.get(decision, "") if decision else ""


def self_evaluation(catalog: Catalog, assessment: Assessment, choices: PolicyChoices, today: dt.date) -> SelfEvaluationSheet:
    """The sheet for this company: every CSAJ policy with its evaluation, the asset classes and the legend."""
    tpl = template(catalog)
    sheet = tpl.sheet
    se = catalog.self_evaluation
    cands = {c.id: c for c in candidates(catalog, assessment, choices)}
    context = text_context(catalog, tpl, choices, assessment.profile.name, choices.effective_date or today)
    levels = {lv.id: lv.title["ja"] for lv in tpl.impact_levels}
    chapter = {pc.prefix: pc.title for pc in tpl.policy_chapters}
    rows = []
    for no, p in enumerate(catalog.policies, start=1):
        c = cands[p.id]
        risks = dict.fromkeys(r.title.ja for m in p.measures for r in catalog.risks_for_measure.get(m, []))
        impact = choices.impacts.get(p.id)
        category = chapter.get(p.section[:3]) or chapter.get(p.section[0], "")
        if not c.applies:
            current = f"{sheet.not_applicable_word}（{c.reason['ja'].removeprefix('対象外: ')}）"
        elif impact and impact.current_state:
            current = impact.current_state
        else:
            current = STATUS.label(c.state.status, "ja") + (f"：{c.state.reason}" if c.state.reason else "")
        rows.append(EvaluationRow(
            no=no, item=p.id.removeprefix("csaj-2018:"), category=category, title=p.title.ja,
            detail=policy_clause(tpl, p, context), threat_scenario=p.rationale.ja, threat_class="、".join(risks),
            level=tpl.tables.levels[p.level], applies=sheet.applies_word if c.applies else sheet.not_applicable_word,
            included=tpl.tables.yes_word if c.included else tpl.tables.no_word, current_state=current,
            impacts=tuple(levels.get(getattr(impact, a) or "", "") if impact else "" for a in ASPECTS),
            decision=decision_text(catalog, c.state, c.applies), owner=c.state.owner or ""))
    titles = {col.id: col.title.ja for col in (*se.policy_columns, *se.evaluation_columns)}
    extra = sheet.extra_columns
    columns = (titles["no"], extra["item_id"], titles["category"], titles["item"], titles["detail"],
               titles["threat_scenario"], titles["threat_class"], extra["level"], extra["applies"], extra["included"],
               titles["current_state"], *(titles[a] for a in ASPECTS), titles["decision"], extra["owner"])
    assets = []
    for ac in se.asset_classes:
        entry = choices.assets.get(ac.id)
        encrypt = "" if entry is None or entry.encrypt is None else \
            sheet.encrypt_word if entry.encrypt else sheet.no_encrypt_word
        assets.append(AssetRow(ac.title.ja, ac.meaning.ja, "、".join(entry.assets) if entry else "", encrypt))
    legend = tuple((col.title.ja, col.meaning.ja) for col in (*se.policy_columns, *se.evaluation_columns)) + \
        tuple((a.title.ja, a.meaning.ja) for a in se.impact_aspects) + tuple((d.title.ja, d.meaning.ja) for d in se.decisions)
    return SelfEvaluationSheet(
        title=sheet.title, organisation=assessment.profile.name, date_text=japanese_date(today, tpl.era),
        evaluation_title=sheet.evaluation, columns=columns,
        evaluation_start=columns.index(titles["current_state"]), rows=tuple(rows), assets_title=sheet.assets,
        asset_header=tuple(sheet.asset_header), assets=tuple(assets), legend_title=sheet.legend,
        legend_header=tuple(sheet.legend_header), legend=legend, example_title=sheet.example_title,
        example=se.example.ja, impact_choices=tuple(levels.values()))
