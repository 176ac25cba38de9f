"""An event's external_id names an event of its lead: the unique index covers (lead, external_id), so that
two leads' events from two systems may carry the same id (the old index answered the second "duplicate"
and dropped it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_history"),
        ("leads", "0014_lead_email_key_unique"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="leadevent",
            name="lead_event_external_id_unique",
        ),
        migrations.AddConstraint(
            model_name="leadevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=("external_id", "lead"),
                name="lead_event_external_id_unique_per_lead",
            ),
        ),
    ]
