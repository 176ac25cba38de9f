"""Default scoring (DOMAIN.md "Scoring"): engagement points per event kind and a starter set of fit rules."""

from django.db import migrations

from leads.defaults import ensure_scoring_defaults


def create_defaults(apps, schema_editor):
    ensure_scoring_defaults(
        apps.get_model("leads", "ScoringSettings"),
        apps.get_model("leads", "EngagementRule"),
        apps.get_model("leads", "FitRule"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_scoring")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
