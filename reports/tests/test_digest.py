"""The weekly digest of the agreement: who gets it, what it says, and once per week whatever runs."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from campaigns.models import Channel
from conftest import run_at_once
from crm.tests.factories import UserFactory
from goals.models import Metric, Target
from reports import digest, tasks
from reports.models import AgreementDigest
from reports.tests.conftest import at
from reports.tests.test_agreement import mql

MONDAY = datetime.date(2026, 11, 16)


@pytest.fixture
def readers(db):
    return [
        UserFactory(role="Manager", username="omar", email="omar@example.com"),
        UserFactory(role="Marketer", username="maya", email="maya@example.com"),
        UserFactory(role="Sales rep", username="rita", email="rita@example.com"),
    ]


def test_the_digest_goes_to_managers_and_marketers_through_smtp(readers, smtp_server):
    Target.objects.create(period_start=datetime.date(2026, 11, 1), metric=Metric.MQLS, value=Decimal(10))
    mql("a", at(11, 3), Channel.EVENTS)
    mql("b", at(11, 10), Channel.EVENTS)
    assert digest.send_weekly_digest(today=MONDAY) is True
    [message] = smtp_server.messages
    assert sorted(message["To"].split(", ")) == ["maya@example.com", "omar@example.com"]
    assert message["Subject"] == "The agreement, week of Nov 16: November 2026"
    body = message.get_content()
    assert "- MQLs delivered (leads that reached MQL): 2 of 10" in body
    assert "the first digest of this month" in body
    assert f"{settings.SITE_URL.rstrip('/')}/agreement/" in body
    sent = AgreementDigest.objects.get()
    assert (sent.week_start, sent.figures["mqls"]) == (MONDAY, {"actual": "2", "target": "10"})


def test_the_digest_says_what_moved_since_last_weeks(readers, smtp_server):
    mql("a", at(11, 3), Channel.EVENTS)
    digest.send_weekly_digest(today=MONDAY - datetime.timedelta(days=7))
    for name in ("b", "c", "d"):
        mql(name, at(11, 12), Channel.EVENTS)
    digest.send_weekly_digest(today=MONDAY)
    body = smtp_server.messages[-1].get_content()
    assert "- MQLs delivered (leads that reached MQL): 4 (+3 since last week)" in body
    assert "- Revenue closed won (team): $0 (no change since last week)" in body


def test_a_rerun_in_the_same_week_sends_nothing(readers, smtp_server):
    assert digest.send_weekly_digest(today=MONDAY) is True
    assert digest.send_weekly_digest(today=MONDAY + datetime.timedelta(days=2)) is False
    assert len(smtp_server.messages) == 1
    assert AgreementDigest.objects.count() == 1


def test_a_failed_send_is_sent_by_the_next_run(readers, smtp_server, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    with pytest.raises(OSError):
        digest.send_weekly_digest(today=MONDAY)
    assert AgreementDigest.objects.get().sent_at is None
    settings.EMAIL_PORT = smtp_server.port
    assert digest.send_weekly_digest(today=MONDAY) is True
    assert len(smtp_server.messages) == 1


def test_beat_runs_the_digest_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["send-agreement-digest"]
    assert entry["task"] == tasks.send_agreement_digest.name
    assert entry["schedule"].day_of_week == {1} and entry["schedule"].hour == {7}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="concurrent writers need PostgreSQL (the SQLite test database is in memory)"
)
def test_two_beats_at_once_send_one_digest(smtp_server):
    UserFactory(role="Manager", username="omar", email="omar@example.com")
    results = run_at_once(lambda: digest.send_weekly_digest(today=MONDAY), 2)
    assert sorted(results) == [False, True]
    assert len(smtp_server.messages) == 1
