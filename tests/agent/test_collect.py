"""collect(): the commands it runs, and apt's cache where the system keeps none."""

from __future__ import annotations

import os
import subprocess

from tebiki.agent import collect as col

APT = "linux/apt-upgradable.txt"


def test_without_a_system_apt_cache_apt_uses_one_in_tebikis_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(col, "SYSTEM_APT_CACHE", tmp_path / "absent.bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cmds = col.commands("linux")
    assert cmds[APT] == ["apt", "-o", f"Dir::Cache::pkgcache={tmp_path / 'cache' / 'tebiki' / 'apt-pkgcache.bin'}",
                         "-o", "Apt::Cmd::Disable-Script-Warning=true",
                         "list", "--upgradable"]
    assert {k: v for k, v in cmds.items() if k != APT} == {k: v for k, v in col.SOURCES["linux"].items() if k != APT}
    assert (tmp_path / "cache" / "tebiki").is_dir()


def test_with_a_system_apt_cache_or_no_cache_folder_the_documented_commands_run(tmp_path, monkeypatch):
    system = tmp_path / "pkgcache.bin"
    system.write_bytes(b"")
    monkeypatch.setattr(col, "SYSTEM_APT_CACHE", system)
    assert col.commands("linux") == col.SOURCES["linux"]
    system.unlink()
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert col.commands("linux") == col.SOURCES["linux"]
    assert col.commands("windows") == col.SOURCES["windows"]


def test_apt_with_tebikis_cache_answers_exactly_as_plain_apt(tmp_path, monkeypatch):
    monkeypatch.setattr(col, "SYSTEM_APT_CACHE", tmp_path / "absent.bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    env = {**os.environ, "LC_ALL": "C"}
    plain = subprocess.run(col.SOURCES["linux"][APT], capture_output=True, env=env, check=True).stdout
    first = col.collect("linux")[APT]  # builds the cache
    assert (tmp_path / "tebiki" / "apt-pkgcache.bin").stat().st_size > 0
    assert plain.startswith(b"Listing") and first == plain and col.collect("linux")[APT] == plain
