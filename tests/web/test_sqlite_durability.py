"""SQLite's durability: every commit on disk before the answer (synchronous=FULL) unless the operator chooses NORMAL
(docs/deploy.md); a misspelt choice stops the app instead of silently running with another."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRAGMA = ("import django; django.setup(); from django.db import connection; c = connection.cursor(); "
          "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA synchronous').fetchone()[0])")


def run(tmp_path, choice: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEBIKI_SQLITE_SYNCHRONOUS")}
    env.update(TEBIKI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tebiki.web.settings")
    if choice is not None:
        env["TEBIKI_SQLITE_SYNCHRONOUS"] = choice
    return subprocess.run([sys.executable, "-c", PRAGMA], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("choice", "level"), [(None, "2"), ("full", "2"), ("NORMAL", "1")])
def test_sqlite_commits_are_durable_unless_normal_is_chosen(tmp_path, choice, level):
    r = run(tmp_path, choice)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["wal", level]  # PRAGMA synchronous: 1 NORMAL, 2 FULL


def test_an_unknown_durability_choice_stops_the_app(tmp_path):
    r = run(tmp_path, "off")
    assert r.returncode != 0 and "TEBIKI_SQLITE_SYNCHRONOUS must be full or normal, not 'off'" in r.stderr
