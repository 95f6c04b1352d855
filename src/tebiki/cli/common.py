"""What every `tebiki` command shares: consoles, language choice, catalog text helpers."""

from __future__ import annotations

from enum import StrEnum

import typer
from rich.console import Console

from tebiki.catalog import CatalogError, get_catalog
from tebiki.catalog import schema as s
from tebiki.core.vocabulary import LEVEL, POLICY_LEVEL, Terms

console = Console()
err_console = Console(stderr=True)


class TableOrJson(StrEnum):
    """The --format choice of every command that prints data: a Rich table or JSON for scripts."""

    table = "table"
    json = "json"


class Lang(StrEnum):
    ja = "ja"
    en = "en"


LANG_OPTION = typer.Option(Lang.ja, "--lang", "-l", help="Language of the text shown.")
LABELS = {
    "summary": {"ja": "概要", "en": "Summary"},
    "what": {"ja": "何をするか", "en": "What to do"},
    "why": {"ja": "なぜ必要か", "en": "Why"},
    "how_to_check": {"ja": "確認のしかた", "en": "How to check"},
    "cases": {"ja": "関連するトラブル事例", "en": "Trouble cases it counters"},
    "risks": {"ja": "関連するリスク (SSK)", "en": "Risk types (SSK)"},
    "policies": {"ja": "関連する CSAJ ポリシー", "en": "Related CSAJ policies"},
    "applies": {"ja": "適用条件", "en": "Applies when"},
    "always": {"ja": "すべての組織", "en": "every organisation"},
    "measures": {"ja": "有効な対策", "en": "Measures named"},
    "happened": {"ja": "何が起きたか", "en": "What happened"},
    "lesson": {"ja": "教訓", "en": "Lesson"},
    "text": {"ja": "内容", "en": "Statement"},
    "rationale": {"ja": "理由", "en": "Rationale"},
    "parameters": {"ja": "パラメータ", "en": "Parameters"},
    "page": {"ja": "ページ", "en": "page"},
}


def tr(text: s.Text, lang: Lang) -> str:
    return getattr(text, lang.value)


def label(key: str, lang: Lang) -> str:
    return LABELS[key][lang.value]


def level_word(level: str, lang: Lang) -> str:
    """A MIC level (basic/advanced) or a CSAJ level (shall/should/may) in the vocabulary's words."""
    return (LEVEL if level in LEVEL else POLICY_LEVEL).label(level, lang.value)


def term(terms: Terms, code: str | None, lang: Lang) -> str:
    """A status, decision, exposure … code as the vocabulary's label; "-" for none."""
    return terms.label(code, lang.value) if code else "-"


def load_or_exit():
    try:
        return get_catalog()
    except CatalogError as err:
        err_console.print(f"[red]catalog error:[/red] {err}")
        raise typer.Exit(1) from None


