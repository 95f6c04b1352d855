"""The cache table (settings.CACHES) is created by `migrate`, so every installation has it.

Plans and the session-free figures are cached in the database. Before this migration only `make run` and
`tebiki serve` ran `createcachetable`; an installation set up with `migrate` alone then failed on its first page.
`createcachetable` does nothing when the table is already there.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_record_revision")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
