"""Demo leads for `seed_demo`: people, companies and engagement spread over the last 90 days.

The rows come from the benchmark's generator (`bench.generate.add_leads`, bulk inserts), so that
`seed_demo --scale N` and `make bench` fill leads the same way; this module adds the demo's notes (the
hand-overs are `handoff.demo`'s).
"""

import random

from django.utils import timezone

from campaigns.models import Campaign
from leads.models import Lead, LeadNote

DEMO_DOMAIN = "demo.relay.example"
DEMO_LEADS = 2500
NOTES = (
    "Called: interested, asked for a follow-up next quarter.",
    "Left a voicemail; will try again Thursday.",
    "Not the decision maker; introduced me to their Head of IT.",
    "Came from the webinar, asked good questions about pricing.",
    "Budget frozen until the new fiscal year.",
)


def seed(*, users, stdout, scale=None):
    """Add demo leads up to DEMO_LEADS (or `scale`) with their events and a few notes; adds nothing twice."""
    target = scale or DEMO_LEADS
    existing = Lead.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()
    if existing >= target:
        return
    from bench.generate import add_leads  # imported here: it also writes deals, which leads must not load

    campaigns = list(Campaign.objects.all())
    created = target - existing
    add_leads(
        count=created, campaigns=campaigns, rng=random.Random(42 + existing), now=timezone.now(), domain=DEMO_DOMAIN
    )
    authors = [user for name, user in users.items() if name.startswith("rep")] or list(users.values())
    if authors:
        rng = random.Random(7)
        sample = Lead.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("-id")[: min(200, created // 10 + 1)]
        LeadNote.objects.bulk_create(
            LeadNote(lead=lead, author=rng.choice(authors), body=rng.choice(NOTES), created_at=lead.created_at)
            for lead in sample
        )
    stdout.write(f"  {created} demo leads with their engagement events")
