"""Demo leads for `seed_demo`: people, the companies they work for and engagement spread over the last 90
days.

The rows come from the benchmark's generator (`bench.generate.add_leads`, bulk inserts), so that
`seed_demo --scale N` and `make bench` fill leads the same way: about one company per five leads, a third
of them with several people, owned by the demo reps, the people writing from their company's domain or
from free mail. This module adds the demo's notes (the hand-overs are `handoff.demo`'s).
"""

import random
from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign
from leads.models import Lead, LeadEvent, LeadNote
from leads.scoring.rules import Ruleset, rule_matches
from leads.scoring.scorer import decayed, total_score

# What marks the demo's leads (their consent source): their emails are at their companies' domains.
DEMO_SOURCE = "demo"
DEMO_LEADS = 2500
NOTES = (
    "Called: interested, asked for a follow-up next quarter.",
    "Left a voicemail; will try again Thursday.",
    "Not the decision maker; introduced me to their Head of IT.",
    "Came from the webinar, asked good questions about pricing.",
    "Budget frozen until the new fiscal year.",
)


def demo_leads():
    return Lead.objects.filter(consent_source=DEMO_SOURCE)


def seed(*, users, stdout, scale=None):
    """Add demo leads up to DEMO_LEADS (or `scale`) with their companies, events and a few notes; adds
    nothing twice."""
    target = scale or DEMO_LEADS
    existing = demo_leads().count()
    if existing >= target:
        return
    from bench.generate import add_leads  # imported here: it also writes deals, which leads must not load

    campaigns = list(Campaign.objects.all())
    created = target - existing
    reps = [user for name, user in users.items() if name.startswith("rep")]
    counts = add_leads(
        count=created,
        campaigns=campaigns,
        rng=random.Random(42 + existing),
        now=timezone.now(),
        owners=[rep.pk for rep in reps],
        consent_source=DEMO_SOURCE,
    )
    authors = reps or list(users.values())
    if authors:
        rng = random.Random(7)
        sample = demo_leads().order_by("-id")[: min(200, created // 10 + 1)]
        LeadNote.objects.bulk_create(
            LeadNote(lead=lead, author=rng.choice(authors), body=rng.choice(NOTES), created_at=lead.created_at)
            for lead in sample
        )
    stdout.write(f"  {created} demo leads at {counts['companies']} companies, with their engagement events")


def qualification_moments(leads, *, now: datetime) -> dict[int, tuple[datetime, int]]:
    """When each of `leads` (a queryset of demo leads, never reset) first scored at or above the MQL
    threshold, and its score then: its events replayed in order, each moment's score being the fit plus
    the points of the events so far, decayed to that moment. A score only rises at an event, so the first
    event that reaches the threshold is the moment. Leads that never reached it are left out."""
    ruleset = Ruleset.load()
    events = defaultdict(list)
    rows = LeadEvent.objects.filter(lead__in=leads.values("pk"), occurred_at__lte=now)
    for lead_id, kind, occurred_at in (
        rows.order_by("lead_id", "occurred_at").values_list("lead_id", "kind", "occurred_at").iterator()
    ):
        if ruleset.points.get(kind):
            events[lead_id].append((occurred_at, ruleset.points[kind]))
    moments = {}
    for lead in leads.iterator():
        fit = sum(rule.points for rule in ruleset.fit_rules if rule_matches(rule, lead))
        history = events[lead.pk]
        for index, (moment, _points) in enumerate(history):
            engagement = sum(
                decayed(points, (moment - at).total_seconds() / 86400, ruleset.half_life_days)
                for at, points in history[: index + 1]
            )
            score = total_score(fit, engagement)
            if score >= ruleset.threshold:
                moments[lead.pk] = (moment, score)
                break
    return moments
