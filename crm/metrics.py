"""The funnel's metric formulas, written once (../shared/DOMAIN.md, "Metrics: exact definitions").

Every page, report, CSV export and API response computes its ratios with these functions. They take the
numerators and denominators that SQL aggregates produced and return None when a denominator is zero or
missing: templates show None as "—" (the `metric` filters in crm.templatetags.relay), never a fake 0.
"""

from decimal import Decimal

Number = int | float | Decimal


def ratio(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """numerator / denominator as a Decimal, or None when the denominator is zero or unknown."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def ctr(*, clicks, impressions):
    """Click-through rate: clicks / impressions."""
    return ratio(clicks, impressions)


def cpc(*, spend, clicks):
    """Cost per click: spend / clicks."""
    return ratio(spend, clicks)


def cost_per_lead(*, spend, leads):
    """CPL: campaign spend / leads whose first-touch campaign is the campaign."""
    return ratio(spend, leads)


def cost_per_mql(*, spend, mqls):
    """Spend / those leads that reached `mql` or beyond."""
    return ratio(spend, mqls)


def cac(*, spend, customers):
    """Customer acquisition cost: spend / those leads that became `customer`."""
    return ratio(spend, customers)


def roi(*, revenue, spend):
    """(revenue − spend) / spend."""
    if revenue is None or not spend:
        return None
    return (Decimal(revenue) - Decimal(spend)) / Decimal(spend)


def stage_conversion(*, reached_next, reached):
    """Leads that reached stage N+1 or beyond / leads that reached stage N or beyond (same cohort)."""
    return ratio(reached_next, reached)


def mql_acceptance_rate(*, accepted, rejected):
    """MQLs accepted (→ sql) / MQLs accepted or rejected."""
    return ratio(accepted, (accepted or 0) + (rejected or 0))


def win_rate(*, won, lost):
    """Deals closed won / deals closed (won + lost) in the range."""
    return ratio(won, (won or 0) + (lost or 0))


def average_deal_size(*, won_amount, won):
    """Mean amount of closed-won deals."""
    return ratio(won_amount, won)


def sales_velocity(*, open_deals, win_rate, average_deal_size, cycle_days):
    """(open deals × win rate × average deal size) / sales cycle length, per day."""
    if win_rate is None or average_deal_size is None or not cycle_days:
        return None
    return Decimal(open_deals) * Decimal(win_rate) * Decimal(average_deal_size) / Decimal(cycle_days)


def sla_compliance(*, within_sla, handed_over):
    """MQLs accepted or rejected within the SLA hours / MQLs handed over."""
    return ratio(within_sla, handed_over)
