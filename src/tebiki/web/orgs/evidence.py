"""Organisation.evidence_revision: a number the database itself moves on every change to what the dashboard reads
as evidence — devices (their names and newest verdicts), workers, self-check campaigns and answers.

The dashboard's contradictions (tebiki.web.devices.service.contradictions) are read from those four tables, and
writes reach them by many paths: the agent's upload in plain SQL, forms, imports, cascades from a deleted worker or
campaign, the admin, a shell. Triggers see them all, in the same transaction as the change, so a page keyed by the
revision is never older than the data (tebiki.web.assessments.views.dashboard). A device report that leaves the name
and the verdicts as they were (most of a fleet's daily reports) moves nothing.

The triggers are dropped before every `migrate` (pre_migrate) and made again after it (post_migrate), not made in one
migration: SQLite rebuilds a table to alter it, which drops the table's triggers and fails while other tables'
triggers name it, so a later migration of any of these tables would otherwise break or lose them silently. After a
migrate every organisation's revision moves once, as the data may have been changed with no trigger in place.
"""

from __future__ import annotations

import time

from django.db import connections, models

COLUMN = "evidence_revision"


def _sources() -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns whose UPDATE counts; empty: any UPDATE) of every model the evidence is read from."""
    from tebiki.web.devices.models import Device
    from tebiki.web.people.models import Answer, Campaign, Worker

    def col(model, name: str) -> str:
        return model._meta.get_field(name).column

    return [(Device._meta.db_table, (col(Device, "hostname"), col(Device, "latest"))),
            (Worker._meta.db_table, ()), (Campaign._meta.db_table, ()), (Answer._meta.db_table, ())]


def _org_table() -> str:
    from .models import Organisation

    return Organisation._meta.db_table


def trigger_names(table: str) -> list[str]:
    return [f"tebiki_evidence_{table}_{op}" for op in ("insert", "update", "delete")]


def _sqlite(table: str, columns: tuple[str, ...], q) -> list[str]:
    org, n = q(_org_table()), q(COLUMN)
    out = []
    for name, op, row in zip(trigger_names(table), ("INSERT", "UPDATE", "DELETE"), ("NEW", "NEW", "OLD"), strict=True):
        when = (" WHEN " + " OR ".join(f"OLD.{q(c)} IS NOT NEW.{q(c)}" for c in columns)) if op == "UPDATE" and columns \
            else ""
        out += [f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {op} ON {q(table)}{when} BEGIN "
                f"UPDATE {org} SET {n} = {n} + 1 WHERE id = {row}.organisation_id; END"]
    return out


def _postgresql(table: str, columns: tuple[str, ...], q) -> list[str]:
    out = []
    for name, op in zip(trigger_names(table), ("INSERT", "UPDATE", "DELETE"), strict=True):
        when = (" WHEN (" + " OR ".join(f"OLD.{q(c)} IS DISTINCT FROM NEW.{q(c)}" for c in columns) + ")") \
            if op == "UPDATE" and columns else ""
        out += [f"DROP TRIGGER IF EXISTS {name} ON {q(table)}",
                f"CREATE TRIGGER {name} AFTER {op} ON {q(table)} FOR EACH ROW{when} "
                f"EXECUTE FUNCTION tebiki_evidence_changed()"]
    return out


def _pg_function(q) -> str:
    org, n = q(_org_table()), q(COLUMN)
    return (f"CREATE OR REPLACE FUNCTION tebiki_evidence_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN UPDATE {org} SET {n} = {n} + 1 WHERE id = OLD.organisation_id; "
            f"ELSE UPDATE {org} SET {n} = {n} + 1 WHERE id = NEW.organisation_id; END IF; RETURN NULL; END $$")


def install(using: str = "default") -> None:
    """Make the triggers on every source table that exists (idempotent: each is dropped and made again), and move
    every organisation's revision once."""
    connection = connections[using]
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        tables = set(connection.introspection.table_names(cur))
        if _org_table() not in tables:
            return
        statements = [_pg_function(q)] if connection.vendor == "postgresql" else []
        make = _postgresql if connection.vendor == "postgresql" else _sqlite
        for table, columns in _sources():
            if table in tables:
                statements += make(table, columns, q)
        for sql in statements:
            cur.execute(sql)
        cur.execute(f"UPDATE {q(_org_table())} SET {q(COLUMN)} = {q(COLUMN)} + 1")


def uninstall(using: str = "default") -> None:
    connection = connections[using]
    q = connection.ops.quote_name
    names = installed(using)
    with connection.cursor() as cur:
        for table, _ in _sources():
            for name in trigger_names(table):
                if name in names:
                    cur.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {q(table)}" if connection.vendor == "postgresql"
                                                                    else ""))


def installed(using: str = "default") -> set[str]:
    """The names of the evidence triggers in the database (for the checks that they are all there)."""
    connection = connections[using]
    sql = ("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'tebiki_evidence_%'" if connection.vendor == "postgresql"
           else "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tebiki_evidence_%'")
    with connection.cursor() as cur:
        cur.execute(sql)
        return {name for (name,) in cur.fetchall()}


def expected() -> set[str]:
    return {name for table, _ in _sources() for name in trigger_names(table)}


def on_pre_migrate(sender, using: str = "default", **kwargs) -> None:
    uninstall(using)


def on_post_migrate(sender, using: str = "default", **kwargs) -> None:
    install(using)


def highest(using: str = "default") -> int:
    """The highest revision any organisation has now (0 for none)."""
    from .models import Organisation

    return Organisation.objects.using(using).aggregate(n=models.Max(COLUMN))["n"] or 0


def after_restore(floor: int, using: str = "default") -> None:
    """After a restore has loaded older rows: every organisation gets one revision above any it may have had before
    (*floor*, the highest before the restore, and what loading moved), and at least the current time in microseconds,
    which no count of changes reaches — so a running server's kept pages of the replaced state are never shown for
    the restored one, not even for an organisation deleted before the restore and now back."""
    from .models import Organisation

    value = max(floor, highest(using)) + 1
    Organisation.objects.using(using).update(**{COLUMN: max(value, time.time_ns() // 1000)})
