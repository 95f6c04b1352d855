"""The result of `evaluate`: what every check carries besides its verdict (found by mutation testing)."""

from __future__ import annotations

import datetime as dt

import pytest

from tebiki.agent.rules import check_texts, evaluate

from .test_rules import MAC_GOOD, with_status


def test_the_result_names_the_os_and_the_day_it_was_judged_for():
    result = evaluate("macos", with_status("macos", MAC_GOOD), dt.date(2026, 11, 1))
    assert (result["os"], result["as_of"]) == ("macos", "2026-11-01")


def test_each_check_carries_its_measures_and_policies_and_a_fix_only_when_it_fails():
    files = with_status("macos", {**MAC_GOOD, "macos/fdesetup.txt": "FileVault is Off.\n"})
    checks = evaluate("macos", files, dt.date(2026, 11, 1))["checks"]
    texts = check_texts()
    for cid, c in checks.items():
        assert (c["measures"], c["policies"], c["title"]) == (texts[cid]["measures"], texts[cid]["policies"],
                                                              texts[cid]["title"]), cid
        assert c["fix"] == (texts[cid]["fix"] if c["verdict"] == "fail" else None), cid
    assert checks["disk_encryption"]["verdict"] == "fail" and checks["firewall"]["verdict"] == "pass"
    assert any(c["policies"] for c in checks.values())


def test_an_unknown_os_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown OS 'solaris'; expected linux, windows or macos"):
        evaluate("solaris", {}, dt.date(2026, 11, 1))
