"""Default scoring (DOMAIN.md "Scoring"). Created by a data migration, and again after every flush of a
test database (post_migrate), through this one function."""

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


def ensure_scoring_defaults(ScoringSettings, EngagementRule, FitRule, using="default"):
    """The settings row, points for every event kind, and the starter fit rules when there are none."""
    ScoringSettings.objects.using(using).get_or_create(pk=1)
    for kind, points in ENGAGEMENT_POINTS.items():
        EngagementRule.objects.using(using).get_or_create(kind=kind, defaults={"points": points})
    if not FitRule.objects.using(using).exists():
        FitRule.objects.using(using).bulk_create(
            FitRule(field=field, operator=operator, value=value, points=points)
            for field, operator, value, points in FIT_RULES
        )
