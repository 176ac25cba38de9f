"""The SLA left the scoring settings row: handoff/0004 copied it into its effective-dated history."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0025_do_not_contact"),
        ("handoff", "0004_sla_history"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="scoringsettings", name="sla_at_least_one_hour"),
        migrations.RemoveField(model_name="scoringsettings", name="sla_hours"),
    ]
