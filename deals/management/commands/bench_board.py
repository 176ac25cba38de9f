import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

from crm.roles import MANAGER, SALES_REP, set_role
from deals.models import Activity, Deal, Stage
from deals.services import ensure_default_pipeline


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Measure the pipeline board's server time with N open deals (median of R requests through Django's "
        "test client). Everything it creates is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deals", type=int, default=2000)
        parser.add_argument("--requests", type=int, default=20)

    def handle(self, *args, deals, requests, **options):
        setup_test_environment()
        try:
            with transaction.atomic():
                self._measure(deals, requests)
                raise Rollback
        except Rollback:
            pass

    def _measure(self, count, requests):
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
        pipeline = ensure_default_pipeline()
        stages = list(pipeline.stages.filter(kind=Stage.Kind.OPEN))
        if not stages:
            raise CommandError("The default pipeline has no open stage.")
        start = (Deal.objects.aggregate(top=Max("position"))["top"] or 0) + 1
        now = timezone.now()
        made = Deal.objects.bulk_create(
            (
                Deal(
                    title=f"Bench deal {n}",
                    company=f"Company {n % 300}",
                    amount=Decimal(1000 + n),
                    stage=stages[n % len(stages)],
                    owner=reps[n % len(reps)],
                    position=start + n,
                    stage_changed_at=now,
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
        client.get(url, secure=True)  # warm up (session, caches, templates)
        timings = []
        for _ in range(requests):
            began = time.perf_counter()
            response = client.get(url, secure=True)
            timings.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise CommandError(f"The board answered {response.status_code}.")
        with CaptureQueriesContext(connection) as queries:
            client.get(url, secure=True)
        vendor = connection.vendor
        self.stdout.write(
            f"board with {count} open deals on {vendor}: median {statistics.median(timings):.1f} ms "
            f"(min {min(timings):.1f}, max {max(timings):.1f}) over {requests} requests, "
            f"{len(queries)} queries, {len(response.content) // 1024} KiB"
        )
