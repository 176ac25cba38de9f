"""Demo leads for `seed_demo`: realistic people, companies and engagement spread over the last 90 days.

`generate_leads` is also what the benchmark uses to fill the database with `--scale N` leads: it inserts
in batches with bulk_create, a few thousand rows per statement round, never one save per row.
"""

import random
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Campaign
from leads.bulk import insert_rows
from leads.models import CaptureSource, CompanySize, EventKind, Lead, LeadEvent, LeadNote, LifecycleStage

DEMO_DOMAIN = "demo.relay.example"
DEMO_LEADS = 2500
EVENTS_PER_LEAD = 5
BATCH = 2000

FIRST_NAMES = [
    "Ava",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Lucas",
    "Mia",
    "Amelia",
    "Hugo",
    "Léa",
    "Sofia",
    "Mateo",
    "Aisha",
    "Yuki",
    "Chen",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Elena",
    "Jonas",
    "Freya",
    "Lars",
    "Ingrid",
    "Marta",
    "Tomás",
    "Chloé",
    "Louis",
    "Isla",
    "Ethan",
    "Zoe",
    "Ben",
    "Hannah",
    "Kenji",
    "Nia",
    "Kwame",
    "Sara",
    "Ivan",
    "Anna",
    "David",
    "Laura",
    "Marco",
    "Giulia",
    "Pablo",
    "Carmen",
    "Jan",
    "Eva",
    "Piotr",
    "Ola",
    "Rui",
    "Inês",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Müller",
    "Schmidt",
    "Dubois",
    "Martin",
    "Rossi",
    "Bianchi",
    "García",
    "López",
    "Silva",
    "Santos",
    "Kowalski",
    "Nowak",
    "Jensen",
    "Hansen",
    "Andersson",
    "Nilsson",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Patel",
    "Shah",
    "Khan",
    "Okafor",
    "Mensah",
    "Ivanova",
    "Novak",
    "Horvat",
    "Costa",
    "Ferreira",
    "Murphy",
    "O'Brien",
    "Walsh",
    "Fischer",
    "Weber",
    "Lefebvre",
    "Moreau",
    "Bakker",
    "Visser",
    "Peeters",
    "Nielsen",
    "Virtanen",
]
COMPANIES = [
    "Acme Analytics",
    "Northwind Logistics",
    "Bluebird Health",
    "Kestrel Software",
    "Granite Bank",
    "Orbit Retail",
    "Helix Labs",
    "Lumen Energy",
    "Harbor Insurance",
    "Pioneer Foods",
    "Summit Education",
    "Vertex Manufacturing",
    "Nimbus Cloud",
    "Cobalt Security",
    "Meridian Travel",
    "Atlas Telecom",
    "Willow Media",
    "Quartz Consulting",
    "Beacon Realty",
    "Fjord Shipping",
    "Sierra Pharma",
    "Maple Legal",
    "Aurora Gaming",
    "Redwood Capital",
    "Tidal Robotics",
    "Falcon Aerospace",
    "Crescent Hotels",
    "Evergreen Farms",
    "Ironclad Construction",
    "Polar Data",
]
TITLES = [
    "VP Marketing",
    "Head of Growth",
    "Marketing Manager",
    "CMO",
    "Director of Sales",
    "Sales Operations Manager",
    "CTO",
    "Software Engineer",
    "Product Manager",
    "Head of IT",
    "CEO",
    "Founder",
    "Office Manager",
    "Student",
    "Procurement Lead",
    "Director of Operations",
    "Account Executive",
    "Data Analyst",
    "HR Manager",
    "Chief Revenue Officer",
]
INDUSTRIES = [
    "Software",
    "Finance",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Education",
    "Media",
    "Logistics",
    "Energy",
    "Consulting",
]
COUNTRIES = "United States|United Kingdom|Germany|France|Netherlands|Spain|Italy|Sweden|Canada|Australia|Japan|India"
COUNTRIES = COUNTRIES.split("|")
# Engagement is mostly light (views, opens), sometimes strong (webinars, pricing page, demo requests).
EVENT_WEIGHTS = {
    EventKind.PAGE_VIEW: 30,
    EventKind.EMAIL_OPEN: 25,
    EventKind.EMAIL_CLICK: 12,
    EventKind.CONTENT_DOWNLOAD: 10,
    EventKind.FORM_SUBMIT: 8,
    EventKind.WEBINAR_ATTENDED: 5,
    EventKind.PRICING_PAGE_VIEW: 7,
    EventKind.DEMO_REQUEST: 3,
}
NOTES = (
    "Called: interested, asked for a follow-up next quarter.",
    "Left a voicemail; will try again Thursday.",
    "Not the decision maker; introduced me to their Head of IT.",
    "Came from the webinar, asked good questions about pricing.",
    "Budget frozen until the new fiscal year.",
)


def _email(index: int) -> str:
    return f"lead{index}@{DEMO_DOMAIN}"


LEAD_COLUMNS = [
    "first_name",
    "last_name",
    "email",
    "company",
    "job_title",
    "company_size",
    "industry",
    "country",
    "marketing_consent",
    "consent_at",
    "consent_source",
    "stage",
    "first_touch_campaign_id",
    "latest_touch_campaign_id",
    "source_channel",
    "source",
    "created_at",
    "lead_at",
    "last_event_at",
    "updated_at",
    "phone",
    "fit_score",
    "engagement_score",
    "score",
    "score_breakdown",
]
EVENT_COLUMNS = ["lead_id", "kind", "campaign_id", "occurred_at", "created_at", "properties", "external_id"]


def generate_leads(*, count: int, start: int = 0, campaigns=(), events_per_lead: int = EVENTS_PER_LEAD, seed=42):
    """Insert `count` leads (numbered from `start`) with ~`events_per_lead` events each, in bulk batches.

    Deterministic for a given seed; leads get first/latest touches among `campaigns` (none if empty).
    Rows go in as plain multi-row INSERTs: Django's per-field preparation in bulk_create costs more than
    the database's own work for millions of small rows. Returns the number of leads created.
    """
    rng = random.Random(seed + start)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    kinds, weights = list(EVENT_WEIGHTS), list(EVENT_WEIGHTS.values())
    sizes, campaigns = CompanySize.values, [(c.pk, c.channel) for c in campaigns]
    for batch_start in range(start, start + count, BATCH):
        leads, touches = [], []
        for index in range(batch_start, min(batch_start + BATCH, start + count)):
            created_at = now - timedelta(days=rng.uniform(0, 90))
            first = rng.choice(campaigns) if campaigns and rng.random() < 0.85 else None
            latest = rng.choice(campaigns) if first and rng.random() < 0.4 else first
            age = (now - created_at).total_seconds()
            times = sorted(
                created_at + timedelta(seconds=rng.uniform(0, age))
                for _ in range(max(1, round(rng.gauss(events_per_lead, 1.5))))
            )
            campaign_ids = (first[0] if first else None, latest[0] if latest else None)
            touches.append((times, campaign_ids))
            created = adapt(created_at)
            leads.append(
                (
                    rng.choice(FIRST_NAMES),
                    rng.choice(LAST_NAMES),
                    _email(index),
                    rng.choice(COMPANIES),
                    rng.choice(TITLES),
                    rng.choice(sizes),
                    rng.choice(INDUSTRIES),
                    rng.choice(COUNTRIES),
                    consent := rng.random() < 0.7,
                    created if consent else None,
                    CaptureSource.WEB_FORM.label if consent else "",
                    LifecycleStage.SUBSCRIBER if rng.random() < 0.15 else LifecycleStage.LEAD,
                    *campaign_ids,
                    first[1] if first else "",
                    rng.choice(CaptureSource.values),
                    created,
                    created,
                    adapt(times[-1]),
                    stamp,
                    "",
                    0,
                    0.0,
                    0,
                    "{}",
                )
            )
        with transaction.atomic():
            ids = insert_rows(Lead._meta.db_table, LEAD_COLUMNS, leads, returning=True)
            insert_rows(
                LeadEvent._meta.db_table,
                EVENT_COLUMNS,
                (
                    (lead_id, rng.choices(kinds, weights)[0], rng.choice(campaign_ids), adapt(at), stamp, "{}", "")
                    for lead_id, (times, campaign_ids) in zip(ids, touches, strict=True)
                    for at in times
                ),
            )
    return count


def seed(*, users, stdout, scale=None):
    """Add demo leads up to DEMO_LEADS (or `scale`) with their events and a few notes; adds nothing twice."""
    target = scale or DEMO_LEADS
    existing = Lead.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()
    if existing >= target:
        return
    campaigns = list(Campaign.objects.all())
    created = generate_leads(count=target - existing, start=existing, campaigns=campaigns)
    authors = [user for name, user in users.items() if name.startswith("rep")] or list(users.values())
    if authors:
        rng = random.Random(7)
        sample = Lead.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("-id")[: min(200, created // 10 + 1)]
        LeadNote.objects.bulk_create(
            LeadNote(lead=lead, author=rng.choice(authors), body=rng.choice(NOTES), created_at=lead.created_at)
            for lead in sample
        )
    stdout.write(f"  {created} demo leads with their engagement events")
