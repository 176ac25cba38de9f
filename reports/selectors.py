"""Read-side queries that several pages and the API share.

`campaigns_with_figures` is the one place campaign figures are computed: the campaign list, the campaign
page and the API all call it. Reports sits downstream of every app, so it may read leads and deals.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    FloatField,
    OuterRef,
    PositiveBigIntegerField,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from campaigns.models import CampaignDailyStat
from crm import metrics

ATTRIBUTION_FIELDS = {"first": "first_touch_campaign", "last": "latest_touch_campaign"}
MONEY = DecimalField(max_digits=16, decimal_places=2)

# Figures a list may be sorted by: the summed columns and the ratios (as float SQL expressions, NULL when
# the denominator is zero, so "—" rows sort last and pagination stays in SQL).
SORTABLE_FIGURES = (
    "budget",
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "leads",
    "mqls",
    "customers",
    "revenue",
    "cpl",
    "cost_per_mql",
    "cac",
    "roi",
)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the site's time zone (lead creation times are compared in it)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _summed(queryset, group_by: str, expression, output_field):
    """A correlated subquery: SUM/COUNT of `expression` over `queryset` for the outer campaign, 0 if none.

    One subquery per figure rather than JOINs: joining stats and leads to campaigns at once would multiply
    the rows (each stat × each lead) and inflate every sum.
    """
    total = queryset.order_by().values(group_by).annotate(total=expression).values("total")
    return Coalesce(Subquery(total, output_field=output_field), Value(0), output_field=output_field)


def _per(numerator: str, denominator: str):
    return Cast(F(numerator), FloatField()) / NullIf(Cast(F(denominator), FloatField()), Value(0.0))


def campaigns_with_figures(queryset, *, attribution="first", date_from=None, date_to=None):
    """Annotate campaigns with spend, impressions, clicks, leads, mqls, sqls, opportunities, customers,
    revenue and the MQLs accepted and rejected by sales. `order_by_figure` sorts by them or by their ratios.

    Stats count when their date is within [date_from, date_to]; leads (and their won deals' revenue) count
    when the lead was created within the range and names the campaign as its first touch (or latest touch
    with attribution="last"). Pages show the ratios from `figure_ratios`, which uses crm.metrics.
    """
    from deals.models import Deal, Stage
    from leads.models import Handoff, Lead

    if attribution not in ATTRIBUTION_FIELDS:
        raise ValueError(f"Unknown attribution: {attribution!r} (expected 'first' or 'last').")
    touch = ATTRIBUTION_FIELDS[attribution]

    stats = CampaignDailyStat.objects.filter(campaign=OuterRef("pk"))
    leads = Lead.objects.filter(**{touch: OuterRef("pk")})
    deals = Deal.objects.filter(**{f"lead__{touch}": OuterRef("pk")}, stage__kind=Stage.Kind.WON)
    handoffs = Handoff.objects.filter(**{f"lead__{touch}": OuterRef("pk")})
    if date_from:
        stats = stats.filter(date__gte=date_from)
        leads = leads.filter(created_at__gte=_start_of_day(date_from))
        deals = deals.filter(lead__created_at__gte=_start_of_day(date_from))
        handoffs = handoffs.filter(lead__created_at__gte=_start_of_day(date_from))
    if date_to:
        next_day = _start_of_day(date_to + datetime.timedelta(days=1))
        stats = stats.filter(date__lte=date_to)
        leads = leads.filter(created_at__lt=next_day)
        deals = deals.filter(lead__created_at__lt=next_day)
        handoffs = handoffs.filter(lead__created_at__lt=next_day)

    count = PositiveBigIntegerField()
    return queryset.annotate(
        spend=_summed(stats, "campaign", Sum("spend"), MONEY),
        impressions=_summed(stats, "campaign", Sum("impressions"), count),
        clicks=_summed(stats, "campaign", Sum("clicks"), count),
        leads=_summed(leads, touch, Count("pk"), count),
        mqls=_summed(leads.filter(mql_at__isnull=False), touch, Count("pk"), count),
        sqls=_summed(leads.filter(sql_at__isnull=False), touch, Count("pk"), count),
        opportunities=_summed(leads.filter(opportunity_at__isnull=False), touch, Count("pk"), count),
        customers=_summed(leads.filter(customer_at__isnull=False), touch, Count("pk"), count),
        revenue=_summed(deals, f"lead__{touch}", Sum("amount"), MONEY),
        mqls_accepted=_summed(handoffs.filter(outcome=Handoff.Outcome.ACCEPTED), f"lead__{touch}", Count("pk"), count),
        mqls_rejected=_summed(handoffs.filter(outcome=Handoff.Outcome.REJECTED), f"lead__{touch}", Count("pk"), count),
    )


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
