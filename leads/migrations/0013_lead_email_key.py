"""One lead per email in any spelling: `Lead.email_key` (Unicode case-folded, domain IDNA-encoded) replaces
the unique index on lower(email), whose LOWER folds ASCII letters only on SQLite.

The keys of existing leads are set in SQL where the key is plain lower(email) (an ASCII address without
spaces or a trailing dot: every lead of a typical database), and in Python for the rest. Leads that the
old index let through as two (u@ÉXAMPLE.com and u@éxample.com on SQLite) keep both rows: the oldest takes
the key, each later one the key followed by "#<its id>", so nothing is lost and a capture of that address
merges into the oldest. The migration prints how many it set in Python and how many such pairs it found.
"""

from django.db import migrations, models
from django.db.models import Count

from crm.migration_ops import keeping_sqlite_triggers
from leads.models import EMAIL_KEY_MAX_LENGTH, email_key

CHUNK = 2000

PLAIN_ASCII_SQL = {
    "postgresql": (
        "UPDATE leads_lead SET email_key = lower(email) WHERE octet_length(email) = char_length(email)"
        " AND email !~ '[[:space:]]' AND right(email, 1) <> '.'"
    ),
    "sqlite": (
        "UPDATE leads_lead SET email_key = lower(email) WHERE length(CAST(email AS BLOB)) = length(email)"
        " AND email NOT GLOB '*[ \t\n\r\f\v]*' AND email NOT LIKE '%.'"
    ),
}


def fill_email_keys(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_ASCII_SQL[connection.vendor])
    in_python = 0
    while rows := list(Lead.objects.filter(email_key="").order_by("pk").only("pk", "email")[:CHUNK]):
        for lead in rows:
            # Never blank (the table's check refuses it): an empty address gets a key of its own.
            lead.email_key = email_key(lead.email) or f"#{lead.pk}"
        Lead.objects.bulk_update(rows, ["email_key"])
        in_python += len(rows)
    twins = 0
    shared = Lead.objects.values("email_key").annotate(count=Count("pk")).filter(count__gt=1).order_by()
    for key in shared.values_list("email_key", flat=True):
        later = Lead.objects.filter(email_key=key).order_by("created_at", "pk").values_list("pk", flat=True)[1:]
        for pk in later:
            suffix = f"#{pk}"
            Lead.objects.filter(pk=pk).update(email_key=key[: EMAIL_KEY_MAX_LENGTH - len(suffix)] + suffix)
            twins += 1
    if in_python or twins:
        print(f"\n  email keys: {in_python} set in Python, {twins} later twin(s) of an older lead kept apart")  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0012_lead_links_without_constraint"),
    ]

    operations = [
        *keeping_sqlite_triggers(
            ("leads_lead",),
            migrations.AddField(
                model_name="lead",
                name="email_key",
                field=models.CharField(default="", editable=False, max_length=EMAIL_KEY_MAX_LENGTH),
                preserve_default=False,
            ),
        ),
        migrations.RunPython(fill_email_keys, migrations.RunPython.noop, elidable=True),
    ]
