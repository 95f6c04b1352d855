"""One registry: the check list, checks.yaml, the collectors' sources, both capture scripts and the table in
docs/agent.md agree; limits move verdicts at exactly their value; a dangling measure ID is an error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import tebiki.agent
from tebiki.agent import collect as col
from tebiki.agent.engine import Capture, UndeclaredSource, checks
from tebiki.agent.rules import CHECK_IDS, OSES, REGISTRY, check_texts, rule_sources, sources_table
from tebiki.catalog.loader import AGENT_CHECKS, CATALOG_DIR, CatalogError, load_catalog
from tebiki.cli import app

from .test_rules import LINUX_GOOD, MAC_GOOD, WIN_GOOD, run

SCRIPTS = Path(tebiki.agent.__file__).parent / "scripts"
DOCS = Path(__file__).parents[2] / "docs" / "agent.md"


def test_every_check_has_one_rule_on_every_os_and_no_rule_is_for_an_unknown_check():
    for os_name in OSES:
        assert set(REGISTRY[os_name]) == set(CHECK_IDS), os_name


def test_the_check_list_is_checks_yaml_in_its_order():
    data = yaml.safe_load(AGENT_CHECKS.read_text(encoding="utf-8"))
    assert tuple(c["id"] for c in data["checks"]) == CHECK_IDS


def test_rules_name_only_limits_their_check_declares():
    for os_name in OSES:
        for cid, found in REGISTRY[os_name].items():
            assert set(found.limits) <= set(checks()[cid].limits), (os_name, cid)


def test_a_rule_cannot_read_a_source_it_did_not_declare():
    with pytest.raises(UndeclaredSource):
        Capture("linux", {"linux/ufw.txt": b"Status: active\n"}, ("linux/nft.txt",)).text("linux/ufw.txt")


@pytest.mark.parametrize("os_name", OSES)
def test_the_collector_runs_exactly_the_rules_sources_and_the_informational_ones(os_name):
    assert set(col.SOURCES[os_name]) == set(rule_sources(os_name)) | set(col.INFO_SOURCES[os_name])


def _sh_files(os_branch: str) -> set[str]:
    text = (SCRIPTS / "capture.sh").read_text(encoding="utf-8")
    linux, mac = re.search(r'if \[ "\$OS" = linux \]; then\n(.*?)\nelse\n(.*?)\nfi\n', text, re.S).groups()
    return set(re.findall(r"^\s*run (\S+) ", linux if os_branch == "linux" else mac, re.M))


@pytest.mark.parametrize("os_name", ["linux", "macos"])
def test_the_posix_capture_script_captures_exactly_the_collectors_files(os_name):
    assert {f"{os_name}/{n}" for n in _sh_files(os_name)} == set(col.SOURCES[os_name])


def test_the_powershell_capture_script_captures_exactly_the_collectors_files():
    text = (SCRIPTS / "capture.ps1").read_text(encoding="utf-8")
    block = re.search(r"\$sources = \[ordered\]@\{\n(.*?)\n\}\n", text, re.S)[1]
    names = set(re.findall(r'^  "([a-z0-9_.-]+)"\s*=', block, re.M))
    assert {f"windows/{n}" for n in names} == set(col.SOURCES["windows"])


def test_the_table_in_docs_agent_md_is_the_registry():
    assert sources_table() in DOCS.read_text(encoding="utf-8"), "regenerate it with tebiki.agent.rules.sources_table()"


def test_texts_carry_the_limits_they_name():
    texts = check_texts()
    assert texts["screen_lock"]["title"] == {"ja": "画面ロック（15 分以内）", "en": "Screen lock (15 minutes or less)"}
    assert "15 分以内" in texts["screen_lock"]["fix"]["ja"]
    assert "7 日" in texts["antivirus"]["fix"]["ja"] and "45 日" in texts["os_updates"]["fix"]["ja"]


def _catalog_with_checks(tmp_path, change) -> Path:
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    data = yaml.safe_load(AGENT_CHECKS.read_text(encoding="utf-8"))
    change(data["checks"])
    (root / "agent").mkdir()
    (root / "agent" / "checks.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def test_a_dangling_measure_id_in_checks_yaml_fails_catalog_validate(tmp_path):
    root = _catalog_with_checks(tmp_path, lambda cs: cs[0]["measures"].append("mic-v5:admin:E-99"))
    with pytest.raises(CatalogError, match=r"agent/checks.yaml: disk_encryption.measures: unknown measure 'mic-v5:admin:E-99'"):
        load_catalog(root)
    result = CliRunner().invoke(app, ["catalog", "validate", str(root)])
    assert result.exit_code == 1 and "E-99" in result.output
    assert CliRunner().invoke(app, ["catalog", "validate"]).exit_code == 0
    assert len(load_catalog().checks) == len(CHECK_IDS)


@pytest.mark.parametrize(("change", "message"), [
    (lambda cs: cs[1]["policies"].append("csaj-2018:9.9.9-1"), "firewall.policies: unknown policy"),
    (lambda cs: cs[4].update(title={"ja": "{max_idle_hours} 時間", "en": "x"}), "is not one of the check's limits"),
    (lambda cs: cs[4]["limits"].update(max_idle_minutes=0), "limits.max_idle_minutes"),
    (lambda cs: cs[0].update(severity="high"), "severity"),
])
def test_a_malformed_check_names_the_file_entry_and_field(tmp_path, change, message):
    with pytest.raises(CatalogError, match=re.escape(message)):
        load_catalog(_catalog_with_checks(tmp_path, change))


# ---------------------------------------------------------------- limits: each verdict moves at exactly its value

def _verdict(os_name, good, name, text, check, as_of=None):
    return run(os_name, {**good, name: text})[check]["verdict"]


@pytest.mark.parametrize(("seconds", "verdict"), [(900, "pass"), (901, "fail"), (600, "pass")])
def test_screen_lock_limit_is_900_seconds_on_every_os(seconds, verdict):
    assert _verdict("linux", LINUX_GOOD, "linux/gsettings-lock.txt",
                    f"session=x11 desktop=GNOME\ntrue\nuint32 {seconds}\nuint32 0\n", "screen_lock") == verdict
    assert _verdict("linux", LINUX_GOOD, "linux/gsettings-lock.txt",  # blank after idle-delay, lock lock-delay later
                    f"session=x11 desktop=GNOME\ntrue\nuint32 {seconds - 300}\nuint32 300\n", "screen_lock") == verdict
    assert _verdict("macos", MAC_GOOD, "macos/screenlock.txt",
                    f"screenLock is immediate\nidleTime={seconds}\n", "screen_lock") == verdict
    assert _verdict("macos", MAC_GOOD, "macos/screenlock.txt",  # idle time and delay add up
                    f"screenLock delay is 300 seconds\nidleTime={seconds - 300}\n", "screen_lock") == verdict
    policy = f'{{"InactivityTimeoutSecs":{seconds},"ScreenSaveActive":null,"ScreenSaverIsSecure":null,"ScreenSaveTimeOut":null}}'
    saver = f'{{"InactivityTimeoutSecs":null,"ScreenSaveActive":"1","ScreenSaverIsSecure":"1","ScreenSaveTimeOut":"{seconds}"}}'
    for text in (policy, saver):
        assert _verdict("windows", WIN_GOOD, "windows/screenlock.json", text, "screen_lock") == verdict


@pytest.mark.parametrize(("signed", "verdict"), [("2026-10-25", "pass"), ("2026-10-24", "fail")])  # 7 and 8 days
def test_signatures_may_be_7_days_old_not_8(signed, verdict):
    defender = ('{"AntivirusEnabled":true,"RealTimeProtectionEnabled":true,'
                f'"AntivirusSignatureLastUpdated":"{signed}T10:00:00"}}')
    assert _verdict("windows", WIN_GOOD, "windows/defender.json", defender, "antivirus") == verdict
    import datetime as dt
    clam = dt.date.fromisoformat(signed).strftime("%a %b %d 09:31:02 %Y")
    assert _verdict("linux", LINUX_GOOD, "linux/clamav.txt", f"ClamAV 1.0.7/27440/{clam}\n", "antivirus") == verdict


@pytest.mark.parametrize(("installed", "verdict"), [("2026-09-17", "pass"), ("2026-09-16", "fail")])  # 45 and 46 days
def test_the_newest_windows_update_may_be_45_days_old_not_46(installed, verdict):
    hotfix = f'[{{"HotFixID":"KB1","InstalledOn":"{installed}T00:00:00"}}]'
    assert _verdict("windows", WIN_GOOD, "windows/hotfix.json", hotfix, "os_updates") == verdict


def test_every_reason_has_advice_in_both_languages_that_names_no_file():
    from tebiki.agent.engine import ADVICE, REASONS, advice_texts

    assert set(ADVICE) == set(REASONS)
    for code in REASONS:
        texts = advice_texts(code)
        assert texts["en"] and texts["ja"] and texts["en"] != texts["ja"], code
        assert not re.search(r"\{|\.(txt|json|log)\b|windows/|macos/|linux/", texts["en"] + texts["ja"]), code
    assert advice_texts("") is None and advice_texts("made_up") is None
