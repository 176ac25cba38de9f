from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crm.bounds import MAX_SMALL

# The largest place of a card in its column: what `Deal.position` holds on PostgreSQL (an integer).
MAX_POSITION = 2**31 - 1


class Pipeline(models.Model):
    """A sequence of stages deals move through (Relay ships one, editable by managers)."""

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    rotting_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(MAX_SMALL)],  # SQLite would store any number, then `now - days` overflows
        help_text="A deal with no activity and no stage change for longer than this is rotting.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_pipeline")
        ]

    def __str__(self):
        return self.name

    @classmethod
    def default(cls) -> "Pipeline":
        return cls.objects.get(is_default=True)


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField()
    probability = models.PositiveSmallIntegerField(help_text="Chance to win, in percent (0–100).")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OPEN)

    class Meta:
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique_in_pipeline"),
            models.CheckConstraint(
                condition=Q(probability__lte=100),
                name="stage_probability_at_most_100",
                violation_error_message="A probability is a percentage from 0 to 100.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN


class LostReason(models.TextChoices):
    """Why a deal was lost (DOMAIN.md). A rejected MQL never had a deal: its reason is on its hand-over."""

    PRICE = "price", "Price"
    COMPETITOR = "competitor", "Competitor"
    NO_DECISION = "no_decision", "No decision"
    TIMING = "timing", "Timing"
    MISSING_FEATURE = "missing_feature", "Missing feature"
    UNRESPONSIVE = "unresponsive", "Unresponsive"
    OTHER = "other", "Other"


class ForecastCategory(models.TextChoices):
    """How sure the deal's owner is that it closes in its expected month (the forecast report sums each).
    Only open deals are forecast: a won deal counts as closed won, a lost one is left out."""

    COMMIT = "commit", "Commit"
    BEST_CASE = "best_case", "Best case"
    PIPELINE = "pipeline", "Pipeline"
    OMITTED = "omitted", "Omitted"


class Deal(models.Model):
    """A sales opportunity moving through the pipeline: born when a rep accepts an MQL (its hand-over then
    points at it, `handoff`), or entered by hand."""

    title = models.CharField(max_length=200)
    lead = models.ForeignKey("leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    # The company as typed (shown and searched); `account` is the Company record reports use.
    company = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name="company",
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    position = models.PositiveIntegerField(default=0, help_text="Order of the card within its column.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals")
    expected_close_date = models.DateField(null=True, blank=True)
    source_campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, null=True, blank=True, related_name="deals"
    )
    next_step = models.CharField(max_length=200, blank=True)
    forecast_category = models.CharField(
        max_length=10,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
        db_default=ForecastCategory.PIPELINE,  # rows written in bulk (imports, the bench) without it
        help_text="Commit: you expect it to close in its month; best case: it could; omitted: leave it out.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=20, choices=LostReason.choices, blank=True)
    close_note = models.TextField(blank=True)
    # Who changed what, for managers (crm.history). The card's place in its column and the times the
    # board and activities keep up to date are bookkeeping, not decisions: left out.
    history = HistoricalRecords(
        excluded_fields=["position", "updated_at", "stage_changed_at", "last_activity_at"],
        no_db_index=["lead", "stage", "owner", "source_campaign"],
    )

    class Meta:
        ordering = ["position", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="deal_amount_not_negative",
                violation_error_message="The amount cannot be negative.",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "position"], name="deal_stage_position_idx"),
            models.Index(fields=["owner", "stage"], name="deal_owner_stage_idx"),
            models.Index(fields=["closed_at"], name="deal_closed_idx"),
            models.Index(fields=["expected_close_date"], name="deal_close_date_idx"),
            models.Index(fields=["source_campaign", "closed_at"], name="deal_campaign_closed_idx"),
            # Newest first: the deal list's default order, and the search box's deals for a common word.
            models.Index(fields=["-created_at", "-id"], name="deal_created_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deals:deal_detail", args=[self.pk])


class DealStageChange(models.Model):
    """A deal's move between stages: who (None: the system), when, from (None: created), to."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, related_name="+")
    # The stages' names when the move happened: history stays readable after a stage is renamed or deleted.
    from_name = models.CharField(max_length=60, blank=True)
    to_name = models.CharField(max_length=60, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["deal", "at"], name="deal_change_deal_time_idx")]

    def __str__(self):
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "Email"
        DEMO = "demo", "Demo"
        NOTE = "note", "Note"

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["deal", "at"], name="activity_deal_time_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"
