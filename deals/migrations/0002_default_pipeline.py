"""The default pipeline and its stages (DOMAIN.md "Pipeline stages"); managers edit them afterwards."""

from django.db import migrations

from deals.defaults import ensure_default_pipeline


def create_default_pipeline(apps, schema_editor):
    ensure_default_pipeline(
        apps.get_model("deals", "Pipeline"), apps.get_model("deals", "Stage"), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunPython(create_default_pipeline, migrations.RunPython.noop)]
