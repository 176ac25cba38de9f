"""The deals' searches: a trigram index on PostgreSQL only (as leads/0008 and companies/0003), and the newest
first index on both databases.

The search box finds deals by `title__icontains` and the deal list by title, company or contact name, which
Django writes as `UPPER(column::text) LIKE UPPER('%word%')`: one GIN index on those three expressions
(gin_trgm_ops) answers them with bitmap scans instead of reading every deal (at 20,000 deals the search box's
deal query went from a 7–18 ms scan to under a millisecond). SQLite has neither pg_trgm nor GIN: there the
migration does nothing, and the index is not in the model's state.

The index on (-created_at, -id) is the order of the deal list and of the search box's deals: for a word in
many deals (a surname, 983 of 20,000) PostgreSQL reads the newest until it has five instead of sorting every
match (5 ms).
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Upper

SEARCHED = ["title", "company", "contact_name"]
SEARCH_INDEX = GinIndex(*(OpClass(Upper(name), name="gin_trgm_ops") for name in SEARCHED), name="deal_search_trgm_idx")


class TrigramExtensionKept(TrigramExtension):
    """CREATE EXTENSION pg_trgm on PostgreSQL; going back keeps it (the leads' and companies' searches use it)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("deals", "Deal"), SEARCH_INDEX)


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("deals", "Deal"), SEARCH_INDEX)


class Migration(migrations.Migration):
    dependencies = [("deals", "0010_activities_without_tasks")]

    operations = [
        TrigramExtensionKept(),
        migrations.RunPython(add_search_index, remove_search_index),
        migrations.AddIndex(
            model_name="deal", index=models.Index(fields=["-created_at", "-id"], name="deal_created_idx")
        ),
    ]
