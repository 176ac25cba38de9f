"""Failed hand-overs kept for managers and retried with backoff, and the index the beat sweep finds
qualified leads left behind with."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_history"),
        ("leads", "0015_event_external_id_per_lead"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HandoffFailure",
            fields=[
                (
                    "lead",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="handoff_failure",
                        serialize=False,
                        to="leads.lead",
                    ),
                ),
                ("error", models.TextField()),
                ("attempts", models.PositiveIntegerField(default=1)),
                ("first_failed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_failed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("next_attempt_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["-last_failed_at", "-lead_id"],
            },
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("stage__in", ["subscriber", "lead"])),
                fields=["-score"],
                name="lead_qualifying_score_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="handofffailure",
            index=models.Index(fields=["next_attempt_at"], name="handoff_failure_due_idx"),
        ),
    ]
