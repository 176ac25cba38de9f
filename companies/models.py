"""Companies: the accounts that leads work for and deals are sold to."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from companies.domains import MAX_DOMAIN_LENGTH, name_key


class CompanySize(models.TextChoices):
    S1_10 = "1-10", "1–10"
    S11_50 = "11-50", "11–50"
    S51_200 = "51-200", "51–200"
    S201_1000 = "201-1000", "201–1,000"
    S1001_5000 = "1001-5000", "1,001–5,000"
    S5000_PLUS = "5000+", "5,000+"


# The fields derived from a company's people and deals (see Company), kept by `reports.accounts.rollups`.
ROLLUP_FIELDS = (
    "people_count",
    "engaged_people",
    "engagement_score",
    "fit_score",
    "account_score",
    "open_pipeline",
    "won_revenue",
    "open_deals",
    "top_stage_rank",
    "rollups_at",
    "rollups_due",
)


class CompanyQuerySet(models.QuerySet):
    def with_domain(self, key: str):
        """The company that owns the web domain `key` (a `domain_key`)."""
        return self.filter(domains__domain=key)

    def named(self, name: str):
        """Companies whose name, in its normalised form, is `name`'s."""
        return self.filter(name_key=name_key(name))


class Company(models.Model):
    """A business Relay sells to. Unique by web domain (`CompanyDomain`); one without a domain is allowed
    and can be merged into another later.

    The roll-up fields (people, engagement, account score, pipeline) are derived from the company's leads
    and deals, stored so that the list sorts and filters 200,000 companies by them through an index.
    They are recomputed set-based (`rollups_due` marks a company whose leads or deals changed; a beat
    sweep catches up), so they can trail the people and deals by a minute; the company page reads live."""

    name = models.CharField(max_length=200)
    # `name_key(name)`, kept by `save()` and every bulk writer: what a name without a domain links by.
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    # Other names the company is known by: the names of companies merged into it.
    aliases = models.JSONField(default=list, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    size_band = models.CharField("size", max_length=20, choices=CompanySize.choices, blank=True)
    country = models.CharField(max_length=60, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="companies"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Roll-ups (see the class docstring).
    people_count = models.PositiveIntegerField("people", default=0)
    engaged_people = models.PositiveIntegerField(default=0)
    engagement_score = models.FloatField(default=0)
    fit_score = models.IntegerField(default=0)
    account_score = models.FloatField(default=0)
    open_pipeline = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    won_revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    open_deals = models.PositiveIntegerField(default=0)
    # The rank of the most advanced stage among its people (leads.LifecycleStage order, 0 = none).
    top_stage_rank = models.PositiveSmallIntegerField(default=0)
    rollups_at = models.DateTimeField(null=True, blank=True)
    rollups_due = models.BooleanField(default=True)

    objects = CompanyQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "name_key", *ROLLUP_FIELDS],
        no_db_index=["owner"],
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        indexes = [
            models.Index(Lower("name"), "id", name="company_name_idx"),
            models.Index(fields=["-account_score", "-id"], name="company_account_score_idx"),
            models.Index(fields=["-open_pipeline", "-id"], name="company_open_pipeline_idx"),
            models.Index(fields=["-won_revenue", "-id"], name="company_won_revenue_idx"),
            models.Index(fields=["-people_count", "-id"], name="company_people_idx"),
            models.Index(fields=["owner", "-account_score"], name="company_owner_score_idx"),
            # The roll-ups' sweep: companies flagged, and batches a dead worker claimed but never computed.
            models.Index(
                fields=["id"],
                condition=models.Q(rollups_due=True) | models.Q(rollups_at__isnull=True),
                name="company_rollups_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="company_name_set"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        self.name_key = name_key(self.name)
        if update_fields is not None and "name" in update_fields:
            update_fields = {*update_fields, "name_key"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("companies:detail", args=[self.pk])

    @property
    def primary_domain(self) -> str:
        domains = sorted(d.domain for d in self.domains.all())
        return domains[0] if domains else ""


class CompanyDomain(models.Model):
    """A web domain of a company (`domain_key` form). A domain belongs to one company at most."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=MAX_DOMAIN_LENGTH, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class PersonalEmailDomain(models.Model):
    """An email domain that names no employer, free mail (gmail.com) or disposable (mailinator.com), or, as
    an exception to the shipped disposable list, a domain that does name a company."""

    class Kind(models.TextChoices):
        FREE = "free", "Free mail"
        DISPOSABLE = "disposable", "Disposable"
        COMPANY = "company", "A company's domain (not personal)"

    domain = models.CharField(max_length=MAX_DOMAIN_LENGTH, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FREE)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain


class CompanyMerge(models.Model):
    """The record of a merge: which company went into which, what it carried, who did it and when."""

    into = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="merges")
    merged_company_id = models.BigIntegerField()
    merged_name = models.CharField(max_length=200)
    merged_domains = models.JSONField(default=list)
    moved = models.JSONField(default=dict, help_text="Records moved, by kind: {'leads': 3, 'deals': 1}.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.merged_name} merged into {self.into_id}"


class AccountSettings(models.Model):
    """The single row (pk=1) of account settings marketers set: when a person and an account are engaged."""

    engaged_person_points = models.PositiveSmallIntegerField(
        default=10, help_text="A person whose decayed engagement reaches this many points counts as engaged."
    )
    engaged_account_score = models.PositiveIntegerField(
        default=50, help_text="An account whose account score reaches this counts as engaged."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "account settings"
        verbose_name_plural = "account settings"

    def __str__(self):
        return "account settings"

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]


class CompanyFitRule(models.Model):
    """Points for what a company is (industry, size, country, how many people Relay knows there), added to
    its people's engagement in the account score. Marketers edit these beside the lead rules."""

    class Field(models.TextChoices):
        INDUSTRY = "industry", "Industry"
        SIZE_BAND = "size_band", "Size"
        COUNTRY = "country", "Country"
        PEOPLE = "people_count", "People"

    class Operator(models.TextChoices):
        CONTAINS = "contains", "contains"
        EQUALS = "equals", "equals"
        IN = "in", "is one of"
        AT_LEAST = "at_least", "is at least"

    field = models.CharField(max_length=20, choices=Field.choices)
    operator = models.CharField(max_length=10, choices=Operator.choices)
    value = models.CharField(max_length=200)
    points = models.SmallIntegerField()

    class Meta:
        ordering = ["field", "id"]

    def __str__(self):
        return f"{self.get_field_display()} {self.operator} {self.value}: {self.points:+d}"
