from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaigns.models import Channel


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class Metric(models.TextChoices):
    # Marketing's commitments.
    MQLS = "mqls", "MQLs delivered"
    SOURCED_PIPELINE = "sourced_pipeline", "Marketing-sourced pipeline"
    # Sales' commitment.
    REVENUE = "revenue", "Revenue (quota)"


def period_start(day: date, kind: str) -> date:
    """The first day of the month or quarter `day` falls in."""
    if kind == PeriodKind.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def period_end(start: date, kind: str) -> date:
    """The first day after the period that starts on `start`."""
    months = 3 if kind == PeriodKind.QUARTER else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


class Target(models.Model):
    """One number someone committed to for one month or quarter: marketing's MQLs (in total, or from one
    channel) and sourced pipeline, or a revenue quota (the team's, or one rep's)."""

    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_start = models.DateField(help_text="The first day of the month or quarter.")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    channel = models.CharField(
        max_length=20, choices=Channel.choices, blank=True, help_text="MQLs from this channel only; blank: all."
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text="A rep's own quota; blank: the team's.",
    )
    value = models.DecimalField(max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["set_at"])

    class Meta:
        ordering = ["-period_start", "metric", "channel", "id"]
        constraints = [
            models.UniqueConstraint(
                "period_kind",
                "period_start",
                "metric",
                "channel",
                Coalesce("rep", Value(0)),
                name="one_target_per_period_metric_channel_rep",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_not_negative"),
            models.CheckConstraint(
                condition=models.Q(channel="") | models.Q(metric="mqls"), name="target_channel_only_for_mqls"
            ),
            models.CheckConstraint(
                condition=models.Q(rep__isnull=True) | models.Q(metric="revenue"), name="target_rep_only_for_revenue"
            ),
        ]

    def __str__(self):
        return f"{self.get_metric_display()} {self.period_start:%Y-%m}: {self.value}"

    @property
    def period_end(self) -> date:
        return period_end(self.period_start, self.period_kind)
