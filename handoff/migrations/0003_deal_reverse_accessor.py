"""Now that deals no longer have a field of that name (deals/0007), a deal reaches its hand-over as
`deal.handoff`."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("handoff", "0002_deals_start_when_accepted"),
        ("deals", "0007_deals_no_longer_point_at_handoffs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="handoff",
            name="deal",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="handoff",
                to="deals.deal",
            ),
        ),
    ]
