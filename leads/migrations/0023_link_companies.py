"""Build the companies of a database that had leads before companies, and link its leads and deals.

It runs app code (`handoff.company_links`), not historical models: the linking is the one every door uses
(public suffix list, personal domains, creation of companies), and a million leads need its set-based SQL.
The risk: app code follows the models of today, so a later migration that changes Lead, Deal or Company
could make this one fail on an old database migrated in one go. It does nothing on a database without
leads (a new install, the tests); on an old one, migrate to 0022 first, or run `manage.py link_companies`
after migrating if this step is ever made a no-op."""

from django.db import migrations


def link(apps, schema_editor):
    if not apps.get_model("leads", "Lead").objects.using(schema_editor.connection.alias).exists():
        return
    from handoff.company_links import link_all

    for line in link_all():
        print(line)  # noqa: T201 - the migration's report, for whoever runs it


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0022_lead_lead_import"),
        ("deals", "0009_deal_account"),
        ("companies", "0002_personal_email_domains"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop, elidable=True)]
