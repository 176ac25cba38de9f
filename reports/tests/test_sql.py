"""Medians in the database: NULLs left out, a group with no value absent, the mean of the two middle values."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.models import Lead
from leads.tests.factories import LeadFactory
from reports.sql import NO_GROUP, duration, medians, medians_with_overall

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def leads():
    for channel, hours in [("email", 1), ("email", 3), ("email", None), ("events", 10), ("content", None)]:
        lead = LeadFactory(source_channel=channel)
        mql_at = None if hours is None else START + timedelta(hours=hours)
        Lead.objects.filter(pk=lead.pk).update(created_at=START, mql_at=mql_at)


def to_mql():
    return duration("mql_at", "created_at")


def test_medians_per_group_leave_out_nulls_and_groups_without_a_value(leads):
    assert medians(Lead.objects.all(), to_mql(), group="source_channel") == {
        "email": timedelta(hours=2),
        "events": timedelta(hours=10),
    }


def test_the_median_of_everything_is_over_the_values_only(leads):
    assert medians(Lead.objects.all(), to_mql()) == {NO_GROUP: timedelta(hours=3)}
    assert medians(Lead.objects.filter(source_channel="content"), to_mql()) == {}


def test_medians_with_overall_agree_with_medians(leads):
    assert medians_with_overall(Lead.objects.all(), to_mql(), group="source_channel") == {
        "email": timedelta(hours=2),
        "events": timedelta(hours=10),
        NO_GROUP: timedelta(hours=3),
    }
