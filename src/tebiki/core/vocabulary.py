"""The one vocabulary: every code a person may see (status, decision, role, level, …) with its ja/en label.

Literals (core), Django choices (web models and forms), report and CLI labels and template filters all derive
from the sets here, so a label is written once and the screen, the exports and the terminal cannot disagree.
A set answers `label(code, lang)`; an unknown code is an error, never shown raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


def lang_of(code: str | None) -> Lang:
    """A language tag ("ja", "en-us", None …) as one of ours; Japanese unless English is asked for."""
    return "en" if (code or "ja").lower().startswith("en") else "ja"


@dataclass(frozen=True)
class Term:
    code: str
    ja: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang_of(lang) == "en" else self.ja


class Terms:
    """An ordered set of codes with their labels."""

    def __init__(self, name: str, *terms: tuple[str, str, str]):
        self.name = name
        self.terms = tuple(Term(*t) for t in terms)
        self._by_code = {t.code: t for t in self.terms}
        if len(self._by_code) != len(self.terms):
            raise ValueError(f"vocabulary {name}: a code is listed twice")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):
        return iter(self.terms)

    def term(self, code: str) -> Term:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"{code!r} is not a {self.name} (one of {', '.join(self.codes)})") from None

    def label(self, code: str, lang: str) -> str:
        return self.term(code).label(lang)

    def labels(self, lang: str) -> dict[str, str]:
        return {t.code: t.label(lang) for t in self.terms}

    def choices(self, lang: str) -> list[tuple[str, str]]:
        return [(t.code, t.label(lang)) for t in self.terms]

    def literal(self):
        """The codes as a typing.Literal, for pydantic models."""
        return Literal[self.codes]  # type: ignore[valid-type]


# The recorded state of an item (実施状況) and what the organisation decided about it (対応方針).
STATUS = Terms(
    "status",
    ("unchecked", "未確認", "Not checked"),
    ("done", "対応済み", "Done"),
    ("partly", "一部実施", "Partly done"),
    ("not_done", "未実施", "Not done"),
    ("na", "対象外", "Not applicable"),
)
DECISION = Terms(
    "decision",
    ("done", "対応済み", "Done"),
    ("will_do", "対応予定", "Will do"),
    ("not_needed", "対応不要", "Not needed"),
)

# The guideline's three roles (catalog) and the roles of a member of an organisation (web).
CATALOG_ROLE = Terms(
    "role",
    ("executive", "経営者", "Executive"),
    ("admin", "システム・セキュリティ管理者", "System and security administrator"),
    ("worker", "テレワーク勤務者", "Teleworker"),
)
MEMBER_ROLE = Terms(
    "member role",
    *((t.code, t.ja, t.en) for t in CATALOG_ROLE),
    ("viewer", "閲覧者", "Viewer"),
    ("consultant", "コンサルタント", "Consultant"),
)
ROLE_SHORT = Terms(  # where the role stands before a short measure ID: 「管理者 A-1」
    "role (short)",
    ("executive", "経営者", "Executive"),
    ("admin", "管理者", "Admin"),
    ("worker", "勤務者", "Worker"),
)

LEVEL = Terms(  # MIC guideline
    "level",
    ("basic", "基本対策", "Basic"),
    ("advanced", "発展対策", "Advanced"),
)
POLICY_LEVEL = Terms(  # CSAJ policy
    "policy level",
    ("shall", "遵守", "Mandatory"),
    ("should", "推奨", "Recommended"),
    ("may", "許容", "Optional"),
)
IMPORTANCE = Terms(
    "importance",
    ("high", "高", "High"),
    ("medium", "中", "Medium"),
    ("low", "低", "Low"),
)
DIFFICULTY = Terms(
    "difficulty",
    ("high", "高", "High"),
    ("not_high", "高くない", "Not high"),
    ("low", "低", "Low"),
)
EXPOSURE = Terms(  # a trouble case against the measures that prevent it
    "exposure",
    ("exposed", "影響あり", "Exposed"),
    ("partly", "一部対策済み", "Partly covered"),
    ("covered", "対策済み", "Covered"),
    ("not_applicable", "対象外", "Not applicable"),
)
VERDICT = Terms(  # an agent check on one device
    "verdict",
    ("pass", "OK", "OK"),
    ("fail", "要対応", "Needs action"),
    ("unknown", "判定不可", "Could not tell"),
)
INCIDENT_STATUS = Terms(
    "incident status",
    ("new", "新規", "New"),
    ("investigating", "調査中", "Investigating"),
    ("contained", "封じ込め済み", "Contained"),
    ("closed", "完了", "Closed"),
)
OWNERSHIP = Terms(
    "ownership",
    ("company", "会社支給", "Company-issued"),
    ("byod", "私物（BYOD）", "Privately owned (BYOD)"),
    ("unknown", "不明", "Unknown"),
)
LINK_STATE = Terms(  # invitations and report links
    "link state",
    ("open", "有効", "Open"),
    ("accepted", "受諾済み", "Accepted"),
    ("revoked", "取り消し済み", "Revoked"),
    ("expired", "期限切れ", "Expired"),
)

# What the audit trail records; every `audit.log.record(action, …)` names one of these.
AUDIT_ACTION = Terms(
    "audit action",
    ("account.start", "新しく始める（アカウントと組織の作成）", "Started: account and organisation created"),
    ("audit.export", "監査ログの書き出し", "Audit log exported"),
    ("audit.purge", "古い監査ログの削除", "Old audit entries purged"),
    ("backup.create", "バックアップの作成", "Backup created"),
    ("backup.restore", "バックアップからの復元", "Restored from backup"),
    ("auth.failure", "サインイン失敗", "Sign-in failed"),
    ("auth.lockout", "アカウントの一時ロック", "Account locked"),
    ("auth.password_change", "パスワード変更", "Password changed"),
    ("auth.sign_in", "サインイン", "Signed in"),
    ("auth.sign_out", "サインアウト", "Signed out"),
    ("campaign.close", "アンケートの締め切り", "Survey closed"),
    ("campaign.create", "アンケートの作成", "Survey created"),
    ("campaign.links", "回答リンクの発行", "Answer links issued"),
    ("campaign.open", "アンケートの開始", "Survey opened"),
    ("campaign.reissue", "回答リンクの再発行", "Answer link reissued"),
    ("campaign.remind", "回答の催促", "Reminder sent"),
    ("campaign.revoke", "回答リンクの取り消し", "Answer link revoked"),
    ("campaign.submit", "アンケートへの回答", "Survey answered"),
    ("contact.create", "連絡先の追加", "Contact added"),
    ("contact.delete", "連絡先の削除", "Contact deleted"),
    ("contact.update", "連絡先の変更", "Contact changed"),
    ("device.edit", "端末情報の変更", "Device changed"),
    ("device.remove", "端末の削除", "Device removed"),
    ("device.links_revoke", "端末の結果ページのリンクの取り消し", "Device page links revoked"),
    ("evidence.upload", "証跡の追加", "Evidence uploaded"),
    ("incident.report", "インシデントの報告", "Incident reported"),
    ("incident.status", "インシデントの状況変更", "Incident status changed"),
    ("invitation.accept", "招待の受諾", "Invitation accepted"),
    ("invitation.create", "メンバーの招待", "Member invited"),
    ("invitation.revoke", "招待の取り消し", "Invitation revoked"),
    ("item.change", "点検項目の記録", "Item recorded"),
    ("mfa.enrol", "2段階認証の登録", "Two-step sign-in enrolled"),
    ("mfa.failure", "2段階認証の失敗", "Two-step code rejected"),
    ("mfa.replace", "認証アプリの置き換え", "Authenticator replaced"),
    ("mfa.verify", "2段階認証の確認", "Two-step code accepted"),
    ("org.create", "組織の作成", "Organisation created"),
    ("org.profile", "組織の前提の変更", "Organisation profile changed"),
    ("org.rename", "組織名の変更", "Organisation renamed"),
    ("org.template_import", "テンプレートからの組織の作成", "Organisation created from a template"),
    ("policy.change", "ポリシーの変更", "Policy changed"),
    ("policy.basic_published", "基本方針の公開の記録", "Basic policy publication recorded"),
    ("report.export", "報告書の書き出し", "Report exported"),
    ("report_link.issue", "報告用リンクの発行", "Report link issued"),
    ("report_link.revoke", "報告用リンクの取り消し", "Report link revoked"),
    ("token.create", "端末登録トークンの発行", "Enrolment token created"),
    ("token.revoke", "端末登録トークンの取り消し", "Enrolment token revoked"),
    ("api_token.create", "API トークンの発行", "API token issued"),
    ("api_token.revoke", "API トークンの取り消し", "API token revoked"),
    ("api.write", "API による項目の記録", "Item recorded through the API"),
    ("training.ack", "教育の受講確認", "Training acknowledged"),
    ("worker.add", "勤務者の追加", "Worker added"),
    ("worker.bulk_add", "勤務者の一括追加", "Workers added in bulk"),
    ("worker.edit", "勤務者の変更", "Worker changed"),
    ("worker.remove", "勤務者の削除", "Worker removed"),
)

# How much a status counts toward a score (partly done counts half) and which statuses are settled.
STATUS_VALUE = {"done": 1.0, "partly": 0.5, "not_done": 0.0, "unchecked": 0.0}


# By the name templates use: {{ r.status|label:"status" }}.
SETS: dict[str, Terms] = {
    "status": STATUS, "decision": DECISION, "role": CATALOG_ROLE, "member_role": MEMBER_ROLE, "role_short": ROLE_SHORT,
    "level": LEVEL, "policy_level": POLICY_LEVEL, "importance": IMPORTANCE, "difficulty": DIFFICULTY,
    "exposure": EXPOSURE, "verdict": VERDICT, "incident_status": INCIDENT_STATUS, "ownership": OWNERSHIP,
    "link_state": LINK_STATE, "audit_action": AUDIT_ACTION,
}
