"""Trigram indexes for the company list's search box, on PostgreSQL only (as leads/0008 for the leads).

The search is `icontains` on the name, the aliases (the JSON list read as text) and the domains, which
Django writes as `UPPER(column::text) LIKE UPPER('%word%')`: the indexes are on those same expressions
(gin_trgm_ops), so PostgreSQL answers with bitmap scans instead of reading 200,000 companies. SQLite has
neither pg_trgm nor GIN: there the migration does nothing, and the indexes are not in the models' state.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models import TextField
from django.db.models.functions import Cast, Upper

INDEXES = [
    (
        "Company",
        GinIndex(
            OpClass(Upper("name"), name="gin_trgm_ops"),
            OpClass(Upper(Cast("aliases", TextField())), name="gin_trgm_ops"),
            name="company_search_trgm_idx",
        ),
    ),
    ("CompanyDomain", GinIndex(OpClass(Upper("domain"), name="gin_trgm_ops"), name="company_domain_trgm_idx")),
]


class TrigramExtensionKept(TrigramExtension):
    """CREATE EXTENSION pg_trgm on PostgreSQL; going back keeps it (leads' search uses it too)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in INDEXES:
            schema_editor.add_index(apps.get_model("companies", model), index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in INDEXES:
            schema_editor.remove_index(apps.get_model("companies", model), index)


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_personal_email_domains")]

    operations = [TrigramExtensionKept(), migrations.RunPython(add_indexes, remove_indexes)]
