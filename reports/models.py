"""Daily rollups of the lead cohort, so that campaign figures do not count a million leads per page.

`CampaignDay` holds, per campaign, attribution and day (the leads' creation day in the site's time zone),
what the campaign pages and reports would otherwise count over leads, deals and hand-overs (rows without
a campaign hold the leads no campaign gets the credit for: the campaign report's "Unattributed");
`FunnelDay` what the funnel report and the dashboards count over the leads created each day. `StaleDay`
lists the UTC days whose leads changed since the rollups were last refreshed; database triggers write it
(see migration 0002), so no write path, bulk update or raw SQL can forget to. Readers use the rollup only
for days that are not stale and count the rest live, so a figure is always exact; `reports.rollups`
refreshes the stale days (a beat task every minute).
"""

from django.conf import settings
from django.db import models

ATTRIBUTIONS = (("first", "First touch"), ("last", "Last touch"))


class CampaignDay(models.Model):
    # None: the leads without a campaign for this attribution, one row per source channel of theirs.
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, null=True, related_name="+")
    attribution = models.CharField(max_length=5, choices=ATTRIBUTIONS)
    day = models.DateField()
    source_channel = models.CharField(max_length=20, blank=True, default="")
    leads = models.PositiveIntegerField(default=0)
    mqls = models.PositiveIntegerField(default=0)
    sqls = models.PositiveIntegerField(default=0)
    opportunities = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mqls_accepted = models.PositiveIntegerField(default=0)
    mqls_rejected = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "attribution", "day"], name="one_rollup_per_campaign_day"),
        ]
        indexes = [models.Index(fields=["day"], name="campaign_day_day_idx")]

    def __str__(self):
        return f"{self.campaign_id} {self.attribution} {self.day}"


class FunnelDay(models.Model):
    """How many leads created on `day` share one combination of what the funnel report filters and splits
    by (source channel, first-touch campaign, owner), where they are now and which stages they reached."""

    day = models.DateField()
    source_channel = models.CharField(max_length=20, blank=True)
    first_touch_campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(max_length=20)
    reached_lead = models.BooleanField()
    reached_mql = models.BooleanField()
    reached_sql = models.BooleanField()
    reached_opportunity = models.BooleanField()
    reached_customer = models.BooleanField()
    leads = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="funnel_day_day_idx")]

    def __str__(self):
        return f"{self.day} {self.stage} × {self.leads}"


class StaleDay(models.Model):
    """A UTC day some of whose leads (or their deals or hand-overs) changed after the last refresh.

    Not unique on purpose: a trigger that had to insert-or-ignore would make concurrent writers of the same
    day wait for each other's commit. Duplicates cost nothing; the refresh deletes them all.
    """

    day = models.DateField(db_index=True)

    def __str__(self):
        return str(self.day)


class AgreementDigest(models.Model):
    """The weekly email of the agreement's figures (reports.digest): one row per week, claimed before the
    email goes out and marked sent after, so a beat that runs twice, or two workers at once, send it once."""

    week_start = models.DateField(unique=True, help_text="The Monday of the week, in the site's time zone.")
    period_start = models.DateField(null=True, blank=True, help_text="The month whose figures it reports.")
    recipients = models.JSONField(default=list)
    figures = models.JSONField(default=dict)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]

    def __str__(self):
        return f"Agreement digest of the week of {self.week_start}"


class ForecastSnapshot(models.Model):
    """What one owner's open deals expected to close in one month added up to, as the week began (Monday in
    the site's time zone): the forecast's past, against which the page measures what closed won."""

    taken_on = models.DateField(help_text="The Monday of the week the snapshot belongs to.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    close_month = models.DateField(help_text="The first day of the deals' expected close month.")
    commit = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    best_case = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    pipeline = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    omitted = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    weighted = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    open_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    open_deals = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["close_month", "taken_on", "owner"]
        constraints = [
            models.UniqueConstraint(
                fields=["taken_on", "owner", "close_month"], name="one_forecast_snapshot_per_week_owner_month"
            ),
        ]
        indexes = [models.Index(fields=["close_month", "taken_on"], name="forecast_snapshot_month_idx")]

    def __str__(self):
        return f"{self.taken_on} {self.owner_id} {self.close_month:%Y-%m}"
