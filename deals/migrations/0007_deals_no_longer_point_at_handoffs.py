"""A deal no longer points at the hand-over that opened it: the hand-over points at the deal its accept
created (handoff/0001, filled by handoff/0002), and the pipeline does not know hand-overs. "Rejected MQL"
is no longer a lost reason: a rejected MQL never had a deal."""

from django.db import migrations, models

from crm.migration_ops import keeping_sqlite_triggers

LOST_REASONS = [
    ("price", "Price"),
    ("competitor", "Competitor"),
    ("no_decision", "No decision"),
    ("timing", "Timing"),
    ("missing_feature", "Missing feature"),
    ("unresponsive", "Unresponsive"),
    ("other", "Other"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0006_rotting_days_within_smallint"),
        ("handoff", "0002_deals_start_when_accepted"),
    ]

    operations = [
        *keeping_sqlite_triggers(
            ("deals_deal",),
            migrations.RemoveField(model_name="deal", name="handoff"),
        ),
        migrations.RemoveField(model_name="historicaldeal", name="handoff"),
        migrations.AlterField(
            model_name="deal",
            name="lost_reason",
            field=models.CharField(blank=True, choices=LOST_REASONS, max_length=20),
        ),
        migrations.AlterField(
            model_name="historicaldeal",
            name="lost_reason",
            field=models.CharField(blank=True, choices=LOST_REASONS, max_length=20),
        ),
    ]
