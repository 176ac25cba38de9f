"""The campaign report: every campaign's and every channel's figures, first- or last-touch, counted two ways.

- cohort (the default, what the campaign pages show): the leads created in the period and what became of
  them, their won deals' revenue whenever it closed. Campaign rows come from
  `reports.selectors.campaigns_with_figures`, the selector the campaign pages and the campaign API use.
- activity: what happened in the period: leads created, stages reached (`reports.counts.REACHED_IN_PERIOD`),
  revenue of the deals won in it (the sales report's revenue), MQLs answered. Counted live in three grouped
  queries (leads, won deals, answered hand-overs).

Either way the "Unattributed" row holds what no campaign gets the credit for under the attribution: leads
without that touch and, in the activity view, deals entered without a lead. Campaigns plus Unattributed
add up to the funnel's cohort (cohort view) and the sales report's revenue (activity view). Spend,
impressions and clicks are the campaign's days in the period in both views. Channel rows add up the
campaign rows (a few dozen aggregated rows, not leads) and take their ratios from crm.metrics.
"""

import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.db.models import Count, Sum

from campaigns.models import Campaign, Channel
from deals.models import Deal
from handoff.models import Handoff
from leads.models import Lead
from reports import counts, rollups
from reports.feedback import ANSWERED
from reports.filters import ReportFilters
from reports.selectors import (
    campaign_stats,
    campaigns_with_figures,
    counted_live,
    figure_ratios,
    unattributed_cohort,
)

ATTRIBUTIONS = (("first", "First touch"), ("last", "Last touch"))
VIEWS = (("cohort", "Cohort"), ("activity", "Activity"))  # what each counts: reports.counts.KINDS
DEFAULT_VIEW = "cohort"
UNATTRIBUTED = "Unattributed"
SUMMED = (
    "spend",
    "impressions",
    "clicks",
    "leads",
    "mqls",
    "sqls",
    "opportunities",
    "customers",
    "revenue",
    "mqls_accepted",
    "mqls_rejected",
)
LEAD_FIGURES = rollups.COHORT_FIGURES  # leads … customers, revenue, MQLs accepted and rejected


@dataclass
class ChannelRow:
    channel: str
    label: str
    campaigns: int = 0
    budget: Decimal | None = Decimal(0)
    totals: dict = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))

    def __getattr__(self, name):
        if name in SUMMED:
            return self.totals[name]
        raise AttributeError(name)


@dataclass
class CampaignReport:
    campaigns: list[Campaign]
    channels: list[ChannelRow]
    unattributed: ChannelRow | None  # None when the filters name a campaign or a campaign owner


def campaign_report(filters: ReportFilters, attribution: str = "first", view: str = DEFAULT_VIEW) -> CampaignReport:
    """The campaign and channel rows and the Unattributed row of one view and attribution."""
    campaigns = Campaign.objects.select_related("owner")
    if filters.channel:
        campaigns = campaigns.filter(channel=filters.channel)
    if filters.campaign_id:
        campaigns = campaigns.filter(pk=filters.campaign_id)
    if filters.owner_id:
        campaigns = campaigns.filter(owner_id=filters.owner_id)
    # A lead without a campaign belongs to no campaign and no campaign owner; it has a source channel.
    with_unattributed = not (filters.campaign_id or filters.owner_id)
    if view == "activity":
        rows, unattributed = _activity(campaigns, filters, attribution)
    else:
        rows, unattributed = _cohort(campaigns, filters, attribution, with_unattributed)
    for row in rows:
        row.ratios = figure_ratios(row)
    if not with_unattributed:
        unattributed = None
    elif unattributed is not None:
        unattributed.ratios = figure_ratios(unattributed)
    return CampaignReport(campaigns=rows, channels=channel_rows(rows), unattributed=unattributed)


def _unattributed_row(figures: dict) -> ChannelRow:
    """Leads and revenue without a campaign: no spend, impressions or clicks ("—"), no budget."""
    row = ChannelRow("", UNATTRIBUTED, budget=None)
    row.totals = {"spend": None, "impressions": None, "clicks": None, **figures}
    return row


def _cohort(campaigns, filters: ReportFilters, attribution: str, with_unattributed: bool):
    stale = rollups.within(rollups.stale_days(), filters.date_from, filters.date_to)
    live_rows = counted_live(attribution, stale)
    rows = campaigns_with_figures(
        campaigns,
        attribution=attribution,
        date_from=filters.date_from,
        date_to=filters.date_to,
        stale=stale,
        live_rows=live_rows,
    ).order_by("name", "pk")
    if not with_unattributed:
        return list(rows), None
    figures = unattributed_cohort(
        attribution=attribution,
        date_from=filters.date_from,
        date_to=filters.date_to,
        channel=filters.channel,
        stale=stale,
        live_rows=live_rows,
    )
    return list(rows), _unattributed_row(figures)


def _activity(campaigns, filters: ReportFilters, attribution: str):
    """Campaign rows (spend, impressions, clicks annotated) with the period's activity attached, and the
    activity of no campaign."""
    by_campaign: dict = {}
    unattributed = dict.fromkeys(LEAD_FIGURES, 0)
    for values in activity_rows(filters, attribution):
        campaign, channel = values.pop("campaign"), values.pop("unattributed_channel")
        if campaign is None:
            # A deal without a lead has no channel: it counts only when no channel is chosen.
            if filters.channel and channel != filters.channel:
                continue
            figures = unattributed
        else:
            figures = by_campaign.setdefault(campaign, dict.fromkeys(LEAD_FIGURES, 0))
        for name, value in values.items():
            figures[name] += value or 0
    rows = list(campaign_stats(campaigns, date_from=filters.date_from, date_to=filters.date_to).order_by("name", "pk"))
    for row in rows:
        for name, value in by_campaign.get(row.pk, dict.fromkeys(LEAD_FIGURES, 0)).items():
            setattr(row, name, value)
    return rows, _unattributed_row(unattributed)


def activity_rows(filters: ReportFilters, attribution: str):
    """The period's activity per credited campaign (and per source channel of the leads without one), in
    three grouped queries: leads created or reaching a stage in the period; deals won in it (any lead, or
    none); hand-overs answered in it. Yields dicts of `campaign`, `unattributed_channel` and figures."""
    in_period = {name: filters.in_range(column) for name, column in counts.REACHED_IN_PERIOD.items()}
    leads = (
        Lead.objects.filter(reduce(operator.or_, in_period.values()))
        .values(**rollups.credited(attribution))
        .annotate(**{name: Count("pk", filter=condition) for name, condition in in_period.items()})
        .order_by()
    )
    won = (
        Deal.objects.filter(counts.won_in_period(filters))
        .values(**rollups.credited(attribution, "lead__"))
        .annotate(revenue=Sum("amount"))
        .order_by()
    )
    answered = (
        Handoff.objects.filter(filters.in_range("responded_at"), outcome__in=ANSWERED)
        .values(**rollups.credited(attribution, "lead__"))
        .annotate(**{name: Count("pk", filter=condition) for name, condition in rollups.HANDOFF_COUNTS.items()})
        .order_by()
    )
    yield from leads
    yield from won
    yield from answered


def channel_rows(campaigns: list[Campaign]) -> list[ChannelRow]:
    """The campaign rows added up per channel, in the channels' order, with their ratios."""
    by_channel: dict[str, ChannelRow] = {}
    for campaign in campaigns:
        row = by_channel.setdefault(campaign.channel, ChannelRow(campaign.channel, Channel(campaign.channel).label))
        row.campaigns += 1
        row.budget += campaign.budget
        for name in SUMMED:
            row.totals[name] += getattr(campaign, name) or 0
    rows = [by_channel[channel] for channel in Channel.values if channel in by_channel]
    for row in rows:
        row.ratios = figure_ratios(row)
    return rows
