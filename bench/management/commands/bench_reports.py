"""Measure each report's server time on a generated data set (leads, hand-overs, deals, notes, events).

    python manage.py bench_reports --leads 100000 --deals 20000 --events 0
    python manage.py bench_reports --skip-generate          # time again on the data already there

Generated rows are marked (emails @bench.example, campaigns bench-*) and added to what the database holds;
use a database of its own. Each page is requested through the test client as a manager (then as a rep) with
the default period (last 30 days) and with the last 90 days; the best of --repeat runs is printed.
"""

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from campaigns.models import Campaign, Channel
from crm.roles import MANAGER, MARKETER, SALES_REP, set_role
from deals.models import Activity, Deal, Pipeline
from handoff.models import Handoff, RejectionReason
from leads.models import Lead, LeadEvent, LeadNote, LifecycleStage

BATCH = 5000
PAGES = [
    "/reports/funnel/",
    "/reports/funnel/?split=channel",
    "/reports/funnel/?format=csv&table=stages",
    "/reports/sales/",
    "/reports/feedback/",
    "/api/v1/reports/funnel/",
    "/api/v1/reports/sales/",
    "/api/v1/reports/feedback/",
    "/",
]


class Command(BaseCommand):
    help = "Generate a large funnel and time each report page (server time, best of --repeat)."

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=100_000)
        parser.add_argument("--deals", type=int, default=20_000)
        parser.add_argument("--events", type=int, default=0, help="Engagement events (PostgreSQL: generate_series).")
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--skip-generate", action="store_true")

    def handle(self, *args, leads, deals, events, repeat, skip_generate, **options):
        users = self.users()
        if not skip_generate:
            started = time.perf_counter()
            self.generate(users, leads=leads, deals=deals, events=events)
            self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"{Lead.objects.count()} leads, {Deal.objects.count()} deals, {connection.vendor}")
        for who in ("manager", "rep"):
            client = Client()
            client.force_login(users[who])
            for period in ("last_30", "last_90"):
                for path in PAGES:
                    separator = "&" if "?" in path else "?"
                    url = f"{path}{separator}period={period}"
                    best = min(self.timed(client, url) for _ in range(repeat))
                    self.stdout.write(f"{who:8} {url:60} {best * 1000:8.0f} ms")

    def timed(self, client, url):
        started = time.perf_counter()
        response = client.get(url, secure=True, headers={"host": "localhost"})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return elapsed

    def users(self):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        made = {}
        for name, role in [("manager", MANAGER), ("marketer", MARKETER)] + [(f"rep{n}", SALES_REP) for n in range(10)]:
            user, _ = User.objects.get_or_create(username=f"bench-{name}")
            set_role(user, role)
            made[name] = user
        made["rep"] = made["rep0"]
        made["reps"] = [made[f"rep{n}"] for n in range(10)]
        return made

    @transaction.atomic
    def generate(self, users, *, leads, deals, events):
        rng = random.Random(7)  # noqa: S311 - benchmark data, not secrets
        now = timezone.now()
        channels = Channel.values
        campaigns = Campaign.objects.bulk_create(
            Campaign(
                name=f"Bench campaign {n}",
                slug=f"bench-{n}-{int(now.timestamp())}",
                channel=channels[n % len(channels)],
                start_date=(now - datetime.timedelta(days=400)).date(),
                owner=users["marketer"],
            )
            for n in range(50)
        )
        reps = users["reps"]
        stamp = int(now.timestamp())
        for start in range(0, leads, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, leads)):
                created = now - datetime.timedelta(seconds=rng.randrange(365 * 86400))
                steps = [created + datetime.timedelta(hours=rng.randrange(1, 24 * 20)) for _ in range(4)]
                steps.sort()
                depth = rng.choices([0, 1, 2, 3, 4, 5], weights=[10, 60, 12, 8, 6, 4])[0]
                stage = [LifecycleStage.SUBSCRIBER, "lead", "mql", "sql", "opportunity", "customer"][depth]
                if depth == 2 and rng.random() < 0.5:
                    stage = rng.choice([LifecycleStage.NURTURE, LifecycleStage.DISQUALIFIED])
                batch.append(
                    Lead(
                        email=f"b{stamp}-{index}@bench.example",
                        first_touch_campaign=campaigns[index % len(campaigns)],
                        latest_touch_campaign=campaigns[(index * 7) % len(campaigns)],
                        owner=reps[index % len(reps)] if depth >= 2 else None,
                        stage=stage,
                        created_at=created,
                        lead_at=created if depth >= 1 else None,
                        mql_at=steps[0] if depth >= 2 else None,
                        sql_at=steps[1] if depth >= 3 else None,
                        opportunity_at=steps[2] if depth >= 4 else None,
                        customer_at=steps[3] if depth >= 5 else None,
                    )
                )
            created_leads = Lead.objects.bulk_create(batch)
            self.handoffs_and_notes(rng, created_leads, reps)
        self.deals(rng, reps, deals, now)
        if events:
            self.events(events)

    def handoffs_and_notes(self, rng, leads, reps):
        handoffs, notes = [], []
        for lead in leads:
            if lead.mql_at is None:
                continue
            answered = lead.sql_at is not None or lead.stage in (LifecycleStage.NURTURE, LifecycleStage.DISQUALIFIED)
            responded = lead.mql_at + datetime.timedelta(minutes=rng.randrange(5, 60 * 60)) if answered else None
            handoffs.append(
                Handoff(
                    lead=lead,
                    rep=lead.owner,
                    score=60,
                    handed_at=lead.mql_at,
                    due_at=lead.mql_at + datetime.timedelta(hours=24),
                    outcome="accepted" if lead.sql_at else ("rejected" if answered else "pending"),
                    responded_at=responded,
                    rejection_reason=rng.choice(RejectionReason.values) if answered and not lead.sql_at else "",
                )
            )
            if rng.random() < 0.3:
                notes.append(LeadNote(lead=lead, author=lead.owner, body="Bench note", created_at=lead.mql_at))
        Handoff.objects.bulk_create(handoffs)
        LeadNote.objects.bulk_create(notes)

    def deals(self, rng, reps, count, now):
        stages = list(Pipeline.default().stages.all())
        handoffs = list(
            Handoff.objects.filter(outcome="accepted", deal__isnull=True, lead__email__endswith="@bench.example")
            .select_related("lead")
            .order_by("-handed_at")[:count]
        )
        for start in range(0, count, BATCH):
            batch = []
            for index in range(start, min(start + BATCH, count)):
                handoff = handoffs[index] if index < len(handoffs) else None
                created = handoff.responded_at if handoff else now - datetime.timedelta(days=rng.randrange(365))
                stage = rng.choice(stages)
                closed = created + datetime.timedelta(days=rng.randrange(1, 90)) if stage.is_closed else None
                batch.append(
                    Deal(
                        title=f"Bench deal {index}",
                        lead=handoff.lead if handoff else None,
                        handoff=handoff,
                        amount=Decimal(rng.randrange(500, 50_000)),
                        stage=stage,
                        owner=handoff.rep if handoff else reps[index % len(reps)],
                        created_at=created,
                        stage_changed_at=closed or created,
                        closed_at=min(closed, now) if closed else None,
                        lost_reason=rng.choice(["price", "competitor", "timing"]) if stage.kind == "lost" else "",
                        expected_close_date=(now + datetime.timedelta(days=rng.randrange(-30, 180))).date(),
                    )
                )
            made = Deal.objects.bulk_create(batch)
            Activity.objects.bulk_create(
                Activity(deal=deal, kind="call", subject="Call", at=deal.created_at + datetime.timedelta(hours=3))
                for deal in made
            )

    def events(self, count):
        if connection.vendor != "postgresql":
            self.stdout.write("events: only generated on PostgreSQL (generate_series)")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id) FROM leads_lead")
            low, high = cursor.fetchone()
            table = LeadEvent._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} (lead_id, kind, occurred_at, properties, external_id, created_at)"  # noqa: S608 - a model's table name
                " SELECT %s + (g %% (%s - %s + 1)), 'page_view', now() - (g %% 365) * interval '1 day', '{}', '', now()"
                " FROM generate_series(1, %s) AS g",
                [low, high, low, count],
            )
