import random
from datetime import UTC, datetime, timedelta

import pytest

from leads.models import EngagementRule, EventKind, FitRule, Lead, LeadEvent, LifecycleStage, ScoringSettings
from leads.scoring.rescore import rescore_leads, threshold_preview
from leads.scoring.rules import InvalidRule, Ruleset, rule_values
from leads.scoring.scorer import score_lead
from leads.tests.factories import LeadEventFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def simple_rules():
    """Two fit rules and the default engagement points, a 30-day half-life."""
    FitRule.objects.all().delete()
    FitRule.objects.create(field="job_title", operator="contains", value="vp", points=15)
    FitRule.objects.create(field="company_size", operator="between", value="201-1000..5000+", points=10)


def test_fit_points_come_from_the_matching_rules(simple_rules):
    lead = LeadFactory(job_title="VP Marketing", company_size="1001-5000")
    scored = score_lead(lead_id=lead.pk, now=NOW)
    assert scored.fit_score == 25
    assert scored.score == 25
    assert sorted(entry["points"] for entry in scored.score_breakdown["fit_rules"]) == [10, 15]


def test_engagement_points_halve_every_half_life(simple_rules):
    lead = LeadFactory(job_title="Engineer")
    LeadEventFactory(lead=lead, kind=EventKind.DEMO_REQUEST, occurred_at=NOW)  # 25
    LeadEventFactory(lead=lead, kind=EventKind.DEMO_REQUEST, occurred_at=NOW - timedelta(days=30))  # 12.5
    LeadEventFactory(lead=lead, kind=EventKind.WEBINAR_ATTENDED, occurred_at=NOW - timedelta(days=60))  # 2.5
    scored = score_lead(lead_id=lead.pk, now=NOW)
    assert scored.engagement_score == pytest.approx(40.0)
    assert scored.score == 40
    assert scored.score_breakdown["engagement_by_kind"]["demo_request"] == {"count": 2, "points": 37.5}


def test_score_rounds_halves_up(simple_rules):
    lead = LeadFactory(job_title="Engineer")
    LeadEventFactory(lead=lead, kind=EventKind.PAGE_VIEW, occurred_at=NOW - timedelta(days=30))  # 0.5
    assert score_lead(lead_id=lead.pk, now=NOW).score == 1


def test_half_life_and_points_are_editable(simple_rules):
    settings_row = ScoringSettings.load()
    settings_row.half_life_days = 10
    settings_row.save()
    EngagementRule.objects.filter(kind=EventKind.PAGE_VIEW).update(points=8)
    lead = LeadFactory(job_title="Engineer")
    LeadEventFactory(lead=lead, kind=EventKind.PAGE_VIEW, occurred_at=NOW - timedelta(days=20))  # 8 / 4
    assert score_lead(lead_id=lead.pk, now=NOW).engagement_score == pytest.approx(2.0)


def test_events_before_an_engagement_reset_no_longer_count(simple_rules):
    lead = LeadFactory(job_title="Engineer", engagement_reset_at=NOW - timedelta(days=1))
    LeadEventFactory(lead=lead, kind=EventKind.DEMO_REQUEST, occurred_at=NOW - timedelta(days=2))
    LeadEventFactory(lead=lead, kind=EventKind.EMAIL_CLICK, occurred_at=NOW)
    assert score_lead(lead_id=lead.pk, now=NOW).score == 3


def test_between_needs_two_known_company_size_bands():
    assert rule_values(FitRule(field="company_size", operator="between", value="51-200..1001-5000")) == [
        "51-200",
        "201-1000",
        "1001-5000",
    ]
    with pytest.raises(InvalidRule):
        rule_values(FitRule(field="company_size", operator="between", value="big..huge"))


def test_set_based_rescore_gives_the_same_scores_as_scoring_one_lead_at_a_time():
    """The default rules on 2,000 random leads with random events: SQL and Python must agree exactly."""
    rng = random.Random(20261101)
    titles = ["VP Sales", "Head of Growth", "Director of IT", "Engineer", "Student", "Chief of Staff", "", "vp ops"]
    sizes = ["", "1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"]
    industries = ["Software", "software", "Retail", "Healthcare", ""]
    countries = ["US", "us", "DE", "BR", "", "GB"]
    kinds = list(EventKind.values)
    Lead.objects.bulk_create(
        Lead(
            email=f"random{i}@example.com",
            job_title=rng.choice(titles),
            company_size=rng.choice(sizes),
            industry=rng.choice(industries),
            country=rng.choice(countries),
            engagement_reset_at=NOW - timedelta(days=rng.randint(1, 50)) if rng.random() < 0.1 else None,
        )
        for i in range(2000)
    )
    leads = list(Lead.objects.values_list("pk", flat=True))
    LeadEvent.objects.bulk_create(
        LeadEvent(
            lead_id=rng.choice(leads),
            kind=rng.choice(kinds),
            occurred_at=NOW - timedelta(seconds=rng.randint(-3600, 200 * 86400)),
        )
        for _ in range(8000)
    )
    assert rescore_leads(now=NOW, batch_size=700) == 2000
    set_based = {lead.pk: (lead.fit_score, lead.engagement_score, lead.score) for lead in Lead.objects.all()}
    ruleset = Ruleset.load()
    for pk in leads:
        one = score_lead(lead_id=pk, now=NOW, ruleset=ruleset)
        fit, engagement, score = set_based[pk]
        assert (one.fit_score, one.score) == (fit, score), f"lead {pk}"
        assert one.engagement_score == pytest.approx(engagement, abs=1e-9)
    assert len({score for _, _, score in set_based.values()}) > 10  # the data really varies


def test_threshold_preview_counts_leads_above_and_new_mqls():
    LeadFactory(score=80, stage=LifecycleStage.LEAD)
    LeadFactory(score=60, stage=LifecycleStage.SUBSCRIBER)
    LeadFactory(score=60, stage=LifecycleStage.SQL)
    LeadFactory(score=30, stage=LifecycleStage.LEAD)
    assert threshold_preview(60) == {"at_or_above": 3, "new_mqls": 2}
    assert threshold_preview(90) == {"at_or_above": 0, "new_mqls": 0}
