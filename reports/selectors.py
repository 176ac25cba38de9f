"""Read-side queries that several pages and the API share.

`campaigns_with_figures` is the one place campaign figures are computed: the campaign list, the campaign
page and the API all call it. Reports sits downstream of every app, so it may read leads and deals.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    PositiveBigIntegerField,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from campaigns.models import CampaignDailyStat
from crm import metrics
from reports import rollups
from reports.models import CampaignDay
from reports.rollups import ATTRIBUTION_FIELDS

# A campaign's spend over every day it can have is under 1.1 × 10^14 (campaigns.models.MAX_DAILY_SPEND).
MONEY = DecimalField(max_digits=18, decimal_places=2)


@dataclass(frozen=True)
class CampaignFigure:
    """One of a campaign's figures: an annotation of `campaigns_with_figures` or (ratio) a key of its
    `figure_ratios`, and how it reads: a count, money, money per unit (two decimals) or a rate (in %). The
    campaign report's table heads a column `short` where it is narrower, names it `title` in the column
    picker and starts with the `hidden` ones hidden."""

    name: str
    label: str
    kind: str
    ratio: bool = False
    short: str = ""
    title: str = ""
    hidden: bool = False

    def of(self, campaign):
        return campaign.ratios[self.name] if self.ratio else getattr(campaign, self.name)

    @property
    def header(self) -> str:
        return self.short or self.label

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")


# Every campaign figure, in the order every table, export and API shows them.
CAMPAIGN_FIGURES = (
    CampaignFigure("spend", "Spend", "money"),
    CampaignFigure("impressions", "Impressions", "count", short="Impr.", title="Impressions", hidden=True),
    CampaignFigure("clicks", "Clicks", "count", hidden=True),
    CampaignFigure("ctr", "CTR", "rate", ratio=True, title="Click-through rate", hidden=True),
    CampaignFigure("cpc", "CPC", "unit", ratio=True),
    CampaignFigure("leads", "Leads", "count"),
    CampaignFigure("mqls", "MQLs", "count"),
    CampaignFigure("sqls", "SQLs", "count", hidden=True),
    CampaignFigure("opportunities", "Opportunities", "count", short="Opps", title="Opportunities", hidden=True),
    CampaignFigure("customers", "Customers", "count"),
    CampaignFigure("revenue", "Revenue", "money"),
    CampaignFigure("cpl", "CPL", "unit", ratio=True, title="Cost per lead"),
    CampaignFigure("cost_per_mql", "Cost per MQL", "unit", ratio=True, short="Cost/MQL", title="Cost per MQL"),
    CampaignFigure("cac", "CAC", "unit", ratio=True, title="Customer acquisition cost"),
    CampaignFigure("roi", "ROI", "rate", ratio=True),
    CampaignFigure(
        "acceptance_rate", "MQL acceptance", "rate", ratio=True, short="Accepted", title="MQL acceptance rate"
    ),
)
# The campaign list, the campaign page and the API; the campaign report shows the later stages and the
# acceptance rate instead of the cost per click.
PAGE_FIGURES = tuple(
    figure for figure in CAMPAIGN_FIGURES if figure.name not in {"sqls", "opportunities", "acceptance_rate"}
)
REPORT_FIGURES = tuple(figure for figure in CAMPAIGN_FIGURES if figure.name != "cpc")

# Figures a list may be sorted by: the summed columns and the ratios (as float SQL expressions, NULL when
# the denominator is zero, so "—" rows sort last and pagination stays in SQL).
SORTABLE_FIGURES = ("budget", *(figure.name for figure in PAGE_FIGURES))
# The campaign list's headers where they differ from the figure's label.
LIST_HEADERS = {"spend": "Spend / budget", "cost_per_mql": "Cost / MQL"}


def sort_columns(sort: str) -> list[dict]:
    """The campaign list's header links: a figure sorts descending first (the biggest at the top), clicking
    again flips it."""
    columns = []
    for figure in PAGE_FIGURES:
        name = figure.name
        direction = {f"-{name}": "descending", name: "ascending"}.get(sort)
        label = LIST_HEADERS.get(name, figure.label)
        columns.append(
            {"label": label, "sort": name if direction == "descending" else f"-{name}", "direction": direction}
        )
    return columns


def _summed(queryset, group_by: str, expression, output_field):
    """A correlated subquery: SUM/COUNT of `expression` over `queryset` for the outer campaign, 0 if none.

    One subquery per figure rather than JOINs: joining stats and leads to campaigns at once would multiply
    the rows (each stat × each lead) and inflate every sum.
    """
    total = queryset.order_by().values(group_by).annotate(total=expression).values("total")
    return Coalesce(Subquery(total, output_field=output_field), Value(0), output_field=output_field)


def _per(numerator: str, denominator: str):
    return Cast(F(numerator), FloatField()) / NullIf(Cast(F(denominator), FloatField()), Value(0.0))


def _field(name: str):
    return MONEY if name == "revenue" else PositiveBigIntegerField()


def _rolled_up(attribution: str, date_from, date_to, stale) -> dict:
    """Each cohort figure summed over the campaign's rollup rows of the clean days in the period."""
    days = CampaignDay.objects.filter(campaign=OuterRef("pk"), attribution=attribution).exclude(day__in=stale)
    if date_from:
        days = days.filter(day__gte=date_from)
    if date_to:
        days = days.filter(day__lte=date_to)
    return {name: _summed(days, "campaign", Sum(name), _field(name)) for name in rollups.COHORT_FIGURES}


def counted_live(attribution: str, stale) -> list[CampaignDay]:
    """The rollup rows of the stale days, counted now by the same grouped queries that build the rollup."""
    return rollups.campaign_day_rows(stale, attributions=[attribution]) if stale else []


def _live_figures(live_rows) -> dict:
    """Each cohort figure of the live rows, as a CASE over campaign ids (so the figures still sort in SQL);
    {} if none."""
    totals: dict[int, dict] = {}
    for row in live_rows:
        if row.campaign_id is None:
            continue
        figures = totals.setdefault(row.campaign_id, dict.fromkeys(rollups.COHORT_FIGURES, 0))
        for name in rollups.COHORT_FIGURES:
            figures[name] += getattr(row, name)
    if not totals:
        return {}
    return {
        name: Case(
            *[When(pk=pk, then=Value(figures[name])) for pk, figures in totals.items()],
            default=Value(0),
            output_field=_field(name),
        )
        for name in rollups.COHORT_FIGURES
    }


def campaign_stats(queryset, *, date_from=None, date_to=None):
    """Annotate campaigns with their spend, impressions and clicks of the days within [date_from, date_to]."""
    stats = CampaignDailyStat.objects.filter(campaign=OuterRef("pk"))
    if date_from:
        stats = stats.filter(date__gte=date_from)
    if date_to:
        stats = stats.filter(date__lte=date_to)
    count = PositiveBigIntegerField()
    return queryset.annotate(
        spend=_summed(stats, "campaign", Sum("spend"), MONEY),
        impressions=_summed(stats, "campaign", Sum("impressions"), count),
        clicks=_summed(stats, "campaign", Sum("clicks"), count),
    )


def campaigns_with_figures(queryset, *, attribution="first", date_from=None, date_to=None, stale=None, live_rows=None):
    """Annotate campaigns with spend, impressions, clicks, leads, mqls, sqls, opportunities, customers,
    revenue and the MQLs accepted and rejected by sales. `order_by_figure` sorts by them or by their ratios.

    Stats count when their date is within [date_from, date_to]; leads (and their won deals' revenue and
    hand-overs) count when the lead was created within the range and names the campaign as its first touch
    (or latest touch with attribution="last"): the cohort. Lead figures come from the daily rollup for the
    days it is current for and are counted live for the others (reports.rollups), so they are always exact;
    a caller that already has the stale days of the range and their `counted_live` rows passes them. Pages
    show the ratios from `figure_ratios`, which uses crm.metrics.
    """
    if attribution not in ATTRIBUTION_FIELDS:
        raise ValueError(f"Unknown attribution: {attribution!r} (expected 'first' or 'last').")
    if stale is None:
        stale = rollups.within(rollups.stale_days(), date_from, date_to)
    if live_rows is None:
        live_rows = counted_live(attribution, stale)
    figures = _rolled_up(attribution, date_from, date_to, stale)
    live = _live_figures(live_rows)
    if live:
        figures = {
            name: ExpressionWrapper(figure + live[name], output_field=_field(name)) for name, figure in figures.items()
        }
    return campaign_stats(queryset, date_from=date_from, date_to=date_to).annotate(**figures)


def unattributed_cohort(*, attribution: str, date_from, date_to, channel: str = "", stale, live_rows) -> dict:
    """The cohort figures of the leads created in the range that no campaign gets the credit for (of one
    source channel with `channel`): the rollup's rows without a campaign, plus the live rows of stale days."""
    days = CampaignDay.objects.filter(
        campaign__isnull=True, attribution=attribution, day__gte=date_from, day__lte=date_to
    ).exclude(day__in=stale)
    if channel:
        days = days.filter(source_channel=channel)
    totals = days.aggregate(**{name: Sum(name, default=0) for name in rollups.COHORT_FIGURES})
    for row in live_rows:
        if row.campaign_id is None and (not channel or row.source_channel == channel):
            for name in rollups.COHORT_FIGURES:
                totals[name] += getattr(row, name)
    return totals


# Ratios to ORDER BY, as SQL expressions over the annotated figures. Added only when a page sorts by one:
# each reference repeats its figures' subqueries in the SQL, which would multiply the query's cost.
SORT_RATIOS = {
    "ctr": lambda: _per("clicks", "impressions"),
    "cpc": lambda: _per("spend", "clicks"),
    "cpl": lambda: _per("spend", "leads"),
    "cost_per_mql": lambda: _per("spend", "mqls"),
    "cac": lambda: _per("spend", "customers"),
    "roi": lambda: (
        (Cast(F("revenue"), FloatField()) - Cast(F("spend"), FloatField()))
        / NullIf(Cast(F("spend"), FloatField()), Value(0.0))
    ),
}


def order_by_figure(queryset, sort: str | None):
    """Order annotated campaigns by a whitelisted figure: "ctr" ascending, "-ctr" descending, empty ratios
    last. Anything else keeps the model's default order."""
    name = (sort or "").lstrip("-")
    if name not in SORTABLE_FIGURES:
        return queryset
    column = name
    if name in SORT_RATIOS:
        column = f"sort_{name}"
        queryset = queryset.annotate(**{column: SORT_RATIOS[name]()})
    expression = F(column).desc(nulls_last=True) if sort.startswith("-") else F(column).asc(nulls_last=True)
    return queryset.order_by(expression, "name", "pk")


def figure_ratios(campaign) -> dict[str, Decimal | None]:
    """The DOMAIN.md ratios of one annotated campaign, from crm.metrics (None where a denominator is 0)."""
    spend = campaign.spend
    return {
        "ctr": metrics.ctr(clicks=campaign.clicks, impressions=campaign.impressions),
        "cpc": metrics.cpc(spend=spend, clicks=campaign.clicks),
        "cpl": metrics.cost_per_lead(spend=spend, leads=campaign.leads),
        "cost_per_mql": metrics.cost_per_mql(spend=spend, mqls=campaign.mqls),
        "cac": metrics.cac(spend=spend, customers=campaign.customers),
        "roi": metrics.roi(revenue=campaign.revenue, spend=spend),
        "budget_used": metrics.ratio(spend, campaign.budget),
        "acceptance_rate": metrics.mql_acceptance_rate(
            accepted=getattr(campaign, "mqls_accepted", None), rejected=getattr(campaign, "mqls_rejected", None)
        ),
    }


def with_ratios(campaigns):
    """Attach `figure_ratios` to each campaign of a page (already fetched: no query) and return them."""
    campaigns = list(campaigns)
    for campaign in campaigns:
        campaign.ratios = figure_ratios(campaign)
    return campaigns
