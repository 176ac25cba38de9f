"""The campaign report's activity view counts the leads that reached SQL, opportunity or customer in a
period: small partial indexes (most leads never get there) let PostgreSQL combine them instead of reading
every lead."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0018_handoff_moved_out"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("sql_at__isnull", False)), fields=["sql_at"], name="lead_sql_at_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("opportunity_at__isnull", False)),
                fields=["opportunity_at"],
                name="lead_opportunity_at_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(
                condition=models.Q(("customer_at__isnull", False)), fields=["customer_at"], name="lead_customer_at_idx"
            ),
        ),
    ]
