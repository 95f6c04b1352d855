from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="policysettings",
            name="saved_sections",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
