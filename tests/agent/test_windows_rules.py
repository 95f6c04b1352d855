"""Windows rules at the edges mutation testing found untested (docs/testing.md): how PowerShell 5.1 and 7 write
booleans, enums, dates and numbers, based on the captured fixtures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .test_rules import WIN_GOOD, run

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(case: str, name: str) -> str:
    return (FIXTURES / case / "windows" / name).read_text(encoding="utf-8")


def check(cid: str, name: str, text: str) -> dict:
    return run("windows", {**WIN_GOOD, f"windows/{name}": text})[cid]


def test_powershell_7_writes_a_profile_switched_off_as_the_word_false():
    profiles = json.loads(fixture("windows-11-ps7-enum-names", "firewall.json"))
    assert {p["Enabled"] for p in profiles} == {"True"}
    profiles[2]["Enabled"] = "False"
    result = check("firewall", "firewall.json", json.dumps(profiles))
    assert (result["verdict"], result["evidence"]) == (
        "fail", {"profiles": {"Domain": True, "Private": True, "Public": False}})


@pytest.mark.parametrize(("word", "deny"), [
    ("True", True), ("1", True), ("on", True), ("Yes", True),
    ("False", False), ("0", False), ("Off", False), ("no", False),
])
def test_a_flag_written_as_a_word_is_read_as_that_boolean(word, deny):
    result = check("remote_desktop_off", "rdp.json", json.dumps({"fDenyTSConnections": word}))
    assert (result["verdict"], result["evidence"]) == ("pass" if deny else "fail", {"fDenyTSConnections": deny})


@pytest.mark.parametrize("value", [2, -1, "maybe", None])
def test_an_smb1_flag_that_is_neither_true_nor_false_is_unknown_not_off(value):
    result = check("smb1_off", "smb.json", json.dumps({"EnableSMB1Protocol": value, "EnableSMB2Protocol": True}))
    assert (result["verdict"], result["reason_code"]) == ("unknown", "shape")
    assert result["reasons"] == {"en": "windows/smb.json: no readable EnableSMB1Protocol",
                                 "ja": "windows/smb.json: 想定した形式ではありません（EnableSMB1Protocol を読み取れません）"}


@pytest.mark.parametrize(("protection", "volume"), [(3, 1), (1, 6), (1, 7), (None, 1), ("On", None), (True, 1)])
def test_a_bitlocker_status_outside_the_enum_is_unknown_and_names_both_values(protection, volume):
    result = check("disk_encryption", "bitlocker.json", json.dumps({"ProtectionStatus": protection, "VolumeStatus": volume}))
    assert (result["verdict"], result["reason_code"]) == ("unknown", "shape")
    assert result["reason"] == (f"windows/bitlocker.json: ProtectionStatus {protection!r}, VolumeStatus {volume!r}")


def test_bitlocker_enum_names_may_be_written_with_spaces():
    result = check("disk_encryption", "bitlocker.json", '{"ProtectionStatus": "On", "VolumeStatus": "Fully Encrypted"}')
    assert (result["verdict"], result["evidence"]["VolumeStatus"]) == ("pass", "FullyEncrypted")


def test_an_installed_on_date_without_value_is_read_from_datetime():
    hotfix = '[{"HotFixID": "KB5066835", "InstalledOn": {"DateTime": "2026-10-15 00:00:00"}}]'
    result = check("os_updates", "hotfix.json", hotfix)
    assert (result["verdict"], result["evidence"]) == ("pass", {"last_update": "2026-10-15", "age_days": 17})


def test_a_powershell_date_is_its_utc_day_whatever_the_local_time_zone(monkeypatch):
    hotfix = fixture("windows-11-ps51", "hotfix.json")  # /Date(1792022400000)/: 2026-10-15 00:00 UTC
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        result = check("os_updates", "hotfix.json", hotfix)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert result["evidence"]["last_update"] == "2026-10-15"


def test_an_unreadable_signature_date_is_unknown_naming_it():
    defender = json.loads(fixture("windows-11-ps51", "defender.json"))
    defender["AntivirusSignatureLastUpdated"] = "yesterday"
    result = check("antivirus", "defender.json", json.dumps(defender))
    assert (result["verdict"], result["reason_code"]) == ("unknown", "date")
    assert result["reason_params"] == {"name": "windows/defender.json", "value": "yesterday"}


@pytest.mark.parametrize(("timeout", "verdict"), [("600", "pass"), ("123456789", "fail"), ("1234567890", "unknown")])
def test_a_timeout_string_of_ten_digits_or_more_is_unknown(timeout, verdict):
    lock = {"InactivityTimeoutSecs": timeout, "ScreenSaveActive": None, "ScreenSaverIsSecure": None,
            "ScreenSaveTimeOut": None}
    assert check("screen_lock", "screenlock.json", json.dumps(lock))["verdict"] == verdict


def test_a_one_volume_array_is_read_as_that_volume_and_two_volumes_are_unknown():
    volume = json.loads(fixture("windows-11-ps51", "bitlocker.json"))
    assert check("disk_encryption", "bitlocker.json", json.dumps([volume]))["verdict"] == "pass"
    two = check("disk_encryption", "bitlocker.json", json.dumps([volume, {**volume, "MountPoint": "D:"}]))
    assert (two["verdict"], two["reasons"]) == ("unknown", {
        "en": "windows/bitlocker.json: not one object",
        "ja": "windows/bitlocker.json: 想定した形式ではありません（1 つのオブジェクトではありません）"})


def test_missing_fields_are_unknown_and_named_in_both_languages():
    defender = json.loads(fixture("windows-11-ps51", "defender.json"))
    del defender["AntivirusEnabled"], defender["AntivirusSignatureLastUpdated"]
    result = check("antivirus", "defender.json", json.dumps(defender))
    assert (result["verdict"], result["reason_code"]) == ("unknown", "shape")
    assert result["reasons"] == {
        "en": "windows/defender.json: no AntivirusEnabled, AntivirusSignatureLastUpdated",
        "ja": "windows/defender.json: 想定した形式ではありません（AntivirusEnabled, AntivirusSignatureLastUpdated がありません）"}
