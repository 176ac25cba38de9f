from django.db import migrations


def load(apps, schema_editor):
    from companies.defaults import ensure_personal_domains

    ensure_personal_domains(apps.get_model("companies", "PersonalEmailDomain"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
