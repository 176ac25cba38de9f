"""The weekly forecast snapshot: taken once per week (Monday, or the first run after a missed Monday), whatever
runs twice or at once, with the open deals' sums per owner and expected close month."""

import datetime
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conftest import run_at_once
from deals.tests.factories import DealFactory, stage_named
from reports.models import ForecastSnapshot
from reports.services import snapshot_forecast
from reports.tasks import snapshot_forecast as snapshot_task

MONDAY = datetime.date(2026, 11, 16)
NOVEMBER, DECEMBER = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)


@pytest.fixture
def pipeline(rep, other_rep):
    def deal(owner, stage, amount, close, category="pipeline"):
        DealFactory(
            owner=owner,
            stage=stage_named(stage),
            amount=Decimal(amount),
            expected_close_date=close,
            forecast_category=category,
        )

    deal(rep, "Demo", "10000", datetime.date(2026, 11, 25), "commit")  # weighted 4,000
    deal(rep, "Proposal", "5000", datetime.date(2026, 11, 5), "best_case")  # passed, this month: 3,000
    deal(rep, "Discovery", "2000", datetime.date(2026, 12, 1))  # 400
    deal(rep, "Demo", "999", datetime.date(2026, 10, 30))  # an earlier month: not snapshotted
    deal(rep, "Closed won", "7777", datetime.date(2026, 11, 20))  # closed: not snapshotted
    deal(other_rep, "Negotiation", "1000", datetime.date(2026, 11, 30), "omitted")  # 800


@pytest.mark.django_db
def test_a_snapshot_sums_open_deals_per_owner_and_month(pipeline, rep, other_rep):
    assert snapshot_forecast(today=MONDAY) == 3
    mine = ForecastSnapshot.objects.get(owner=rep, close_month=NOVEMBER)
    assert mine.taken_on == MONDAY
    assert (mine.open_deals, mine.open_amount, mine.weighted) == (2, 15000, 7000)
    assert (mine.commit, mine.best_case, mine.pipeline, mine.omitted) == (10000, 5000, 0, 0)
    assert ForecastSnapshot.objects.get(owner=rep, close_month=DECEMBER).pipeline == 2000
    assert ForecastSnapshot.objects.get(owner=other_rep, close_month=NOVEMBER).omitted == 1000


@pytest.mark.django_db
def test_the_snapshot_is_taken_once_per_week(pipeline):
    assert snapshot_forecast(today=MONDAY) == 3
    assert snapshot_forecast(today=MONDAY) == 0  # beat ran twice
    assert snapshot_forecast(today=MONDAY + datetime.timedelta(days=3)) == 0  # later in the week
    assert ForecastSnapshot.objects.count() == 3
    assert snapshot_forecast(today=MONDAY + datetime.timedelta(days=7)) == 3  # the next week has its own
    assert set(ForecastSnapshot.objects.values_list("taken_on", flat=True)) == {MONDAY, datetime.date(2026, 11, 23)}


@pytest.mark.django_db
def test_a_run_on_tuesday_catches_up_a_missed_monday(pipeline):
    assert snapshot_forecast(today=MONDAY + datetime.timedelta(days=1)) == 3
    assert set(ForecastSnapshot.objects.values_list("taken_on", flat=True)) == {MONDAY}


@pytest.mark.django_db
def test_the_task_takes_todays_weeks_snapshot(rep):
    DealFactory(owner=rep, expected_close_date=timezone.localdate() + datetime.timedelta(days=40))
    assert snapshot_task.delay().get() == 1
    assert snapshot_task.delay().get() == 0


def test_beat_runs_the_snapshot_every_morning_in_the_site_time_zone():
    entry = settings.CELERY_BEAT_SCHEDULE["snapshot-forecast"]
    assert entry["task"] == "reports.snapshot_forecast"
    assert entry["schedule"] == crontab(hour=6, minute=0)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="concurrent writers need PostgreSQL (in-memory SQLite)")
def test_two_beats_at_once_write_each_snapshot_once(pipeline):
    written = run_at_once(lambda: snapshot_forecast(today=MONDAY), 4)
    assert sorted(written)[-1] == 3
    assert ForecastSnapshot.objects.count() == 3
