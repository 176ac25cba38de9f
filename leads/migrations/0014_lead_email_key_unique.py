"""The unique index moves from lower(email) to `email_key` (filled by 0013, in a transaction of its own so
that PostgreSQL alters the table with no update of it pending)."""

from django.db import migrations, models

from crm.migration_ops import keeping_sqlite_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0013_lead_email_key"),
    ]

    operations = keeping_sqlite_triggers(
        ("leads_lead",),
        migrations.RemoveConstraint(model_name="lead", name="lead_email_unique_case_insensitive"),
        migrations.AddConstraint(
            model_name="lead",
            constraint=models.UniqueConstraint(fields=("email_key",), name="lead_email_key_unique"),
        ),
        migrations.AddConstraint(
            model_name="lead",
            constraint=models.CheckConstraint(condition=~models.Q(email_key=""), name="lead_email_key_set"),
        ),
    )
