"""`tebiki browse` and the method comparison tables: short IDs, no quitting on Enter, Japanese answers,
and the two 「システム導入 …」 axes told apart."""

from __future__ import annotations

from typer.testing import CliRunner

from tebiki.catalog import get_catalog
from tebiki.cli import app
from tebiki.cli.browse import resolve_id

runner = CliRunner()


def browse(keys: str, *args: str):
    return runner.invoke(app, ["browse", *args], input=keys, env={"COLUMNS": "100"})


def test_browse_shows_an_entry_by_the_short_id_its_lists_show():
    result = browse("s\nadmin:C-2\nq\n")
    assert result.exit_code == 0, result.output
    assert "mic-v5:admin:C-2" in result.output and "その ID は見つかりません" not in result.output


def test_short_ids_resolve_for_measures_policies_and_cases():
    by_id = get_catalog().by_id
    assert resolve_id(by_id, "admin:C-2") == ["mic-v5:admin:C-2"]
    assert resolve_id(by_id, "ADMIN:c-2") == ["mic-v5:admin:C-2"]
    assert resolve_id(by_id, "5.1.1-1") == ["csaj-2018:5.1.1-1"]
    assert resolve_id(by_id, "case-08") == ["mic-v5:case-08"]
    assert resolve_id(by_id, "C-2") and all(i.endswith(":C-2") for i in resolve_id(by_id, "C-2"))
    assert resolve_id(by_id, "nothing-like-this") == []


def test_several_matches_are_listed_and_an_unknown_id_is_said_in_japanese():
    result = browse("s\nC-2\ns\nZ-99\nq\n")
    assert "複数に当てはまります" in result.output and "mic-v5:worker:C-2" in result.output
    assert "その ID は見つかりません" in result.output


def test_enter_alone_does_not_quit_and_the_complaint_is_japanese():
    result = browse("\n5\nq\n")
    assert result.exit_code == 0
    assert "表示されている記号から選んでください" in result.output
    assert "VPN機器の脆弱性の放置" in result.output  # the cases list still came after the empty line


def test_english_when_asked():
    result = browse("s\nZ-99\n\nq\n", "--lang", "en")
    assert "unknown ID" in result.output and "Please choose one of the keys shown" in result.output


def test_listings_say_how_many_entries_they_hold():
    result = browse("2\nq\n")
    assert "(64)" in result.output  # the administrator measures, counted in the title


def test_the_method_table_tells_the_two_introduction_axes_apart():
    result = runner.invoke(app, ["catalog", "methods"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "③ システム導入コスト" in result.output and "④ システム導入作業負荷" in result.output
    header = next(line for line in result.output.splitlines() if "方式" in line and "┃" in line)
    assert all(mark in header for mark in "①②③④⑤") and "…" not in header


def test_diagnose_uses_the_same_numbered_axes(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("office_systems: true\nfull_desktop: true\ndata_on_terminal: false\noffice_pc: true\n"
                       "vdi_budget: false\n", encoding="utf-8")
    result = runner.invoke(app, ["diagnose", "--answers", str(answers)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "③ システム導入コスト" in result.output and "④ システム導入作業負荷" in result.output
