"""Indexes fewer to write for every upload (issue 19): a report's organisation is served by the unique
(organisation, idempotency_key) index, only the device links made by a person are indexed by their creator, and a
device link's organisation is not indexed (links are found by hash and listed by device).

The indexes are dropped by name, which is how Django named them (the same on SQLite and PostgreSQL): Django's own
AlterField would copy the whole report table on SQLite to drop one index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REPORT_ORG = "devices_checkreport_organisation_id_b8bdc63f"
LINK_CREATOR = "devices_devicelink_created_by_id_dd524065"
LINK_ORG = "devices_devicelink_organisation_id_e718d42d"


class Migration(migrations.Migration):

    dependencies = [
        ('devices', '0002_device_links_and_reasons'),
        ('orgs', '0004_evidence_revision'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='checkreport',
                    name='organisation',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='check_reports', to='orgs.organisation'),
                ),
                migrations.AlterField(
                    model_name='devicelink',
                    name='organisation',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='+', to='orgs.organisation'),
                ),
                migrations.AlterField(
                    model_name='devicelink',
                    name='created_by',
                    field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{REPORT_ORG}"',
                    f'CREATE INDEX "{REPORT_ORG}" ON "devices_checkreport" ("organisation_id")'),
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{LINK_CREATOR}"',
                    f'CREATE INDEX "{LINK_CREATOR}" ON "devices_devicelink" ("created_by_id")'),
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{LINK_ORG}"',
                    f'CREATE INDEX "{LINK_ORG}" ON "devices_devicelink" ("organisation_id")'),
            ],
        ),
        migrations.AddIndex(
            model_name='devicelink',
            index=models.Index(condition=models.Q(('created_by__isnull', False)), fields=['created_by'],
                               name='devicelink_created_by'),
        ),
    ]
