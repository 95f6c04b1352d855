"""The check engine: a registry of small typed rules over captured probe outputs (pure; no I/O).

A rule is registered with `@rule(check, os, sources=…, limits=…)`; the check list, the collectors' and capture
scripts' file lists and the table in docs/agent.md are derived from this registry or tested against it. A rule
may read only the sources it declares and only the limits it names (from checks.yaml).

A pass needs positive evidence of the safe state. Every way the input can fall short (not captured, empty,
cut, a failed command, an unknown shape) raises Unknown with a reason in Japanese and English.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from tebiki.catalog.loader import load_checks
from tebiki.catalog.schema import Check

OSES = ("linux", "windows", "macos")
# Written next to the outputs by collect.py and both capture scripts: one line per probe,
# "<file> exit=<code|timeout> lines=<n> stderr=<0|1>[ cut]".
STATUS_FILE = "exit-status.txt"
STATUS_LINE = re.compile(r"^(?P<name>[a-z0-9_.-]{1,40})\s+exit=(?P<exit>-?\d+|timeout)\s+lines=(?P<lines>\d+)"
                         r"\s+stderr=(?P<stderr>[01])(?P<cut>\s+cut)?\s*$")

# Why a check could not be decided: one template per kind of reason, in both languages.
REASONS: dict[str, tuple[str, str]] = {
    "not_captured": ("{name} was not captured", "{name} が取得されていません"),
    "empty": ("{name} is empty", "{name} が空です"),
    "cut": ("{name} was cut short by the capture's size limit", "{name} は取得時の上限で途中までしかありません"),
    "incomplete": ("{name} is incomplete: {got} of {want} lines", "{name} が不完全です（{want} 行中 {got} 行）"),
    "no_status": ("{name}: the command's exit status and length were not recorded (a capture script older than "
                  "exit-status.txt?), so a whole answer cannot be told from a failed or cut one",
                  "{name}: コマンドの終了状態と行数が記録されていないため（exit-status.txt より古い取得スクリプト?）、"
                  "完全な結果か、失敗・途中切れかを区別できません"),
    "failed": ("{name}: the command failed (exit {exit}): {first}",
               "{name}: コマンドが失敗しました（終了コード {exit}）: {first}"),
    "stderr": ("{name}: the command reported an error: {first}", "{name}: コマンドがエラーを出しました: {first}"),
    "not_json": ("{name} is not valid JSON (truncated or an error text?): {detail}",
                 "{name} が正しい JSON ではありません（途中で切れたかエラー文です）: {detail}"),
    "shape": ("{name}: {detail}", "{name}: 想定した形式ではありません（{detail}）"),
    "unrecognised": ("{name}: unrecognised line {line!r}", "{name}: 読み取れない行があります {line!r}"),
    "date": ("{name}: unreadable date {value!r}", "{name}: 日付を読み取れません {value!r}"),
    "not_installed": ("{tool} is not installed; {detail}", "{tool} が入っていません。{detail}"),
    "no_session": ("no graphical desktop session, so the screen lock settings read are only defaults",
                   "デスクトップのログインセッションがなく、読めるのは既定値だけなので画面ロックを判定できません"),
    "no_root": ("no device is mounted at / (a container?)", "/ にマウントされたデバイスがありません（コンテナ内?）"),
    "wifi_security": ("unrecognised Wi-Fi security {value!r}", "読み取れない Wi-Fi の暗号化方式 {value!r}"),
    "no_smb_dialect": ("an SMB server listens ({ports}); {name} gives no server min protocol",
                       "SMB サーバが待ち受けています（{ports}）が、{name} から最低プロトコルが分かりません"),
    "mac_smb_dialect": ("SMB sharing is on and macOS offers no setting that shows its lowest dialect",
                        "SMB 共有が有効ですが、macOS には最低プロトコルを確かめる設定がありません"),
    "not_set": ("{name}: {setting} is not set; the default may be changed by a profile, so it is not evidence",
                "{name}: {setting} が設定されていません。既定値は構成プロファイルで変えられるため根拠になりません"),
    "defender_passive": ("Defender runs in {mode!r} mode: another antivirus protects this PC and it is not read",
                         "Defender が {mode!r} モードです。別のウイルス対策製品が保護しており、それは読み取りません"),
    "no_rule": ("no rule reads this check on {os}", "{os} ではこの項目を判定する規則がありません"),
    "error": ("{name} could not be read ({detail})", "{name} を読み取れませんでした（{detail}）"),
}

# What the person at the device can do about each reason (en, ja): the reason says what the check could not read,
# which names files and commands a worker cannot act on. The worker's own page shows this under it.
_RUN_AGAIN = ("Run the check again, with administrator rights if your device offers them (on Windows: right-click, "
              "Run as administrator). If it says the same again, tell your administrator.",
              "もう一度チェックを実行してください。管理者権限で実行できる場合はそうしてください（Windows では右クリック→"
              "「管理者として実行」）。同じ表示が続くときは管理者に伝えてください。")
ADVICE: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("not_captured", "empty", "cut", "incomplete", "no_status", "failed", "stderr", "not_json",
                     "shape", "unrecognised", "date", "error"), _RUN_AGAIN),
    "not_installed": ("A tool this check needs is not on the device. Tell your administrator, who decides whether "
                      "it should be installed.",
                      "このチェックに必要なツールが端末にありません。入れるかどうかは管理者が決めるので、管理者に伝えてください。"),
    "no_session": ("Run the check while you are signed in to the desktop, not from a remote shell.",
                   "リモートのシェルからではなく、デスクトップにログインした状態でチェックを実行してください。"),
    "no_root": ("The check ran inside a container. Run it on the device itself.",
                "チェックがコンテナの中で動きました。端末そのもので実行してください。"),
    "wifi_security": ("Tell your administrator which Wi-Fi network you were using; the check could not tell how it "
                      "is protected.",
                      "チェックでは接続中の Wi-Fi の保護方式が分かりませんでした。"
                      "どの Wi-Fi を使っていたかを管理者に伝えてください。"),
    "no_smb_dialect": ("File sharing is turned on. Turn it off if you do not need it; otherwise tell your "
                       "administrator.",
                       "ファイル共有がオンになっています。使わないならオフにし、使うなら管理者に伝えてください。"),
    "not_set": ("The setting is not made on the device itself. Your administrator can tell whether a company profile "
                "sets it.",
                "この設定は端末自体では行われていません。会社の構成プロファイルで設定されているかどうかは管理者が確認できます。"),
    "defender_passive": ("Another antivirus product protects this PC. Tell your administrator its name, so they can "
                         "confirm it is kept up to date.",
                         "別のウイルス対策製品がこの PC を保護しています。"
                         "最新に保たれているか確認できるよう、製品名を管理者に伝えてください。"),
    "no_rule": ("tebiki cannot check this on your system yet. There is nothing for you to do; your administrator "
                "checks it another way.",
                "tebiki はお使いのシステムではまだこの項目を確かめられません。"
                "あなたがすることはなく、管理者が別の方法で確認します。"),
}
ADVICE["mac_smb_dialect"] = ADVICE["no_smb_dialect"]


class Unknown(Exception):
    """The input cannot decide the check; *key* names the reason in REASONS, *params* fill it in."""

    def __init__(self, key: str, /, **params: Any):
        super().__init__(key)
        self.key = key
        self.params = {k: _short(v) for k, v in params.items()}

    def text(self, lang: str) -> str:
        """The reason in *lang*; a parameter given as (English, Japanese) is taken in that language."""
        return reason_text(self.key, self.params, lang)


def reason_text(code: str, params: Mapping[str, Any], lang: str) -> str:
    """A reason's text in *lang* from its code and parameters (as raised, or as stored: a pair is then a list).
    Raises KeyError for an unknown code or a missing parameter."""
    i = 0 if lang == "en" else 1
    return REASONS[code][i].format(**{k: v[i] if isinstance(v, tuple | list) and len(v) == 2 else v
                                      for k, v in params.items()})


def reason_texts(code: str, params: Mapping[str, Any]) -> dict[str, str] | None:
    """A stored reason in both languages ({"ja", "en"}), or None when the code or its parameters do not fit
    (then the stored text is what there is to show)."""
    try:
        return {lang: reason_text(code, params, lang) for lang in ("ja", "en")}
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def advice_texts(code: str) -> dict[str, str] | None:
    """What the person at the device can do about a reason ({"ja", "en"}, from ADVICE), or None for no code or one
    this version does not know."""
    found = ADVICE.get(code)
    return {"en": found[0], "ja": found[1]} if found else None


class UndeclaredSource(Exception):
    """A rule read a file it did not declare: a programming error, never caught."""


def _short(value: Any, limit: int = 80) -> Any:
    if isinstance(value, tuple):
        return tuple(_short(v, limit) for v in value)
    return value[:limit] if isinstance(value, str) else value


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16LE with BOM, or cp932 — the encodings the capture scripts meet."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp932", errors="replace")


def line_count(text: str) -> int:
    """Lines as `awk 'END{print NR}'` counts them (a last line without newline counts)."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


@dataclass(frozen=True)
class Status:
    exit: int | None  # None: timed out
    lines: int
    stderr: bool
    cut: bool


def parse_statuses(raw: bytes | None) -> dict[str, Status]:
    """The exit-status file; lines that do not have its shape are ignored (that probe has no status)."""
    out: dict[str, Status] = {}
    for line in decode(raw or b"").splitlines():
        m = STATUS_LINE.match(line.strip())
        if m:
            code = None if m["exit"] == "timeout" else int(m["exit"])
            out[m["name"]] = Status(code, int(m["lines"]), m["stderr"] == "1", bool(m["cut"]))
    return out


def status_line(name: str, output: bytes, exit_code: int | None, stderr: bool, cut: bool = False) -> str:
    """One line of the exit-status file, as the capture scripts write it."""
    code = "timeout" if exit_code is None else str(exit_code)
    return f"{name} exit={code} lines={line_count(decode(output))} stderr={int(stderr)}{' cut' if cut else ''}"


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "(no output)")


class Capture:
    """The captured files of one OS, as one rule may see them (only its declared sources)."""

    def __init__(self, os_name: str, files: Mapping[str, bytes], sources: tuple[str, ...] = ()):
        self.os = os_name
        self.files = files
        self.sources = sources
        self.statuses = parse_statuses(files.get(f"{os_name}/{STATUS_FILE}"))
        self.read: list[str] = []  # the sources the rule looked at, in order

    def _raw(self, name: str) -> str:
        if name not in self.sources:
            raise UndeclaredSource(f"{name} is not among the rule's sources {self.sources}")
        if name not in self.read:
            self.read.append(name)
        if name not in self.files:
            raise Unknown("not_captured", name=name)
        return decode(self.files[name])

    def status(self, name: str) -> Status | None:
        return self.statuses.get(name.split("/", 1)[-1])

    def text(self, name: str) -> str:
        """The output, stripped; not captured, cut, fewer lines than recorded or empty: Unknown."""
        text = self._raw(name)
        st = self.status(name)
        if st and st.cut:
            raise Unknown("cut", name=name)
        if st and line_count(text) != st.lines:
            raise Unknown("incomplete", name=name, got=line_count(text), want=st.lines)
        if not text.strip():
            raise Unknown("empty", name=name)
        return text.strip()

    def whole(self, name: str, ok_exits: tuple[int, ...] = (0,)) -> str:
        """The output of a command known to have run to the end without error (possibly empty): for rules
        whose pass rests on what the output does *not* contain."""
        text = self._raw(name)
        st = self.status(name)
        if st is None:
            raise Unknown("no_status", name=name)
        if st.exit not in ok_exits:
            raise Unknown("failed", name=name, exit="timeout" if st.exit is None else st.exit, first=_first_line(text))
        if st.stderr:
            raise Unknown("stderr", name=name, first=_first_line(text))
        if st.cut:
            raise Unknown("cut", name=name)
        if line_count(text) != st.lines:
            raise Unknown("incomplete", name=name, got=line_count(text), want=st.lines)
        return text.strip()

    def json(self, name: str) -> Any:
        """The output parsed as JSON; NaN/Infinity, very deep nesting and huge numbers are Unknown too."""
        text = self.text(name)

        def no_constants(word: str) -> Any:
            raise ValueError(f"{word} is not a number JSON allows")

        try:
            return json.loads(text, parse_constant=no_constants)
        except json.JSONDecodeError as err:
            raise Unknown("not_json", name=name, detail=err.msg) from None
        except RecursionError:
            raise Unknown("not_json", name=name, detail=("nested too deeply", "入れ子が深すぎます")) from None
        except ValueError as err:  # NaN/Infinity, or an integer too long to convert
            word = str(err).split(" ", 1)[0] if "JSON allows" in str(err) else "a number"
            raise Unknown("not_json", name=name, detail=(str(err)[:60], f"{word} は JSON で読める数値ではありません")) from None


@dataclass(frozen=True)
class Rule:
    check: str
    os: str
    sources: tuple[str, ...]
    limits: tuple[str, ...]
    decide: Callable[[Capture, dict[str, int], dt.date], tuple[str, dict[str, Any]]]


REGISTRY: dict[str, dict[str, Rule]] = {os_name: {} for os_name in OSES}


def rule(check: str, os_name: str, sources: tuple[str, ...] | list[str], limits: tuple[str, ...] = ()):
    """Register *decide(capture, limits, as_of) -> (verdict, evidence)* for *check* on *os_name*."""
    def register(decide):
        if check in REGISTRY[os_name]:
            raise ValueError(f"two rules for {check} on {os_name}")
        REGISTRY[os_name][check] = Rule(check, os_name, tuple(sources), tuple(limits), decide)
        return decide
    return register


@cache
def checks() -> dict[str, Check]:
    """checks.yaml by check id, validated by the catalog schema (read once)."""
    return {c.id: c for c in load_checks()}


def _clean(value: Any) -> Any:
    """Evidence as the database and JSON take it: no NUL characters, no NaN or infinities."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def run_rule(os_name: str, check: Check, files: Mapping[str, bytes], as_of: dt.date) -> dict[str, Any]:
    """One check's result: verdict, sources, evidence, and why it is unknown (both languages)."""
    found = REGISTRY[os_name].get(check.id)
    if found is None:
        verdict, evidence, why = "unknown", {}, Unknown("no_rule", os=os_name)
        sources: tuple[str, ...] = ()
    else:
        sources = found.sources
        limits = {name: check.limits[name] for name in found.limits}
        cap = Capture(os_name, files, sources)
        try:
            verdict, evidence = found.decide(cap, limits, as_of)
            why = None
            if verdict == "pass":
                # only an output known to be whole can pass: one cut at a line boundary may have lost the line
                # that fails (FileVault "Encryption in progress", a second Wi-Fi interface, ufw's Default line)
                for name in cap.read:
                    if name in files and cap.status(name) is None:
                        raise Unknown("no_status", name=name)
        except Unknown as err:
            verdict, evidence, why = "unknown", {}, err
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as err:
            verdict, evidence, why = "unknown", {}, Unknown("error", name=", ".join(sources),
                                                            detail=type(err).__name__)
    if why is None and verdict not in ("pass", "fail"):
        raise ValueError(f"{os_name}/{check.id}: a rule answered {verdict!r}")
    reason = {lang: _clean(why.text(lang)) if why else "" for lang in ("en", "ja")}
    return {"verdict": verdict if why is None else "unknown", "source": ", ".join(sources), "sources": list(sources),
            "evidence": _clean(evidence), "reason": reason["en"], "reasons": reason,
            "reason_code": why.key if why else "", "reason_params": _clean(why.params) if why else {}}
