"""Statements on the ingestion path, built once from the models' metadata and run on the connection directly.

Why not the ORM there (issue 19): one report per request was 2.4 ms, and compiling its querysets (the token's
look-up with its organisation, the stored keys, the device link's insert) was about a third of it. The SQL of
these statements does not change between requests, so it is built once per shape (functools.lru_cache) from the
models' tables and columns, which keeps it right on SQLite and PostgreSQL and after a migration renames a column.
Rows read back go through the same converters the ORM applies (aware datetimes, decoded JSON) and come back as
real model instances (Model.from_db), so callers cannot tell the difference.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Model


def column(model: type[Model], name: str) -> str:
    """The quoted column of a field (by name or attname)."""
    return connection.ops.quote_name(model._meta.get_field(name).column)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(width: int, rows: int) -> str:
    """"(%s, …), …": *rows* rows of *width* parameters."""
    return ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * rows)


@functools.lru_cache(maxsize=64)
def insert_sql(model: type[Model], fields: tuple[str, ...], rows: int = 1, returning: str | None = None) -> str:
    """An INSERT of *rows* rows (one for executemany), with RETURNING (*returning*, id) if asked."""
    cols = ", ".join(column(model, n) for n in fields)
    back = f" RETURNING {column(model, returning)}, {column(model, 'id')}" if returning else ""
    return f"INSERT INTO {table(model)} ({cols}) VALUES {placeholders(len(fields), rows)}{back}"


def insert(cursor, model: type[Model], **values: Any) -> None:
    """One row of *model* on *cursor*, every column but the id given by field name or attname (no defaults are
    filled in, no signals are sent). Values must already be in database form (connection.ops.adapt_datetimefield_value
    …). The caller's cursor: a transaction that writes several statements opens one cursor, not one each."""
    cursor.execute(insert_sql(model, tuple(values)), list(values.values()))


@functools.lru_cache(maxsize=16)
def _row_sql(model: type[Model], related: str | None, equal: tuple[str, ...], null: tuple[str, ...]) -> str:
    """SELECT every column of *model*, and with *related* (a foreign key) every column of the row it points to (an
    inner join, as select_related makes for a non-null key), where each field of *equal* is a parameter and each of
    *null* is NULL."""
    t = table(model)
    cols = [f"{t}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]
    conds = [f"{t}.{column(model, n)} = %s" for n in equal] + [f"{t}.{column(model, n)} IS NULL" for n in null]
    join = ""
    if related is not None:
        other = model._meta.get_field(related).related_model
        o = table(other)
        cols += [f"{o}.{connection.ops.quote_name(f.column)}" for f in other._meta.concrete_fields]
        join = f" INNER JOIN {o} ON {o}.{column(other, other._meta.pk.name)} = {t}.{column(model, related)}"
    return f"SELECT {', '.join(cols)} FROM {t}{join} WHERE {' AND '.join(conds)}"


# per connection (each thread has its own): the converters' methods are bound to its operations
_converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _converters_of(model: type[Model]) -> list[tuple[int, list, Any]]:
    """(column index, converters, column) for each concrete field of *model* that has converters, as the ORM's
    compiler finds them (SQLiteCompiler.get_converters)."""
    conn = connections[connection.alias]
    known = _converters.setdefault(conn, {})
    if model not in known:
        known[model] = [(i, convs, f.cached_col) for i, f in enumerate(model._meta.concrete_fields)
                        if (convs := conn.ops.get_db_converters(f.cached_col) + f.cached_col.get_db_converters(conn))]
    return known[model]


def _instance(model: type[Model], row: tuple) -> Model:
    """*row* (every concrete column, in order, as the database returned it) as an instance loaded from the database,
    each value through the converters the ORM applies (aware datetimes, decoded JSON)."""
    values = list(row)
    for i, convs, col in _converters_of(model):
        for convert in convs:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, None, values)


def get_row(model: type[Model], equal: dict[str, Any], null: tuple[str, ...] = (),
            related: str | None = None) -> Model | None:
    """The row of *model* whose fields equal *equal* and whose *null* fields are NULL (by a unique key: at most one),
    with the object of its foreign key *related* loaded in the same query if one is named, as select_related does;
    or None."""
    meta = model._meta
    with connection.cursor() as cur:
        cur.execute(_row_sql(model, related, tuple(equal), null),
                    [meta.get_field(n).get_db_prep_value(v, connection) for n, v in equal.items()])
        row = cur.fetchone()
    if row is None:
        return None
    width = len(meta.concrete_fields)
    obj = _instance(model, row[:width])
    if related is not None:
        field = meta.get_field(related)
        field.set_cached_value(obj, _instance(field.related_model, row[width:]))
    return obj


def plain_rows(queryset) -> list[tuple]:
    """The rows of a values_list *queryset*, fetched on the cursor without the ORM's per-row work, when none of its
    columns needs a converter on this database (integers and text: the database's value is the Python value);
    otherwise (a date-time, JSON, a boolean on SQLite …) through the ORM, so the rows are the same either way.
    About 1 µs a row instead of about 3: the dashboard reads a campaign's "no" answers, thousands of them."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    if compiler.get_converters([expression for expression, _sql, _alias in compiler.select]):
        return [tuple(row) for row in queryset]
    with connections[queryset.db].cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()
