"""Demo data for `seed_demo`: a dozen campaigns across channels with two or three months of daily stats."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Campaign, CampaignDailyStat, Channel

# name, channel, objective, share of the budget spent, days of stats, impressions per day, CTR, cost per click
CAMPAIGNS = [
    ("Spring product launch", Channel.PAID_SEARCH, "product_launch", 0.85, 90, 9000, 0.045, 1.90),
    ("LinkedIn decision makers", Channel.PAID_SOCIAL, "lead_generation", 0.95, 75, 14000, 0.012, 4.20),
    ("Monthly newsletter", Channel.EMAIL, "nurture", 0.7, 90, 6000, 0.035, 0.05),
    ("Pricing guide download", Channel.CONTENT, "lead_generation", 1.05, 80, 3000, 0.030, 0.60),
    ("Customer webinar: automation", Channel.EVENTS, "event", 0.9, 60, 1500, 0.080, 1.10),
    ("Instagram brand awareness", Channel.ORGANIC_SOCIAL, "awareness", 0.6, 70, 20000, 0.006, 0.10),
    ("Refer a friend", Channel.REFERRAL, "lead_generation", 0.8, 65, 800, 0.060, 1.50),
    ("Reseller co-marketing", Channel.PARTNER, "lead_generation", 1.1, 85, 2500, 0.025, 2.40),
    ("Holiday postcard", Channel.DIRECT_MAIL, "nurture", 0.75, 60, 1200, 0.015, 8.00),
    ("Competitor keywords", Channel.PAID_SEARCH, "lead_generation", 0.9, 88, 5000, 0.055, 2.80),
    ("SEO blog series", Channel.CONTENT, "awareness", 0.65, 90, 7000, 0.020, 0.15),
    ("Trade show follow-up", Channel.OTHER, "event", 0.95, 62, 900, 0.040, 3.50),
]


def seed(*, users, stdout, scale=None):
    """Add the demo campaigns and their daily stats unless they are already there (idempotent)."""
    slugs = [f"demo-{index:02d}" for index in range(1, len(CAMPAIGNS) + 1)]
    if Campaign.objects.filter(slug__in=slugs).exists():
        stdout.write("Campaigns: demo campaigns already there.")
        return
    rng = random.Random(20260901)  # noqa: S311 - stable demo figures, not security
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    stats = []
    for slug, (name, channel, objective, budget_share, days, impressions, ctr, cpc) in zip(
        slugs, CAMPAIGNS, strict=True
    ):
        start = yesterday - datetime.timedelta(days=days - 1)
        running = days < 80
        days_stats = []
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            weekday_factor = 0.6 if day.weekday() >= 5 else 1.0
            shown = int(impressions * weekday_factor * rng.uniform(0.7, 1.3))
            clicks = min(shown, int(shown * ctr * rng.uniform(0.75, 1.25)))
            spend = Decimal(str(round(clicks * cpc * rng.uniform(0.85, 1.15), 2)))
            days_stats.append(CampaignDailyStat(date=day, impressions=shown, clicks=clicks, spend=spend))
        # Budgets around what was spent: some campaigns under budget, a few over it.
        spent = sum(stat.spend for stat in days_stats)
        campaign = Campaign.objects.create(
            name=name,
            slug=slug,
            channel=channel,
            objective=objective,
            status=Campaign.Status.ACTIVE if running else Campaign.Status.COMPLETED,
            start_date=start,
            end_date=None if running else yesterday,
            budget=Decimal(int(spent / Decimal(str(budget_share)) / 100) * 100),
            owner=users["marketer"],
            utm_source=channel.replace("_", "-"),
            utm_medium=channel,
            utm_campaign=slug,
            description=f"Demo campaign on {channel.label}.",
        )
        for stat in days_stats:
            stat.campaign = campaign
        stats += days_stats
    CampaignDailyStat.objects.bulk_create(stats, batch_size=500)
    stdout.write(f"Campaigns: {len(CAMPAIGNS)} campaigns with {len(stats)} days of stats.")
