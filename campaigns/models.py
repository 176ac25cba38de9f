from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crm.bounds import MAX_DATE, MIN_DATE, validate_date_in_range

# The most a campaign logs in one day, and its largest budget: far beyond any real campaign (ten billion
# impressions is more than there are people; the largest advertisers spend a few tens of millions a day on all
# their campaigns together), and small enough that no sum Relay computes overflows, on SQLite or PostgreSQL:
# - a campaign has one row per day (one_stat_per_campaign_and_day) and its days lie in 1900–2200
#   (stat_date_in_range), so at most 109,938 rows;
# - its impressions (and clicks, at most as many) then sum to at most 10^10 × 109,938 ≈ 1.1 × 10^15, 8,390 times
#   under the 64-bit integers both databases sum in (2^63 − 1 ≈ 9.2 × 10^18). Only one campaign's days are summed
#   in SQL (reports.selectors.campaigns_with_figures); reports add campaigns up in Python, whose integers do
#   not overflow;
# - its spend sums to at most 10^9 × 109,938 ≈ 1.1 × 10^14, within the 16 digits before the cents that the
#   sums' DecimalField(max_digits=18, decimal_places=2) holds (reports.selectors.MONEY) 90 times over; the
#   marketer's dashboard sums 30 days of all their campaigns: 3 × 10^10 each, 300 million campaigns to overflow.
# The budget is never summed in SQL: its bound is what its column holds.
MAX_DAILY_IMPRESSIONS = 10**10
MAX_DAILY_SPEND = Decimal("1000000000.00")
MAX_BUDGET = Decimal("9999999999.99")


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PAID_SEARCH = "paid_search", "Paid search"
    PAID_SOCIAL = "paid_social", "Paid social"
    ORGANIC_SOCIAL = "organic_social", "Organic social"
    CONTENT = "content", "Content / SEO"
    EVENTS = "events", "Events / webinar"
    REFERRAL = "referral", "Referral"
    PARTNER = "partner", "Partner"
    DIRECT_MAIL = "direct_mail", "Direct mail"
    OTHER = "other", "Other"


class CampaignQuerySet(models.QuerySet):
    def active(self):
        """Campaigns that are not archived."""
        return self.filter(archived_at__isnull=True)


class Campaign(models.Model):
    """A marketing campaign on one channel; leads it brings name it as their first or latest touch."""

    class Objective(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        LEAD_GENERATION = "lead_generation", "Lead generation"
        NURTURE = "nurture", "Nurture"
        PRODUCT_LAUNCH = "product_launch", "Product launch"
        EVENT = "event", "Event"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    objective = models.CharField(max_length=20, choices=Objective.choices, default=Objective.LEAD_GENERATION)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(validators=[validate_date_in_range])
    end_date = models.DateField(
        null=True, blank=True, validators=[validate_date_in_range], help_text="Leave empty for an ongoing campaign."
    )
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0, validators=[MaxValueValidator(MAX_BUDGET)])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns")
    utm_source = models.CharField("UTM source", max_length=100, blank=True)
    utm_medium = models.CharField("UTM medium", max_length=100, blank=True)
    utm_campaign = models.CharField("UTM campaign", max_length=100, blank=True)
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()
    # Who changed what, for managers (crm.history); one row per save(), none for QuerySet.update().
    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=["owner"])

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="campaign_ends_after_it_starts",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="campaign_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(budget__lte=MAX_BUDGET),
                name="campaign_budget_in_range",
                violation_error_message=f"The budget can be at most {MAX_BUDGET:,}.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__range=(MIN_DATE, MAX_DATE))
                & (Q(end_date__isnull=True) | Q(end_date__range=(MIN_DATE, MAX_DATE))),
                name="campaign_dates_in_range",
                violation_error_message=f"A campaign runs between {MIN_DATE:%Y} and {MAX_DATE:%Y}.",
            ),
        ]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:campaign_detail", args=[self.slug])


class CampaignDailyStat(models.Model):
    """One day of a campaign's delivery: impressions, clicks and spend (one row per campaign and date)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="daily_stats")
    date = models.DateField(validators=[validate_date_in_range])
    impressions = models.PositiveBigIntegerField(default=0, validators=[MaxValueValidator(MAX_DAILY_IMPRESSIONS)])
    clicks = models.PositiveBigIntegerField(default=0, validators=[MaxValueValidator(MAX_DAILY_IMPRESSIONS)])
    spend = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MaxValueValidator(MAX_DAILY_SPEND)]
    )

    class Meta:
        ordering = ["campaign", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "date"],
                name="one_stat_per_campaign_and_day",
                violation_error_message="This campaign already has figures for that day.",
            ),
            models.CheckConstraint(
                condition=Q(clicks__lte=F("impressions")),
                name="stat_clicks_not_above_impressions",
                violation_error_message="Clicks cannot be more than impressions.",
            ),
            models.CheckConstraint(
                condition=Q(spend__gte=0),
                name="stat_spend_not_negative",
                violation_error_message="Spend cannot be negative.",
            ),
            # The bounds that keep every sum from overflowing (MAX_DAILY_IMPRESSIONS above); clicks are
            # bounded by impressions.
            models.CheckConstraint(
                condition=Q(impressions__lte=MAX_DAILY_IMPRESSIONS),
                name="stat_impressions_in_range",
                violation_error_message=f"Impressions can be at most {MAX_DAILY_IMPRESSIONS:,} a day.",
            ),
            models.CheckConstraint(
                condition=Q(spend__lte=MAX_DAILY_SPEND),
                name="stat_spend_in_range",
                violation_error_message=f"Spend can be at most {MAX_DAILY_SPEND:,} a day.",
            ),
            models.CheckConstraint(
                condition=Q(date__range=(MIN_DATE, MAX_DATE)),
                name="stat_date_in_range",
                violation_error_message=f"Figures can be logged for days between {MIN_DATE:%Y} and {MAX_DATE:%Y}.",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} on {self.date}"
