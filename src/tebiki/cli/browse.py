"""`tebiki browse`: an interactive catalog browser for the terminal (what `make run` opens)."""

from __future__ import annotations

from rich.prompt import Prompt
from rich.rule import Rule

from .catalog import catalog_cases, catalog_list, catalog_methods, catalog_policies, catalog_show
from .common import LANG_OPTION, Lang, TableOrJson, console, load_or_exit

MENU = {
    "ja": [("1", "経営者の対策"), ("2", "システム・セキュリティ管理者の対策"), ("3", "テレワーク勤務者の対策"),
           ("4", "テレワーク方式の比較"), ("5", "トラブル事例"), ("6", "CSAJ ポリシー"), ("s", "ID を指定して表示"),
           ("l", "English"), ("q", "終了")],
    "en": [("1", "Executive measures"), ("2", "Administrator measures"), ("3", "Worker measures"),
           ("4", "Compare telework methods"), ("5", "Trouble cases"), ("6", "CSAJ policies"), ("s", "Show an ID"),
           ("l", "日本語"), ("q", "Quit")],
}
ROLE_KEYS = {"1": "executive", "2": "admin", "3": "worker"}
PROMPTS = {"ja": ("選んでください", "ID (例: mic-v5:admin:C-2)"), "en": ("Choose", "ID (e.g. mic-v5:admin:C-2)")}


def browse(lang: Lang = LANG_OPTION) -> None:
    """Browse the catalog interactively: measures by role, methods, trouble cases, policies.

    Example: tebiki browse --lang en
    """
    from .catalog import RoleOpt

    catalog = load_or_exit()
    console.print(Rule(f"tebiki — {len(catalog.measures)} measures · {len(catalog.trouble_cases)} cases · "
                       f"{len(catalog.policies)} CSAJ policies"))
    while True:
        for key, text in MENU[lang.value]:
            console.print(f"  [bold]{key}[/bold]  {text}")
        try:
            choice = Prompt.ask(PROMPTS[lang.value][0], choices=[k for k, _ in MENU[lang.value]], default="q")
        except (EOFError, KeyboardInterrupt):
            break
        if choice == "q":
            break
        if choice == "l":
            lang = Lang.en if lang is Lang.ja else Lang.ja
        elif choice in ROLE_KEYS:
            catalog_list(role=RoleOpt(ROLE_KEYS[choice]), category=None, level=None, method=None, lang=lang,
                         fmt=TableOrJson.table)
        elif choice == "4":
            catalog_methods(lang=lang)
        elif choice == "5":
            catalog_cases(lang=lang)
        elif choice == "6":
            catalog_policies(section=None, level=None, lang=lang)
        elif choice == "s":
            try:
                entry_id = Prompt.ask(PROMPTS[lang.value][1]).strip()
            except (EOFError, KeyboardInterrupt):
                break
            if entry_id in catalog.by_id:
                catalog_show(entry_id=entry_id, lang=lang, fmt=TableOrJson.table)
            else:
                console.print(f"[red]unknown ID[/red] {entry_id!r}")
