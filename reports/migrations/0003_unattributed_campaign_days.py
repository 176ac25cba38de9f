import django.db.models.deletion
from django.db import migrations, models


def mark_every_day_stale(apps, schema_editor):
    """The rollup gains rows for the leads without a campaign: every day that has leads is marked stale, so
    readers count it live until the next refresh (within a minute) writes those rows."""
    FunnelDay = apps.get_model("reports", "FunnelDay")
    StaleDay = apps.get_model("reports", "StaleDay")
    days = FunnelDay.objects.values_list("day", flat=True).distinct().order_by()
    # A local day always overlaps the UTC day of the same date, the day the refresh is told about.
    StaleDay.objects.bulk_create([StaleDay(day=day) for day in days], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_bounded_figures_and_dates"),
        ("reports", "0002_stale_day_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaignday",
            name="source_channel",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.AlterField(
            model_name="campaignday",
            name="campaign",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="campaigns.campaign"
            ),
        ),
        migrations.RunPython(mark_every_day_stale, migrations.RunPython.noop),
    ]
