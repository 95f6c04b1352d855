"""Property: for every fixture, truncating any source at any line, or replacing it with an error text, never
turns a verdict into pass — whether the exit-status file stays as captured, loses the probe's line, or is gone."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from tebiki.agent import collect as col
from tebiki.agent.engine import STATUS_FILE, decode, line_count
from tebiki.agent.rules import evaluate

from .test_fixtures import CASES, FIXTURES, replay

# Error texts the probes really print when they fail (see fixtures/README.md), and hostile shapes.
ERRORS = [
    "Cannot open netlink socket: Protocol not supported\n",
    "netlink: Error: cache initialization failed: Operation not permitted\n",
    "ERROR: You need to be root to run this script\n",
    "sh: 1: lsblk: not found\n",
    "Get-BitLockerVolume : Access is denied. (Exception from HRESULT: 0x80070005)\n",
    "Error: Could not connect: No such file or directory\n",
    "dconf-WARNING **: failed to commit changes to dconf: Could not connect\n",
    "sysadminctl[1234:56789] ### Error:-14009\n",
    "The domain/default pair of (x, y) does not exist\n",
    '{"a": 1}', "null", "[]", "{", "[1, 2", "\\u0000", "garbage \x00\x01\n",
]
STATUS_MODES = ("kept", "probe_line_dropped", "file_gone", "rewritten_to_match")


@cache
def baseline(case: str) -> tuple[str, dict[str, bytes], dt.date, dict[str, str]]:
    checks, expected = replay(case)
    os_name, files = col.load(FIXTURES / case)
    return os_name, files, dt.date.fromisoformat(expected["as_of"]), {k: c["verdict"] for k, c in checks.items()}


def _status(files: dict[str, bytes], os_name: str, name: str, mode: str, new: bytes) -> dict[str, bytes]:
    key = f"{os_name}/{STATUS_FILE}"
    if key not in files or mode == "kept":
        return files
    if mode == "file_gone":
        return {k: v for k, v in files.items() if k != key}
    base = name.split("/", 1)[1]
    lines = decode(files[key]).splitlines()
    if mode == "probe_line_dropped":
        lines = [ln for ln in lines if ln.split()[0] != base]
    else:  # the strongest adversary: the status line claims the mutated output ran cleanly and is whole
        lines = [f"{base} exit=0 lines={line_count(decode(new))} stderr=0" if ln.split()[0] == base else ln
                 for ln in lines]
    return {**files, key: ("\n".join(lines) + "\n").encode()}


def _no_new_pass(case: str, mutated: dict[str, bytes]) -> None:
    os_name, _, as_of, before = baseline(case)
    after = evaluate(os_name, mutated, as_of)["checks"]
    gained = [cid for cid, c in after.items() if c["verdict"] == "pass" and before[cid] != "pass"]
    assert not gained, {cid: after[cid]["evidence"] for cid in gained}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CASES), st.data())
def test_truncating_a_source_at_any_line_never_makes_a_pass(case, data):
    os_name, files, _, _ = baseline(case)
    name = data.draw(st.sampled_from(sorted(k for k in files if not k.endswith(STATUS_FILE))))
    text = decode(files[name])
    kept = data.draw(st.integers(0, max(0, line_count(text) - 1)))
    new = "".join(text.splitlines(keepends=True)[:kept]).encode()
    mode = data.draw(st.sampled_from(STATUS_MODES[:3]))  # a cut the status file cannot know of is not detectable
    _no_new_pass(case, _status({**files, name: new}, os_name, name, mode, new))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CASES), st.data())
def test_replacing_a_source_with_an_error_text_never_makes_a_pass(case, data):
    os_name, files, _, _ = baseline(case)
    name = data.draw(st.sampled_from(sorted(k for k in files if not k.endswith(STATUS_FILE))))
    new = data.draw(st.sampled_from(ERRORS)).encode()
    mode = data.draw(st.sampled_from(STATUS_MODES))
    _no_new_pass(case, _status({**files, name: new}, os_name, name, mode, new))


def test_every_truncation_of_every_source_is_covered_exhaustively_for_the_failing_fixtures():
    """The same property, not sampled: every line of every source of the fixtures that fail something."""
    for case in CASES:
        os_name, files, _, before = baseline(case)
        if "fail" not in before.values():
            continue
        for name in (k for k in files if not k.endswith(STATUS_FILE)):
            lines = decode(files[name]).splitlines(keepends=True)
            for kept in range(len(lines)):
                new = "".join(lines[:kept]).encode()
                for mode in STATUS_MODES[:3]:
                    _no_new_pass(case, _status({**files, name: new}, os_name, name, mode, new))


def test_the_status_file_itself_cut_at_any_line_never_makes_a_pass():
    for case in CASES:
        os_name, files, _, _ = baseline(case)
        key = f"{os_name}/{STATUS_FILE}"
        if key in files:
            lines = decode(files[key]).splitlines(keepends=True)
            for kept in range(len(lines)):
                _no_new_pass(case, {**files, key: "".join(lines[:kept]).encode()})


def test_ss_error_text_is_not_judged_as_nothing_listening():
    _, files, _, before = baseline("linux-ss-netlink-error")
    assert before["remote_desktop_off"] == before["file_sharing_off"] == "unknown"
    assert re.search(rb"Cannot open netlink socket", files["linux/ss-listen.txt"])
