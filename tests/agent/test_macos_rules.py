"""macOS rules at the edges mutation testing found untested (docs/testing.md): launchctl's listing of disabled
services, in the format of macOS 11+ (disabled/enabled) and of 10.x (true/false)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_rules import MAC_GOOD, run

# `launchctl print-disabled system` as the good macOS 15 fixture captured it
LISTING = (Path(__file__).parent / "fixtures" / "macos-15-good" / "macos" / "sharing.txt").read_text(encoding="utf-8")
SHARING = ("remote_desktop_off", "file_sharing_off", "smb1_off")


def sharing(text: str) -> dict:
    checks = run("macos", {**MAC_GOOD, "macos/sharing.txt": text})
    return {cid: checks[cid] for cid in SHARING}


def test_the_fixture_lists_both_services_disabled():
    assert '\t"com.apple.screensharing" => disabled\n' in LISTING and '\t"com.apple.smbd" => disabled\n' in LISTING
    assert {cid: r["verdict"] for cid, r in sharing(LISTING).items()} == dict.fromkeys(SHARING, "pass")


def test_a_listing_that_stops_before_its_closing_brace_is_unknown_not_a_pass():
    head = LISTING[:LISTING.index('\t"com.apple.screensharing"')]  # the services asked about never came
    assert head.startswith("disabled services = {\n") and "}" not in head
    for result in sharing(head).values():
        assert (result["verdict"], result["reason_code"]) == ("unknown", "shape")
        assert result["reasons"] == {
            "en": "macos/sharing.txt: not launchctl's list of disabled services",
            "ja": "macos/sharing.txt: 想定した形式ではありません（launchctl の無効化サービス一覧ではありません）"}


@pytest.mark.parametrize(("word", "state", "verdict"), [
    ("disabled", "disabled", "pass"), ("enabled", "enabled", "fail"),  # macOS 11 and later
    ("true", "disabled", "pass"), ("false", "enabled", "fail"),  # macOS 10.x: true means disabled
])
def test_screen_sharing_and_smb_are_read_in_both_launchctl_formats(word, state, verdict):
    text = LISTING.replace('"com.apple.screensharing" => disabled', f'"com.apple.screensharing" => {word}')
    text = text.replace('"com.apple.smbd" => disabled', f'"com.apple.smbd" => {word}')
    results = sharing(text)
    assert (results["remote_desktop_off"]["verdict"], results["remote_desktop_off"]["evidence"]) == (
        verdict, {"com.apple.screensharing": state})
    assert (results["file_sharing_off"]["verdict"], results["file_sharing_off"]["evidence"]) == (
        verdict, {"com.apple.smbd": state})
    assert results["smb1_off"]["verdict"] == ("pass" if verdict == "pass" else "unknown")


def test_a_service_never_switched_is_not_listed_and_off():
    text = "".join(line for line in LISTING.splitlines(keepends=True) if "screensharing" not in line)
    result = sharing(text)["remote_desktop_off"]
    assert (result["verdict"], result["evidence"]) == ("pass", {"com.apple.screensharing": "not listed"})


def test_a_service_state_that_is_no_known_word_is_unknown_naming_the_line():
    result = sharing(LISTING.replace('"com.apple.smbd" => disabled', '"com.apple.smbd" => maybe'))["file_sharing_off"]
    assert (result["verdict"], result["reason_code"]) == ("unknown", "unrecognised")
    assert result["reason_params"] == {"name": "macos/sharing.txt", "line": '"com.apple.smbd" => maybe'}
