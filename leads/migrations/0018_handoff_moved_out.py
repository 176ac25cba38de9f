"""The hand-over's models (Handoff, HandoffFailure, TerritoryRule) now belong to the handoff app
(handoff/0001), which keeps their tables: they leave the leads app's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0017_public_form_submissions_and_consent"),
        ("handoff", "0001_initial"),
        ("deals", "0007_deals_no_longer_point_at_handoffs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Handoff"),
                migrations.DeleteModel(name="HandoffFailure"),
                migrations.DeleteModel(name="TerritoryRule"),
            ]
        ),
    ]
