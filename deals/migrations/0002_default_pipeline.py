"""The default pipeline and its stages (DOMAIN.md "Pipeline stages"); managers edit them afterwards."""

from django.db import migrations

DEFAULT_STAGES = [
    # name, probability %, kind
    ("Qualification", 10, "open"),
    ("Discovery", 20, "open"),
    ("Demo", 40, "open"),
    ("Proposal", 60, "open"),
    ("Negotiation", 80, "open"),
    ("Closed won", 100, "won"),
    ("Closed lost", 0, "lost"),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("deals", "Pipeline")
    Stage = apps.get_model("deals", "Stage")
    db = schema_editor.connection.alias
    pipeline, _ = Pipeline.objects.using(db).get_or_create(name="Sales", defaults={"is_default": True})
    for order, (name, probability, kind) in enumerate(DEFAULT_STAGES, start=1):
        Stage.objects.using(db).get_or_create(
            pipeline=pipeline, name=name, defaults={"order": order, "probability": probability, "kind": kind}
        )


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunPython(create_default_pipeline, migrations.RunPython.noop)]
