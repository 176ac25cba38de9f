"""Board speed at scale: `board_timings()` is what `manage.py bench_board` runs."""

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.roles import MANAGER, SALES_REP, set_role
from deals.models import Activity, Deal, Stage
from deals.positions import spaced
from deals.services import ensure_default_pipeline


class _Rollback(Exception):
    pass


def board_timings(*, deals=2000, requests=20) -> dict:
    """Add `deals` open deals (half with an open task) over five reps, request the team board `requests`
    times as a manager through Django's test client, and roll everything back. Times in milliseconds.
    Needs `django.test.utils.setup_test_environment()` (the test client's host) to have run."""
    result = {}
    try:
        with transaction.atomic():
            result = _measure(deals, requests)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _measure(count, requests):
    User = get_user_model()
    stamp = int(time.time())
    manager = User.objects.create(username=f"bench-manager-{stamp}")
    set_role(manager, MANAGER)
    reps = [
        User.objects.create(username=f"bench-rep-{stamp}-{n}", first_name="Bench", last_name=f"Rep{n}")
        for n in range(5)
    ]
    for rep in reps:
        set_role(rep, SALES_REP)
    stages = list(ensure_default_pipeline().stages.filter(kind=Stage.Kind.OPEN))
    now = timezone.now()
    made = Deal.objects.bulk_create(
        (
            Deal(
                title=f"Bench deal {n}",
                company=f"Company {n % 300}",
                amount=Decimal(1000 + n),
                stage=stages[n % len(stages)],
                owner=reps[n % len(reps)],
                position=spaced(n, count),
                stage_changed_at=now,
                # What a worked card shows: a next step, and a close date (one in six already passed).
                next_step="Send the revised proposal to finance",
                expected_close_date=timezone.localdate() + timedelta(days=n % 60 - 10),
            )
            for n in range(count)
        ),
        batch_size=500,
    )
    Activity.objects.bulk_create(
        (
            Activity(deal=deal, kind=Activity.Kind.TASK, subject="Follow up", due_date=timezone.localdate())
            for deal in made[::2]
        ),
        batch_size=500,
    )
    client = Client()
    client.force_login(manager)
    url = "/pipeline/?owner=team"
    client.get(url, secure=True)  # warm up (session, templates)
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"The board answered {response.status_code}.")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    return {
        "deals": count,
        "requests": requests,
        "vendor": connection.vendor,
        "median_ms": statistics.median(timings),
        "min_ms": min(timings),
        "max_ms": max(timings),
        "queries": len(queries),
        "kib": len(response.content) // 1024,
    }
