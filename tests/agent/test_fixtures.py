"""Replay every fixture folder (real outputs captured on Debian, documented formats elsewhere; see
fixtures/README.md) and compare each check's verdict, and the evidence named, with expected.yaml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tebiki.agent import collect as col
from tebiki.agent.rules import CHECK_IDS, evaluate

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def replay(case: str) -> tuple[dict, dict]:
    expected = yaml.safe_load((FIXTURES / case / "expected.yaml").read_text(encoding="utf-8"))
    os_name, files = col.load(FIXTURES / case)
    return evaluate(os_name, files, dt.date.fromisoformat(expected["as_of"]))["checks"], expected


@pytest.mark.parametrize("case", CASES)
def test_each_fixture_gives_its_expected_verdicts(case):
    checks, expected = replay(case)
    assert set(expected["verdicts"]) == set(CHECK_IDS), "expected.yaml names every check"
    got = {cid: c["verdict"] for cid, c in checks.items()}
    assert got == expected["verdicts"], {cid: checks[cid]["reason"] or checks[cid]["evidence"]
                                        for cid in got if got[cid] != expected["verdicts"][cid]}
    for cid, values in (expected.get("evidence") or {}).items():
        assert {k: checks[cid]["evidence"].get(k) for k in values} == values, cid
    for c in checks.values():
        assert bool(c["reason"]) == (c["verdict"] == "unknown") and bool(c["reasons"]["ja"]) == bool(c["reason"])


def test_every_os_and_every_check_has_fixtures_that_pass_and_fail():
    seen: dict[tuple[str, str], set[str]] = {}
    for case in CASES:
        checks, _ = replay(case)
        os_name = col.load(FIXTURES / case)[0]
        for cid, c in checks.items():
            seen.setdefault((os_name, cid), set()).add(c["verdict"])
    for os_name in ("linux", "windows", "macos"):
        for cid in CHECK_IDS:
            assert "pass" in seen.get((os_name, cid), set()), (os_name, cid)


def test_the_table_explains_unknown_in_japanese_or_english_and_ends_with_a_summary():
    from typer.testing import CliRunner

    from tebiki.cli import app

    folder = str(FIXTURES / "linux-debian12-container")
    ja = CliRunner().invoke(app, ["check", "--replay", folder, "--as-of", "2026-12-01"], env={"COLUMNS": "200"})
    assert ja.exit_code == 1
    assert "判定できませんでした: デスクトップのログインセッションがなく" in ja.output
    assert "ClamAV (clamscan) が入っていません。他のウイルス対策製品は読み取りません" in ja.output
    assert "security_count: 88" in ja.output
    assert "インストーラでディスクの暗号化（LUKS）を選びます" in ja.output  # the steps for this OS
    assert ja.output.rstrip().endswith("合計 9 項目: OK 3、要対応 3、判定不可 3")
    en = CliRunner().invoke(app, ["check", "--replay", folder, "--as-of", "2026-12-01", "--lang", "en"],
                            env={"COLUMNS": "200"})
    assert "Could not decide: no graphical desktop session" in en.output
    assert en.output.rstrip().endswith("9 checks: 3 pass, 3 fail, 3 unknown")
