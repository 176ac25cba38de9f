"""The hand-over moves out of the leads app into its own: the models keep their tables (state only), and a
hand-over gains the deal its accept created (`Handoff.deal`), which deals stop pointing at (deals/0007)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from crm.migration_ops import keeping_sqlite_triggers


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("deals", "0006_rotting_days_within_smallint"),
        ("leads", "0017_public_form_submissions_and_consent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
                        "db_table": "leads_handofffailure",
                        "ordering": ["-last_failed_at", "-lead_id"],
                        "indexes": [models.Index(fields=["next_attempt_at"], name="handoff_failure_due_idx")],
                    },
                ),
                migrations.CreateModel(
                    name="TerritoryRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "field",
                            models.CharField(
                                choices=[("country", "Country"), ("company_size", "Company size")], max_length=20
                            ),
                        ),
                        (
                            "value",
                            models.CharField(help_text="Comma-separated values, e.g. DE, AT, CH.", max_length=100),
                        ),
                        (
                            "priority",
                            models.PositiveSmallIntegerField(default=100, help_text="Lower numbers are tried first."),
                        ),
                        (
                            "rep",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="territories",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "leads_territoryrule",
                        "ordering": ["priority", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Handoff",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("round", models.PositiveSmallIntegerField(default=1)),
                        ("score", models.IntegerField(help_text="The lead's score when it was handed over.")),
                        ("handed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("due_at", models.DateTimeField(help_text="When the SLA runs out.")),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for the rep"),
                                    ("accepted", "Accepted"),
                                    ("rejected", "Rejected"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("responded_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "rejection_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("no_budget", "No budget"),
                                    ("no_authority", "No authority"),
                                    ("no_need", "No need"),
                                    ("bad_timing", "Bad timing"),
                                    ("not_a_fit", "Not a fit"),
                                    ("unreachable", "Unreachable"),
                                    ("duplicate", "Duplicate"),
                                    ("other", "Other"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("note", models.TextField(blank=True)),
                        ("reassigned_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "lead",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="handoffs", to="leads.lead"
                            ),
                        ),
                        (
                            "previous_rep",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "rep",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="handoffs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "leads_handoff",
                        "ordering": ["-handed_at", "-id"],
                        "indexes": [
                            models.Index(fields=["rep", "outcome"], name="handoff_rep_outcome_idx"),
                            models.Index(fields=["outcome", "due_at"], name="handoff_outcome_due_idx"),
                            models.Index(fields=["handed_at"], name="handoff_handed_idx"),
                            models.Index(fields=["responded_at"], name="handoff_responded_idx"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("lead", "round"), name="one_handoff_per_lead_and_round")
                        ],
                    },
                ),
            ]
        ),
        *keeping_sqlite_triggers(
            ("leads_handoff",),
            migrations.AddField(
                model_name="handoff",
                name="deal",
                field=models.OneToOneField(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    # No reverse accessor yet: deals still has its own `handoff` field until deals/0007.
                    related_name="+",
                    to="deals.deal",
                ),
            ),
        ),
    ]
