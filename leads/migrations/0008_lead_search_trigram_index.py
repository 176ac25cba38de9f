"""A trigram index for the lead list's search box, on PostgreSQL only.

The search is `icontains` on email, first name, last name and company, which Django writes as
`UPPER(column::text) LIKE UPPER('%term%')`: the index is on those same UPPER() expressions (gin_trgm_ops),
one GIN index for the four, so that PostgreSQL answers the OR of the four with bitmap scans instead of
reading every lead. SQLite has neither pg_trgm nor GIN: there the migration does nothing, and the index is
not part of the model's state, so both databases migrate from the same files.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper

SEARCHED = ["email", "first_name", "last_name", "company"]
SEARCH_INDEX = GinIndex(*(OpClass(Upper(name), name="gin_trgm_ops") for name in SEARCHED), name="lead_search_trgm_idx")


class TrigramExtensionKept(TrigramExtension):
    """CREATE EXTENSION pg_trgm on PostgreSQL (a no-op elsewhere). Going back keeps the extension: other
    schemas may use it, and Django's own reverse would query pg_extension on SQLite too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("leads", "Lead"), SEARCH_INDEX)


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("leads", "Lead"), SEARCH_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_drop_fk_indexes_covered_by_composites"),
    ]

    operations = [
        TrigramExtensionKept(),
        migrations.RunPython(add_search_index, remove_search_index),
    ]
