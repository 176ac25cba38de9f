"""Demo data for `seed_demo`: ~150 deals entered by hand over the last 90 days, spread over the stages and
both reps, with activities, stage history and closed won/lost deals with their
reasons, sold to the demo's companies with several people (by their owners). The deals born from accepted
MQLs are the hand-over's demo (`handoff.demo`), and the deals' tasks the agenda's (`agenda.demo`)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from companies.models import Company
from companies.services import CompanyHint, companies_for
from deals.models import Activity, Deal, DealStageChange, LostReason, Stage
from deals.positions import spaced
from deals.services import ensure_default_pipeline

DEMO_DEALS = 150
# The deals' companies when the demo has none with several people.
COMPANIES = [
    "Acme Logistics", "Globex", "Initech", "Umbrella Health", "Stark Components", "Wayne Foods", "Hooli",
    "Vandelay Imports", "Soylent Labs", "Tyrell Systems", "Cyberdyne Retail", "Wonka Confectionery",
    "Nakatomi Trading", "Oscorp Energy", "Pied Piper", "Massive Dynamic", "Aperture Science", "Gringotts Bank",
]  # fmt: skip
PRODUCTS = ["platform licence", "renewal", "expansion", "pilot", "onboarding package", "enterprise plan"]
NEXT_STEPS = ["Send proposal", "Book demo with the team", "Call the CFO", "Security review", "Agree on pricing"]
ACTIVITY_SUBJECTS = {
    Activity.Kind.CALL: ["Discovery call", "Follow-up call", "Pricing call"],
    Activity.Kind.EMAIL: ["Sent case study", "Sent pricing sheet", "Answered security questions"],
    Activity.Kind.MEETING: ["On-site meeting", "Steering committee"],
    Activity.Kind.DEMO: ["Product demo", "Technical deep dive"],
    Activity.Kind.NOTE: ["Budget confirmed for next quarter", "Competitor also in the running"],
}
LOST_REASONS = LostReason.values


def seed(*, users, stdout, scale=None):
    """Add the demo deals unless there are deals already. `scale` (the benchmark's lead count) adds one
    deal per 20 leads beyond the usual 150."""
    if Deal.objects.filter(lead__isnull=True).exists():
        stdout.write("  deals: already there, nothing added")
        return
    count = max(DEMO_DEALS, (scale or 0) // 20)
    with transaction.atomic():
        made = _seed(users=users, count=count)
    stdout.write(f"  deals: {made} deals with activities and history")


def _seed(*, users, count):
    rng = random.Random(6)  # the same demo every time
    now = timezone.now()
    today = timezone.localdate()
    pipeline = ensure_default_pipeline()
    stages = list(pipeline.stages.order_by("order"))
    open_stages = [s for s in stages if s.kind == Stage.Kind.OPEN]
    won = next(s for s in stages if s.kind == Stage.Kind.WON)
    lost = next(s for s in stages if s.kind == Stage.Kind.LOST)
    owners = [users["rep1"], users["rep2"]]
    accounts = _accounts(rng, count)

    deals, paths = [], []
    for n, account in enumerate(accounts):
        # Open deals weighted to the early stages; about a quarter closed (won slightly less than lost).
        roll = rng.random()
        if roll < 0.12:
            final = won
        elif roll < 0.27:
            final = lost
        else:
            final = rng.choices(open_stages, weights=[30, 25, 20, 15, 10][: len(open_stages)])[0]
        created = now - timedelta(days=rng.uniform(1, 90))
        if final.is_closed:
            reached = rng.randint(0, len(open_stages) - 1) if final == lost else len(open_stages) - 1
            path = [*open_stages[: reached + 1], final]
        else:
            path = open_stages[: open_stages.index(final) + 1]
        times = sorted(created + (now - created) * rng.uniform(0.05, 0.95) for _ in path[1:])
        deal = Deal(
            title=f"{account.name} {rng.choice(PRODUCTS)}",
            company=account.name,
            account=account,
            amount=Decimal(rng.randrange(30, 1200) * 100),
            stage=final,
            owner=next((rep for rep in owners if rep.pk == account.owner_id), owners[n % 2]),
            expected_close_date=today + timedelta(days=rng.randint(-10, 120)),
            next_step="" if final.is_closed else rng.choice(NEXT_STEPS),
            created_at=created,
            stage_changed_at=times[-1] if times else created,
            closed_at=times[-1] if final.is_closed else None,
            lost_reason=rng.choice(LOST_REASONS) if final == lost else "",
            close_note="Chose a cheaper tool" if final == lost and rng.random() < 0.3 else "",
        )
        deals.append(deal)
        paths.append((path, [created, *times]))

    # Positions spaced out per column (room to place cards between them), newest stage change on top.
    for stage in stages:
        column = sorted((d for d in deals if d.stage == stage), key=lambda d: d.stage_changed_at, reverse=True)
        for rank, deal in enumerate(column):
            deal.position = spaced(rank, len(column))
    Deal.objects.bulk_create(deals)

    changes, activities = [], []
    for deal, (path, times) in zip(deals, paths, strict=True):
        previous = None
        for stage, at in zip(path, times, strict=True):
            changes.append(
                DealStageChange(
                    deal=deal,
                    from_stage=previous,
                    from_name=previous.name if previous else "",
                    to_stage=stage,
                    to_name=stage.name,
                    by=deal.owner,
                    at=at,
                )
            )
            previous = stage
        last = None
        for _ in range(rng.randint(0, 4)):
            kind = rng.choice(list(ACTIVITY_SUBJECTS))
            at = deal.created_at + (now - deal.created_at) * rng.random()
            activities.append(
                Activity(deal=deal, kind=kind, subject=rng.choice(ACTIVITY_SUBJECTS[kind]), by=deal.owner, at=at)
            )
            last = max(last or at, at)
        deal.last_activity_at = last
    DealStageChange.objects.bulk_create(changes)
    Activity.objects.bulk_create(activities)
    Deal.objects.bulk_update(deals, ["last_activity_at"], batch_size=500)

    return len(deals)


def _accounts(rng: random.Random, count: int) -> list[Company]:
    """The company of each of `count` deals: one of the first 60 companies with several people (the demo's
    leads brought them), else of COMPANIES, linked by name as a deal typed by hand would be."""
    several = Company.objects.filter(people_count__gte=3).order_by("id").values_list("name", flat=True)
    names = list(several[:60]) or COMPANIES
    return companies_for([CompanyHint(name=rng.choice(names)) for _ in range(count)])
