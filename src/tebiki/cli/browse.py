"""`tebiki browse`: an interactive catalog browser for the terminal (what `make run` opens)."""

from __future__ import annotations

from functools import partial

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
PROMPTS = {"ja": ("選んでください", "ID（例: admin:C-2、mic-v5:admin:C-2、5.1.1-1）"),
           "en": ("Choose", "ID (e.g. admin:C-2, mic-v5:admin:C-2, 5.1.1-1)")}
WORDS = {"ja": {"choice": "[prompt.invalid.choice]表示されている記号から選んでください（終了は q）",
                "unknown": "その ID は見つかりません", "several": "複数に当てはまります。どれかを指定してください:"},
         "en": {"choice": "[prompt.invalid.choice]Please choose one of the keys shown (q quits)",
                "unknown": "unknown ID", "several": "several entries match; give one of:"}}


class _Prompt(Prompt):
    """Rich's prompt with its complaint in the browser's language."""

    def __init__(self, *args, lang: str = "ja", **kwargs):
        super().__init__(*args, **kwargs)
        self.illegal_choice_message = WORDS[lang]["choice"]


def resolve_id(by_id, text: str) -> list[str]:
    """The catalog IDs *text* names: the full ID, or the short form the lists show (admin:C-2, 5.1.1-1, case-08)."""
    text = text.strip()
    if text in by_id:
        return [text]
    folded = text.casefold()
    exact = [i for i in by_id if i.casefold() == folded]
    return exact or [i for i in by_id if i.casefold().endswith(":" + folded)]


def _paged(show) -> None:
    """Long listings go through the terminal's pager (less) when there is one; elsewhere they print as they are."""
    if console.is_terminal:
        with console.pager(styles=True):
            show()
    else:
        show()


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
        try:  # no default: Enter alone asks again instead of quitting
            choice = _Prompt(PROMPTS[lang.value][0], choices=[k for k, _ in MENU[lang.value]], lang=lang.value,
                             console=console)()
        except (EOFError, KeyboardInterrupt):
            break
        if choice == "q":
            break
        if choice == "l":
            lang = Lang.en if lang is Lang.ja else Lang.ja
        elif choice in ROLE_KEYS:
            _paged(partial(catalog_list, role=RoleOpt(ROLE_KEYS[choice]), category=None, level=None, method=None,
                           lang=lang, fmt=TableOrJson.table))
        elif choice == "4":
            catalog_methods(lang=lang)
        elif choice == "5":
            _paged(partial(catalog_cases, lang=lang))
        elif choice == "6":
            _paged(partial(catalog_policies, section=None, level=None, lang=lang))
        elif choice == "s":
            try:
                entry_id = Prompt.ask(PROMPTS[lang.value][1]).strip()
            except (EOFError, KeyboardInterrupt):
                break
            found = resolve_id(catalog.by_id, entry_id)
            if len(found) == 1:
                catalog_show(entry_id=found[0], lang=lang, fmt=TableOrJson.table)
            elif found:
                console.print(WORDS[lang.value]["several"], " ".join(found))
            else:
                console.print(f"[red]{WORDS[lang.value]['unknown']}[/red] {entry_id!r}")
