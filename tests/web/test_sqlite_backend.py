"""tebiki's SQLite backend (tebiki.web.sqlite): Django's own, with each statement's %s → ? rewrite kept per text.
The rewrite must be Django's, literally: a kept text answers what Django's regular expression would."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from tebiki.web.sqlite import base

STATEMENTS = [
    "SELECT 1",
    'SELECT "a" FROM "t" WHERE "b" = %s AND "c" IN (%s, %s)',
    "SELECT '%%s', %s, '100%%' FROM t WHERE x LIKE '%%%s'",  # a literal %s, a literal %, a parameter after %%
    "INSERT INTO t (a, b) VALUES (%s, %s) ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING a",
]


def django_rewrite(query: str) -> str:
    return sqlite3.connect(":memory:").cursor(factory=SQLiteCursorWrapper).convert_query(query)


def ours() -> base.CursorWrapper:
    return sqlite3.connect(":memory:").cursor(factory=base.CursorWrapper)


@pytest.mark.parametrize("query", STATEMENTS)
def test_a_kept_rewrite_is_djangos_rewrite_the_first_time_and_after(query):
    base._qmark.cache_clear()
    first = ours().convert_query(query)
    again = ours().convert_query(query)
    assert first == again == django_rewrite(query)
    assert base._qmark.cache_info().hits == 1 and base._qmark.cache_info().misses == 1


def test_a_long_statement_is_rewritten_as_django_does_and_not_kept():
    base._qmark.cache_clear()
    query = "SELECT a FROM t WHERE a IN (" + ", ".join(["%s"] * 2000) + ")"
    assert len(query) > base.QMARK_LONGEST
    assert ours().convert_query(query) == django_rewrite(query) == query.replace("%s", "?")
    assert base._qmark.cache_info().currsize == 0


def test_named_parameters_are_left_to_django():
    query = "SELECT %(a)s, %(b)s"
    assert ours().convert_query(query, param_names=["a", "b"]) == "SELECT :a, :b"


@pytest.mark.django_db
def test_sqlite_runs_on_this_backend_and_answers_like_django():
    if connection.vendor != "sqlite":
        assert connection.settings_dict["ENGINE"] != "tebiki.web.sqlite"  # PostgreSQL keeps Django's backend
        return
    assert connection.settings_dict["ENGINE"] == "tebiki.web.sqlite"
    with connection.cursor() as cur:
        assert isinstance(cur.cursor, base.CursorWrapper)
        for _ in range(2):  # the second time from the kept text
            cur.execute("SELECT %s, '%%s', '50%%'", ["x"])
            assert cur.fetchone() == ("x", "%s", "50%")
        cur.execute("CREATE TEMP TABLE kept (v TEXT, w TEXT)")
        for _ in range(2):  # executemany goes through the same rewrite
            cur.executemany("INSERT INTO kept VALUES (%s, '%%')", [["a"], ["b"]])
        cur.execute("SELECT v, w FROM kept ORDER BY v")
        assert cur.fetchall() == [("a", "%"), ("a", "%"), ("b", "%"), ("b", "%")]
        cur.execute("DROP TABLE kept")
