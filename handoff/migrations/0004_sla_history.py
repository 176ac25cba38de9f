"""The SLA moves from the scoring settings row (leads.ScoringSettings.sla_hours) to an effective-dated
history (`Sla`), and every hand-over keeps the hours it was given (`Handoff.sla_hours`).

The first row takes the old setting, from 2000-01-01, and the hand-overs already made take it too: the SLA
the reports judged them by until now, so no figure of the past changes. leads/0026 then drops the column."""

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from crm.migration_ops import keeping_sqlite_triggers

SINCE = datetime.date(2000, 1, 1)
DEFAULT_HOURS = 24


def sla_from_the_old_setting(apps, schema_editor):
    ScoringSettings, Sla = apps.get_model("leads", "ScoringSettings"), apps.get_model("handoff", "Sla")
    Handoff = apps.get_model("handoff", "Handoff")
    row = ScoringSettings.objects.filter(pk=1).values("sla_hours").first()
    hours = row["sla_hours"] if row else DEFAULT_HOURS
    Sla.objects.create(hours=hours, effective_from=SINCE, set_by=None, set_at=django.utils.timezone.now())
    if hours != DEFAULT_HOURS:  # the column's default already holds the usual 24: no rewrite of the table
        Handoff.objects.update(sla_hours=hours)


def sla_back_to_the_setting(apps, schema_editor):
    ScoringSettings, Sla = apps.get_model("leads", "ScoringSettings"), apps.get_model("handoff", "Sla")
    today = django.utils.timezone.localdate()
    current = Sla.objects.filter(effective_from__lte=today).order_by("-effective_from", "-set_at", "-id").first()
    if current is not None:
        ScoringSettings.objects.update_or_create(pk=1, defaults={"sla_hours": current.hours})


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0003_deal_reverse_accessor"),
        ("leads", "0025_do_not_contact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # SQLite rebuilds the hand-over table to add a NOT NULL column: its report triggers must survive.
        *keeping_sqlite_triggers(
            ("leads_handoff",),
            migrations.AddField(
                model_name="handoff",
                name="sla_hours",
                field=models.PositiveSmallIntegerField(
                    default=24,
                    help_text="Hours the rep had to answer, as the SLA stood when it was handed over.",
                    verbose_name="SLA hours",
                ),
            ),
        ),
        migrations.CreateModel(
            name="Sla",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "hours",
                    models.PositiveSmallIntegerField(
                        help_text="Hours a rep has to accept or reject a new MQL before it is reassigned.",
                        verbose_name="SLA hours",
                    ),
                ),
                (
                    "effective_from",
                    models.DateField(
                        help_text="The first day (in the site's time zone) it applies.", verbose_name="Applies from"
                    ),
                ),
                ("set_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "SLA",
                "verbose_name_plural": "SLA history",
                "ordering": ["-effective_from", "-set_at", "-id"],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("hours__gte", 1)), name="sla_hours_at_least_one")
                ],
            },
        ),
        migrations.RunPython(sla_from_the_old_setting, sla_back_to_the_setting),
    ]
