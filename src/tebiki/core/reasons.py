"""Reasons as data, and the one formatter that turns them into Japanese or English.

The engine (applicability, priority, plan) builds `Reason`s and `Part`s; it never assembles sentences. Every
screen, report and CLI table renders them with `render(reason, lang)`. Words live in the tables below, one entry
per language; adding a language is adding a column, not a branch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LANGS = ("ja", "en")

# What a fact test means, as a phrase that follows a subject ("営業部 が…" / "営業部 …").
FACT_PHRASES: dict[str, dict[str, str]] = {
    "work_form:home": {"ja": "在宅勤務を行う", "en": "works from home"},
    "work_form:satellite": {"ja": "サテライトオフィス勤務を行う", "en": "works at satellite offices"},
    "work_form:mobile": {"ja": "モバイル勤務を行う", "en": "works on the move"},
    "terminal:company": {"ja": "会社支給の端末を使う", "en": "uses company-issued terminals"},
    "terminal:byod": {"ja": "私物端末（BYOD）を使う", "en": "uses privately owned terminals (BYOD)"},
    "device:pc": {"ja": "PC を使う", "en": "uses PCs"},
    "device:mobile": {"ja": "スマートフォン・タブレットを使う", "en": "uses smartphones or tablets"},
    "equipment:company_pc": {"ja": "会社の PC を使う", "en": "uses company PCs"},
    "equipment:company_mobile": {"ja": "会社のスマートフォン・タブレットを使う",
                                 "en": "uses company smartphones or tablets"},
    "equipment:private_pc": {"ja": "私物の PC を使う", "en": "uses privately owned PCs"},
    "equipment:private_mobile": {"ja": "私物のスマートフォン・タブレットを使う",
                                 "en": "uses privately owned smartphones or tablets"},
    "equipment:any": {"ja": "端末を使う", "en": "uses terminals"},
    "cloud:any": {"ja": "クラウドサービスを使う", "en": "uses cloud services"},
    "cloud:mail": {"ja": "クラウドのメールを使う", "en": "uses cloud mail"},
    "cloud:chat": {"ja": "チャットサービスを使う", "en": "uses chat services"},
    "cloud:meeting": {"ja": "オンライン会議を使う", "en": "holds online meetings"},
    "cloud:file_sharing": {"ja": "ファイル共有サービスを使う", "en": "uses file-sharing services"},
    "cloud:saas": {"ja": "SaaS を使う", "en": "uses SaaS"},
    "cloud:iaas": {"ja": "IaaS / PaaS を使う", "en": "uses IaaS or PaaS"},
    "wifi:any": {"ja": "Wi-Fi を使う", "en": "uses Wi-Fi"},
    "wifi:home": {"ja": "自宅の Wi-Fi を使う", "en": "uses Wi-Fi at home"},
    "wifi:public": {"ja": "公衆 Wi-Fi を使う", "en": "uses public Wi-Fi"},
    "online:True": {"ja": "ネットワークに接続して働く", "en": "works connected to a network"},
    "active_directory:True": {"ja": "Active Directory を使う", "en": "uses Active Directory"},
    "windows:True": {"ja": "Windows 端末を使う", "en": "uses Windows terminals"},
    "external_media:True": {"ja": "USB メモリ等の外部記録媒体を使う", "en": "uses USB sticks or other removable media"},
    "local_breakout:True": {"ja": "ローカルブレイクアウトを使う", "en": "uses local breakout"},
    "office_connection:True": {"ja": "社内ネットワークに接続する方式を使う", "en": "reaches the office network"},
    "data_on_terminal:True": {"ja": "端末に業務データを保存する方式を使う", "en": "keeps business data on the terminal"},
    "inhouse_admin:True": {"ja": "社内に管理者がいる", "en": "has an in-house administrator"},
    "servers:True": {"ja": "社内にサーバ・NAS を置く", "en": "runs servers or a NAS on premises"},
    "remote_access:any": {"ja": "インターネットから届く接続機器を置く",
                          "en": "runs remote-access equipment reachable from the internet"},
    "remote_access:vpn_appliance": {"ja": "インターネットに公開した VPN 機器を使う",
                                    "en": "runs a VPN appliance reachable from the internet"},
    "remote_access:rd_gateway": {"ja": "インターネットに公開したリモートデスクトップの接続口を使う",
                                 "en": "runs a remote desktop gateway reachable from the internet"},
    "remote_access:vdi_gateway": {"ja": "インターネットに公開した VDI の接続口を使う",
                                  "en": "runs a VDI gateway reachable from the internet"},
    "information:any": {"ja": "保護が必要な情報を扱う", "en": "handles information that needs protection"},
    "information:personal_data": {"ja": "個人情報を扱う", "en": "handles personal data"},
    "information:my_number": {"ja": "マイナンバーを扱う", "en": "handles My Number (individual numbers)"},
    "information:customer_confidential": {"ja": "顧客の機密情報を扱う",
                                          "en": "handles customers' confidential information"},
}

# Sentence frames. {who}: departments, {what}: a fact phrase, {body}: joined phrases, {scope}: a department.
FRAMES: dict[str, dict[str, str]] = {
    "everyone": {"ja": "適用: テレワークを行うすべての組織が対象", "en": "applies: every organisation that teleworks"},
    "method": {"ja": "{title}を使う", "en": "uses the {title}"},
    "via": {"ja": "{what}（{titles}）", "en": "{what} ({titles})"},
    "who_does": {"ja": "{who} が{what}", "en": "{who} {what}"},
    "nobody_does": {"ja": "「{what}」部署がない", "en": "no department {what}"},
    "unknown_fact": {"ja": "{fact}={value}", "en": "{fact}={value}"},
    "org_applies": {"ja": "適用: {body}", "en": "applies: {body}"},
    "org_not": {"ja": "対象外: {body}", "en": "not applicable: {body}"},
    "dept_applies": {"ja": "適用: {scope} は{body}", "en": "applies: {scope} {body}"},
    "dept_not": {"ja": "対象外: {scope} は「{body}」に当たらない", "en": "not applicable: {scope} does not meet '{body}'"},
    "byod_note": {"ja": "。{label}", "en": ". {label}"},
    # the one-line "why it is here" of an action
    "why_who": {"ja": "{what}{who} {people} 人", "en": "{who}, {people} people: {what}"},
    "why_all": {"ja": "全員 {people} 人", "en": "all {people} teleworkers"},
    "why_cases": {"ja": "トラブル事例 {numbers}", "en": "trouble case {numbers}"},
    "why_level": {"ja": "{label}", "en": "{label}"},
    "why_information": {"ja": "{labels}", "en": "{labels}"},
    "why_effort": {"ja": "作業目安 {label}", "en": "effort {label}"},
    "why_factor": {"ja": "{label}", "en": "{label}"},
    "why_score": {"ja": "{label}", "en": "{label}"},
    "why_override": {"ja": "組織が優先度を変更", "en": "priority set by the organisation"},
}
JOIN = {"ja": "、", "en": "; "}
LIST = {"ja": "・", "en": ", "}
WHY_JOIN = {"ja": " · ", "en": " · "}
LEVEL_LABELS = {"basic": {"ja": "基本対策", "en": "basic measure"},
                "advanced": {"ja": "発展対策", "en": "advanced measure"}}


@dataclass(frozen=True)
class Part:
    """One piece of an explanation.

    kind "fact": a fact test (fact, value) and the departments it holds for (names; empty at department scope),
    optionally `via` the catalog titles of the methods that make a derived fact true. The "why_*" kinds are the
    pieces of an action's one-line why; `label` carries catalog text ({ja, en}) and `numbers` case numbers.
    """

    kind: str
    fact: str | None = None
    value: Any = None
    departments: tuple[str, ...] = ()
    via: tuple[Mapping[str, str], ...] = ()
    people: int | None = None
    numbers: tuple[int, ...] = ()
    label: Mapping[str, str] | None = None
    labels: tuple[Mapping[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("fact", "value", "people", "label"):
            if getattr(self, name) is not None:
                out[name] = dict(self.label) if name == "label" else getattr(self, name)  # type: ignore[arg-type]
        for name in ("departments", "numbers"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        if self.via:
            out["via"] = [dict(v) for v in self.via]
        if self.labels:
            out["labels"] = [dict(v) for v in self.labels]
        return out


@dataclass(frozen=True)
class Reason:
    """Why an entry applies (or not) in one scope: scope is a department name, or None for the organisation."""

    applies: bool
    parts: tuple[Part, ...] = ()
    scope: str | None = None
    everyone: bool = False  # no condition: every organisation that teleworks

    def as_dict(self) -> dict[str, Any]:
        return {"applies": self.applies, "scope": self.scope, "everyone": self.everyone,
                "parts": [p.as_dict() for p in self.parts]}

    def texts(self) -> dict[str, str]:
        """The reason in every language, e.g. for Row.reason."""
        return {lang: render(self, lang) for lang in LANGS}


def fact_phrase(part: Part, lang: str) -> str:
    if part.fact == "method" and part.label is not None:
        what = FRAMES["method"][lang].format(title=part.label[lang])
    else:
        entry = FACT_PHRASES.get(f"{part.fact}:{part.value}")
        what = entry[lang] if entry else FRAMES["unknown_fact"][lang].format(fact=part.fact, value=part.value)
    if part.via:
        what = FRAMES["via"][lang].format(what=what, titles=LIST[lang].join(v[lang] for v in part.via))
    return what


def _render_why(part: Part, lang: str) -> str:
    if part.kind == "why_who":
        return FRAMES["why_who"][lang].format(what=fact_phrase(part, lang), who=LIST[lang].join(part.departments),
                                              people=part.people)
    if part.kind == "why_cases":
        return FRAMES["why_cases"][lang].format(numbers=LIST[lang].join(str(n) for n in part.numbers))
    if part.kind == "why_information":
        return FRAMES["why_information"][lang].format(labels=LIST[lang].join(v[lang] for v in part.labels))
    label = part.label[lang] if part.label else ""
    return FRAMES[part.kind][lang].format(label=label, people=part.people)


def render(reason: Reason | Sequence[Part], lang: str) -> str:
    """The one formatter: a Reason as a sentence, or a why (a sequence of parts) as one line."""
    if not isinstance(reason, Reason):
        return WHY_JOIN[lang].join(_render_why(p, lang) for p in reason)
    if reason.everyone and not any(p.kind == "fact" for p in reason.parts):
        everyone = FRAMES["everyone"][lang]
        return everyone + "".join(FRAMES["byod_note"][lang].format(label=p.label[lang]) for p in reason.parts
                                  if p.kind == "byod_note" and p.label)
    pieces = []
    notes = "".join(FRAMES["byod_note"][lang].format(label=p.label[lang]) for p in reason.parts
                    if p.kind == "byod_note" and p.label)
    for part in reason.parts:
        if part.kind != "fact":
            continue
        what = fact_phrase(part, lang)
        if reason.scope is not None:
            pieces.append(what)
        elif reason.applies:
            pieces.append(FRAMES["who_does"][lang].format(who=LIST[lang].join(part.departments), what=what))
        else:
            pieces.append(FRAMES["nobody_does"][lang].format(what=what))
    body = JOIN[lang].join(pieces)
    if reason.scope is not None:
        frame = "dept_applies" if reason.applies else "dept_not"
        return FRAMES[frame][lang].format(scope=reason.scope, body=body) + notes
    return FRAMES["org_applies" if reason.applies else "org_not"][lang].format(body=body) + notes


__all__ = ["LANGS", "LEVEL_LABELS", "Part", "Reason", "render", "fact_phrase"]
