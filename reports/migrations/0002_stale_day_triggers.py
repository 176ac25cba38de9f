from django.db import migrations

from reports import triggers


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_cohort_rollups"),
        ("leads", "0006_shorter_operator_labels"),
        ("deals", "0004_deal_handoff"),
    ]

    operations = [migrations.RunPython(triggers.create, triggers.drop)]
