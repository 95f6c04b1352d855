"""Which catalog entries apply to an organisation, per scope, and why.

A measure whose scope is `organisation` is decided once, from the facts of the whole organisation
(a fact holds when it holds for some department). A `department` measure is decided for each
department from that department's own facts. CSAJ policies are decided at organisation level.
Every result carries a reason in Japanese and English that names the profile facts behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tebiki.catalog import Catalog

from .conditions import Facts, evaluate, leaves
from .profile import Department, Profile

ORG = "organisation"

FACT_PHRASES: dict[str, dict[str, str]] = {
    "work_form:home": {"ja": "在宅勤務を行う", "en": "works from home"},
    "work_form:satellite": {"ja": "サテライトオフィス勤務を行う", "en": "works at satellite offices"},
    "work_form:mobile": {"ja": "モバイル勤務を行う", "en": "works on the move"},
    "terminal:company": {"ja": "会社支給の端末を使う", "en": "uses company-issued terminals"},
    "terminal:byod": {"ja": "私物端末（BYOD）を使う", "en": "uses privately owned terminals (BYOD)"},
    "device:pc": {"ja": "PC を使う", "en": "uses PCs"},
    "device:mobile": {"ja": "スマートフォン・タブレットを使う", "en": "uses smartphones or tablets"},
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
    "active_directory:True": {"ja": "Active Directory を使う", "en": "uses Active Directory"},
    "windows:True": {"ja": "Windows 端末を使う", "en": "uses Windows terminals"},
    "external_media:True": {"ja": "USB メモリ等の外部記録媒体を使う", "en": "uses USB sticks or other removable media"},
    "local_breakout:True": {"ja": "ローカルブレイクアウトを使う", "en": "uses local breakout"},
    "office_connection:True": {"ja": "社内ネットワークに接続する方式を使う", "en": "reaches the office network"},
    "data_on_terminal:True": {"ja": "端末に業務データを保存する方式を使う", "en": "keeps business data on the terminal"},
    "inhouse_admin:True": {"ja": "社内に管理者がいる", "en": "has an in-house administrator"},
}


@dataclass(frozen=True)
class Applicability:
    item: str  # measure or policy ID
    scope: str  # "organisation" or a department ID
    applies: bool
    reason: dict[str, str]  # {"ja": …, "en": …}


def department_facts(catalog: Catalog, profile: Profile, dept: Department) -> dict[str, set[Any]]:
    """The facts that hold for one department, organisation-wide facts included."""
    methods = [catalog.method(m) for m in dept.methods]
    cloud = set(profile.cloud)
    if "cloud_service" in dept.methods and not cloud:
        cloud.add("saas")  # the cloud method means some cloud service is in use even if none is listed
    return {
        "method": set(dept.methods),
        "work_form": set(dept.work_forms),
        "terminal": set(dept.terminals),
        "device": set(dept.devices),
        "cloud": cloud,
        "wifi": set(profile.wifi),
        "active_directory": {profile.active_directory},
        "windows": {profile.windows},
        "external_media": {profile.external_media},
        "local_breakout": {profile.local_breakout},
        "inhouse_admin": {profile.admin == "inhouse"},
        "office_connection": {any(m.properties.office_connection for m in methods)},
        "data_on_terminal": {any(m.properties.data_on_terminal for m in methods)},
    }


def organisation_facts(per_department: Iterable[Facts]) -> dict[str, set[Any]]:
    """A fact holds for the organisation when it holds for some department."""
    merged: dict[str, set[Any]] = {}
    for facts in per_department:
        for key, values in facts.items():
            merged.setdefault(key, set()).update(values)
    return merged


def _phrase(catalog: Catalog, key: str, value: Any, lang: str) -> str:
    if key == "method":
        title = getattr(catalog.method(value).title, lang)
        return f"{title}を使う" if lang == "ja" else f"uses the {title}"
    return FACT_PHRASES.get(f"{key}:{value}", {"ja": f"{key}={value}", "en": f"{key}={value}"})[lang]


def _holds(facts: Facts, key: str, value: Any) -> bool:
    return bool(evaluate({key: value}, facts))


class Evaluator:
    """Decides applicability for one profile; computes the facts once."""

    def __init__(self, catalog: Catalog, profile: Profile) -> None:
        self.catalog = catalog
        self.profile = profile
        self.facts = {d.id: department_facts(catalog, profile, d) for d in profile.departments}
        self.org_facts = organisation_facts(self.facts.values())

    def _who(self, key: str, value: Any) -> list[Department]:
        return [d for d in self.profile.departments if _holds(self.facts[d.id], key, value)]

    def _derived_from(self, key: str, scope: Department | None, lang: str) -> str:
        """Name the methods that make a derived fact true, e.g. " (VPN方式)"."""
        depts = [scope] if scope else self.profile.departments
        used = {m for d in depts for m in d.methods}
        titles = [getattr(m.title, lang) for m in self.catalog.methods
                  if m.id in used and getattr(m.properties, key)]
        return f"（{'・'.join(titles)}）" if lang == "ja" else f" ({', '.join(titles)})"

    def _reason(self, cond: dict[str, Any] | None, applies: bool, scope: Department | None) -> dict[str, str]:
        if cond is None:
            return {"ja": "適用: テレワークを行うすべての組織が対象", "en": "applies: every organisation that teleworks"}
        facts = self.facts[scope.id] if scope else self.org_facts
        tests = leaves(cond)
        decisive = [t for t in tests if _holds(facts, *t) == applies] or tests
        out = {}
        for lang in ("ja", "en"):
            parts = []
            for key, value in decisive:
                phrase = _phrase(self.catalog, key, value, lang)
                if applies and key in ("office_connection", "data_on_terminal") and value is True:
                    phrase += self._derived_from(key, scope, lang)
                if scope is not None:
                    parts.append(phrase)
                elif applies:
                    names = "・".join(d.name for d in self._who(key, value)) if lang == "ja" else \
                        ", ".join(d.name for d in self._who(key, value))
                    parts.append(f"{names} が{phrase}" if lang == "ja" else f"{names} {phrase}")
                else:
                    parts.append(f"「{phrase}」部署がない" if lang == "ja" else f"no department {phrase}")
            if scope is not None:
                body = "、".join(parts) if lang == "ja" else "; ".join(parts)
                if applies:
                    out[lang] = f"適用: {scope.name} は{body}" if lang == "ja" else f"applies: {scope.name} {body}"
                else:
                    out[lang] = (f"対象外: {scope.name} は「{body}」に当たらない" if lang == "ja"
                                 else f"not applicable: {scope.name} does not meet '{body}'")
            else:
                body = "、".join(parts) if lang == "ja" else "; ".join(parts)
                out[lang] = (f"適用: {body}" if applies else f"対象外: {body}") if lang == "ja" else \
                    (f"applies: {body}" if applies else f"not applicable: {body}")
        return out

    def decide(self, item: str, cond: dict[str, Any] | None, scope: str) -> list[Applicability]:
        """Results for one entry: one for the organisation, or one per department."""
        if scope == ORG:
            applies = bool(evaluate(cond, self.org_facts))
            return [Applicability(item, ORG, applies, self._reason(cond, applies, None))]
        results = []
        for dept in self.profile.departments:
            applies = bool(evaluate(cond, self.facts[dept.id]))
            results.append(Applicability(item, dept.id, applies, self._reason(cond, applies, dept)))
        return results

    def all(self) -> list[Applicability]:
        """Every measure (at its scope) and every CSAJ policy (organisation-wide), in catalog order."""
        out: list[Applicability] = []
        for m in self.catalog.measures:
            out += self.decide(m.id, m.applies_when, ORG if m.scope == "organisation" else "department")
        for p in self.catalog.policies:
            out += self.decide(p.id, p.applies_when, ORG)
        return out


def applicability(catalog: Catalog, profile: Profile) -> list[Applicability]:
    """Convenience: every entry's applicability for *profile*."""
    return Evaluator(catalog, profile).all()
