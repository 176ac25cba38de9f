"""The campaign report: every campaign's and every channel's figures, first- or last-touch.

Campaign rows come from `reports.selectors.campaigns_with_figures`, the selector the campaign pages and
the campaign API use, so a figure is the same wherever it is shown. Channel rows add up those campaign
rows (a few dozen aggregated rows, not leads) and take their ratios from crm.metrics.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from campaigns.models import Campaign, Channel
from reports.selectors import campaigns_with_figures, figure_ratios

ATTRIBUTIONS = (("first", "First touch"), ("last", "Last touch"))
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


@dataclass
class ChannelRow:
    channel: str
    label: str
    campaigns: int = 0
    budget: Decimal = Decimal(0)
    totals: dict = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))

    def __getattr__(self, name):
        if name in SUMMED:
            return self.totals[name]
        raise AttributeError(name)


def campaign_rows(filters, attribution: str = "first") -> list[Campaign]:
    """Campaigns matching the filters (channel, campaign, owner = campaign owner) with figures and ratios."""
    campaigns = Campaign.objects.select_related("owner")
    if filters.channel:
        campaigns = campaigns.filter(channel=filters.channel)
    if filters.campaign_id:
        campaigns = campaigns.filter(pk=filters.campaign_id)
    if filters.owner_id:
        campaigns = campaigns.filter(owner_id=filters.owner_id)
    rows = list(
        campaigns_with_figures(
            campaigns, attribution=attribution, date_from=filters.date_from, date_to=filters.date_to
        ).order_by("name", "pk")
    )
    for row in rows:
        row.ratios = figure_ratios(row)
    return rows


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
