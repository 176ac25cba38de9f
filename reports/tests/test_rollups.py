"""The daily cohort rollups are exact: campaign figures read through them equal a count done by hand over
the same leads, deals and hand-overs, before a refresh (counted live), after it (read from the rollup) and
after changes of every kind that the triggers must catch."""

import datetime
import importlib
import random
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db.models import F, Sum
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory
from deals.models import Deal, Stage
from deals.tests.factories import DealFactory, stage_named
from handoff.models import Handoff
from leads.models import Lead
from leads.tests.factories import LeadFactory
from reports import rollups
from reports.campaigns import campaign_report
from reports.filters import ReportFilters
from reports.models import CampaignDay, StaleDay
from reports.selectors import campaigns_with_figures
from reports.tasks import refresh_rollups

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime.date(2026, 10, 1)
DAYS = 10
FIGURES = rollups.COHORT_FIGURES


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def expected(attribution: str, date_from=None, date_to=None) -> dict:
    """The figures worked out in Python from the rows themselves: the oracle the SQL is checked against."""
    touch = rollups.ATTRIBUTION_FIELDS[attribution] + "_id"
    figures = {pk: dict.fromkeys(FIGURES, 0) for pk in Campaign.objects.values_list("pk", flat=True)}
    leads = {}
    for lead in Lead.objects.all():
        day = timezone.localtime(lead.created_at).date()
        campaign = getattr(lead, touch)
        if campaign is None or (date_from and day < date_from) or (date_to and day > date_to):
            continue
        leads[lead.pk] = campaign
        row = figures[campaign]
        row["leads"] += 1
        row["mqls"] += lead.mql_at is not None
        row["sqls"] += lead.sql_at is not None
        row["opportunities"] += lead.opportunity_at is not None
        row["customers"] += lead.customer_at is not None
    for deal in Deal.objects.filter(stage__kind=Stage.Kind.WON, lead__in=list(leads)):
        figures[leads[deal.lead_id]]["revenue"] += deal.amount
    for handoff in Handoff.objects.filter(lead__in=list(leads)):
        if handoff.outcome == Handoff.Outcome.ACCEPTED:
            figures[leads[handoff.lead_id]]["mqls_accepted"] += 1
        elif handoff.outcome == Handoff.Outcome.REJECTED:
            figures[leads[handoff.lead_id]]["mqls_rejected"] += 1
    return figures


def computed(attribution: str, date_from=None, date_to=None) -> dict:
    rows = campaigns_with_figures(
        Campaign.objects.all(), attribution=attribution, date_from=date_from, date_to=date_to
    ).values("pk", *FIGURES)
    return {row.pop("pk"): {name: row[name] for name in FIGURES} for row in rows}


PERIODS = [
    (None, None),
    (FIRST_DAY + datetime.timedelta(days=2), FIRST_DAY + datetime.timedelta(days=6)),
    (FIRST_DAY + datetime.timedelta(days=4), None),
]


def assert_exact() -> None:
    for attribution in rollups.ATTRIBUTION_FIELDS:
        for date_from, date_to in PERIODS:
            assert computed(attribution, date_from, date_to) == expected(attribution, date_from, date_to), (
                attribution,
                date_from,
                date_to,
            )


@pytest.fixture
def cohort(rep):
    """Four campaigns and sixty leads over ten days, with random stages, touches, deals and hand-overs."""
    chance = random.Random(20261123)
    campaigns = CampaignFactory.create_batch(4)
    won, lost, open_stage = stage_named("Closed won"), stage_named("Closed lost"), stage_named("Qualification")
    for number in range(60):
        day = FIRST_DAY + datetime.timedelta(days=chance.randrange(DAYS))
        created = at(day, chance.choice([0, 9, 23]))
        later = created + datetime.timedelta(days=2)
        lead = LeadFactory(
            created_at=created,
            first_touch_campaign=chance.choice([*campaigns, None]),
            latest_touch_campaign=chance.choice([*campaigns, None]),
            mql_at=later if number % 2 else None,
            sql_at=later if number % 3 == 0 else None,
            opportunity_at=later if number % 4 == 0 else None,
            customer_at=later if number % 6 == 0 else None,
        )
        if number % 3 == 0:
            DealFactory(
                lead=lead, owner=rep, stage=chance.choice([won, lost, open_stage]), amount=Decimal(number * 100)
            )
        if number % 5 == 0:
            Handoff.objects.create(
                lead=lead,
                rep=rep,
                round=1,
                score=60,
                due_at=later,
                outcome=chance.choice(list(Handoff.Outcome.values)),
            )
    return campaigns


def test_figures_are_exact_counted_live_then_from_the_rollup(cohort):
    assert StaleDay.objects.exists()
    assert_exact()  # every day is stale: counted live

    refreshed = rollups.refresh()

    assert refreshed >= DAYS
    assert not StaleDay.objects.exists()
    assert CampaignDay.objects.exists()
    assert_exact()  # every day from the rollup


def test_every_kind_of_change_marks_its_day_and_stays_exact(cohort, rep):
    rollups.refresh()
    leads = list(Lead.objects.order_by("pk"))
    won = stage_named("Closed won")
    changes = [
        lambda: Lead.objects.filter(pk=leads[0].pk).update(mql_at=timezone.now()),
        lambda: Lead.objects.filter(pk=leads[1].pk).update(
            first_touch_campaign=cohort[3] if leads[1].first_touch_campaign != cohort[3] else cohort[2]
        ),
        lambda: Deal.objects.filter(pk=Deal.objects.filter(stage__kind=Stage.Kind.OPEN).first().pk).update(stage=won),
        lambda: Deal.objects.filter(stage=won).update(amount=F("amount") + 1),
        lambda: Handoff.objects.filter(outcome=Handoff.Outcome.PENDING).update(outcome=Handoff.Outcome.REJECTED),
        lambda: DealFactory(lead=leads[2], owner=rep, stage=won, amount=Decimal("999.00")),
        lambda: LeadFactory(created_at=at(FIRST_DAY, 12), first_touch_campaign=cohort[0], latest_touch_campaign=None),
        lambda: Lead.objects.filter(pk=leads[3].pk).delete(),
        lambda: Stage.objects.filter(pk=stage_named("Closed lost").pk).update(kind=Stage.Kind.WON),
    ]
    for number, change in enumerate(changes):
        change()
        assert StaleDay.objects.exists(), f"change {number} marked no day"
        assert_exact()  # stale days counted live, the others from the rollup
        rollups.refresh()
        assert not StaleDay.objects.exists()
        assert_exact()


def test_scoring_a_lead_does_not_mark_its_day(cohort):
    rollups.refresh()

    Lead.objects.update(score=F("score") + 5, fit_score=3, scored_at=timezone.now())

    assert not StaleDay.objects.exists()


def test_a_rebuild_of_every_day_equals_the_live_count(cohort):
    rollups.refresh()
    CampaignDay.objects.update(leads=999)  # a rollup gone wrong (or a change of time zone)

    refresh_rollups.delay(everything=True)

    assert_exact()


def test_days_follow_the_site_time_zone(settings, rep):
    settings.TIME_ZONE = "America/New_York"
    campaign = CampaignFactory()
    # 03:00 UTC on Oct 2 is 23:00 on Oct 1 in New York: the lead belongs to Oct 1 there.
    LeadFactory(created_at=datetime.datetime(2026, 10, 2, 3, tzinfo=datetime.UTC), first_touch_campaign=campaign)
    october_1 = datetime.date(2026, 10, 1)

    live = computed("first", october_1, october_1)[campaign.pk]["leads"]
    rollups.refresh()
    rolled_up = computed("first", october_1, october_1)[campaign.pk]["leads"]

    assert live == rolled_up == 1
    assert CampaignDay.objects.get(campaign=campaign).day == october_1
    assert rollups.local_days_of([datetime.date(2026, 10, 2)]) == {october_1, datetime.date(2026, 10, 2)}


def test_the_beat_refreshes_the_rollups_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-rollups"]
    assert schedule == {"task": "reports.refresh_rollups", "schedule": 60.0}


def test_after_the_upgrade_the_unattributed_row_is_counted_live_until_the_refresh_writes_it(rep):
    """reports/0003 adds rollup rows for leads without a campaign: a database whose rollup predates them
    gets every day marked stale, so the Unattributed row is right at once and the refresh writes it."""
    upgrade = importlib.import_module("reports.migrations.0003_unattributed_campaign_days")
    campaign = CampaignFactory()
    for hour in (9, 10):
        LeadFactory(created_at=at(FIRST_DAY, hour), first_touch_campaign=campaign, latest_touch_campaign=None)
    LeadFactory(created_at=at(FIRST_DAY + datetime.timedelta(days=3), 9))
    rollups.refresh()
    CampaignDay.objects.filter(campaign__isnull=True).delete()  # the rollup as 0002 left it
    october = ReportFilters(date_from=FIRST_DAY, date_to=FIRST_DAY + datetime.timedelta(days=DAYS))

    upgrade.mark_every_day_stale(django_apps, None)

    assert rollups.within(rollups.stale_days(), october.date_from, october.date_to) >= {
        FIRST_DAY,
        FIRST_DAY + datetime.timedelta(days=3),
    }
    assert (
        campaign_report(october, "first").unattributed.leads,
        campaign_report(october, "last").unattributed.leads,
    ) == (1, 3)
    rollups.refresh()
    assert not StaleDay.objects.exists()
    assert (
        CampaignDay.objects.filter(campaign__isnull=True, attribution="last").aggregate(Sum("leads"))["leads__sum"] == 3
    )
    assert campaign_report(october, "last").unattributed.leads == 3
