from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords


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
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty for an ongoing campaign.")
    budget = models.DecimalField(max_digits=12, decimal_places=2, default=0)
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
        ]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:campaign_detail", args=[self.slug])


class CampaignDailyStat(models.Model):
    """One day of a campaign's delivery: impressions, clicks and spend (one row per campaign and date)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="daily_stats")
    date = models.DateField()
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    spend = models.DecimalField(max_digits=12, decimal_places=2, default=0)

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
        ]

    def __str__(self):
        return f"{self.campaign} on {self.date}"
