"""Default scoring (DOMAIN.md "Scoring"): engagement points per event kind and a starter set of fit rules."""

from django.db import migrations

ENGAGEMENT_POINTS = {
    "page_view": 1,
    "email_open": 1,
    "email_click": 3,
    "content_download": 5,
    "webinar_attended": 10,
    "form_submit": 5,
    "pricing_page_view": 8,
    "demo_request": 25,
    "other": 0,
}
FIT_RULES = [
    ("job_title", "contains", "VP", 15),
    ("job_title", "contains", "Chief", 15),
    ("job_title", "contains", "Head", 10),
    ("job_title", "contains", "Director", 10),
    ("company_size", "between", "201-1000..5000+", 10),
    ("company_size", "equals", "51-200", 5),
    ("industry", "in", "Software, Financial services, Healthcare", 5),
    ("country", "in", "US, GB, DE, FR, NL, CA", 5),
    ("job_title", "contains", "Student", -20),
]


def create_defaults(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("leads", "ScoringSettings").objects.using(db).get_or_create(pk=1)
    EngagementRule = apps.get_model("leads", "EngagementRule")
    for kind, points in ENGAGEMENT_POINTS.items():
        EngagementRule.objects.using(db).get_or_create(kind=kind, defaults={"points": points})
    FitRule = apps.get_model("leads", "FitRule")
    if not FitRule.objects.using(db).exists():
        FitRule.objects.using(db).bulk_create(
            FitRule(field=field, operator=operator, value=value, points=points)
            for field, operator, value, points in FIT_RULES
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_scoring")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
