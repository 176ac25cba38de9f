"""The beat's forecast snapshot, sent twice at once through Redis to a real worker: one week's rows, once."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import wait_until
from deals.tests.factories import DealFactory, stage_named
from reports.models import ForecastSnapshot
from reports.services import week_of
from reports.tasks import snapshot_forecast

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_beats_sent_to_a_worker_take_one_snapshot(celery_worker, rep):
    next_month = (timezone.localdate().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    DealFactory(owner=rep, stage=stage_named("Demo"), amount=Decimal(1000), expected_close_date=next_month)
    snapshot_forecast.delay()
    snapshot_forecast.delay()
    wait_until(lambda: ForecastSnapshot.objects.exists(), timeout=15)
    time.sleep(2)  # results are not kept (CELERY_TASK_IGNORE_RESULT): time for the second run to finish
    snapshot = ForecastSnapshot.objects.get()  # one row: the second run found the week's snapshot taken
    assert (snapshot.taken_on, snapshot.close_month) == (week_of(timezone.localdate()), next_month)
    assert (snapshot.open_amount, snapshot.weighted) == (1000, 400)
