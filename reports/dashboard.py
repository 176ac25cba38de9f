"""The key figures each role sees on its dashboard (/), over the last 30 days, in a few fixed queries.

Definitions are the reports' (so a figure and the report it links to agree), each labelled by the count it
is (reports.counts): leads created = the cohort's size, as the funnel counts it; MQLs reached = leads that
became MQLs in the period (activity), as the campaign report's activity view counts them; acceptance rate
= hand-overs answered in the period; win rate = deals closed in the period; pipeline value = open deals
now; SLA compliance = hand-overs made in the period answered within the SLA.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from campaigns.models import CampaignDailyStat
from crm import metrics
from crm.roles import MANAGER, MARKETER, SALES_REP, primary_role
from deals.models import Deal
from handoff.models import Handoff
from reports import counts
from reports.filters import ReportFilters, default_filters
from reports.sales import LOST, OPEN, WON, answer_figures


def _deal_figures(deals, filters: ReportFilters) -> dict:
    closed = filters.in_range("closed_at")
    figures = deals.aggregate(
        won=Count("pk", filter=WON & closed),
        lost=Count("pk", filter=LOST & closed),
        open_deals=Count("pk", filter=OPEN),
        pipeline_value=Sum("amount", filter=OPEN),
    )
    return {
        "open_deals": figures["open_deals"],
        "pipeline_value": figures["pipeline_value"] or Decimal(0),
        "win_rate": metrics.win_rate(won=figures["won"], lost=figures["lost"]),
    }


def manager_figures(filters: ReportFilters) -> dict:
    leads = {"leads_created": counts.leads_created(filters), "mqls_reached": counts.mqls_reached(filters)}
    handoffs = answer_figures(filters)
    return {
        **leads,
        "acceptance_rate": handoffs["acceptance_rate"],
        "sla_compliance": handoffs["sla_compliance"],
        **_deal_figures(Deal.objects.all(), filters),
    }


def rep_figures(filters: ReportFilters, user) -> dict:
    return {
        **_deal_figures(Deal.objects.filter(owner=user), filters),
        "pending_mqls": Handoff.objects.filter(rep=user, outcome=Handoff.Outcome.PENDING).count(),
    }


def marketer_figures(filters: ReportFilters, user) -> dict:
    """The marketer's own campaigns (first touch): leads created, MQLs reached, spend and cost per lead, as the
    campaign report shows them for the marketer as campaign owner."""
    own = Q(first_touch_campaign__owner=user)
    leads_created = counts.leads_created(filters, own)
    spend = CampaignDailyStat.objects.filter(
        campaign__owner=user, date__gte=filters.date_from, date__lte=filters.date_to
    ).aggregate(spend=Sum("spend"))["spend"] or Decimal(0)
    return {
        "leads_created": leads_created,
        "mqls_reached": counts.mqls_reached(filters, own),
        "spend": spend,
        "cost_per_lead": metrics.cost_per_lead(spend=spend, leads=leads_created),
    }


def dashboard_figures(user) -> dict | None:
    """The signed-in user's figures for their primary role (None without a role)."""
    filters = default_filters()
    role = primary_role(user)
    if role == MANAGER:
        figures = manager_figures(filters)
    elif role == MARKETER:
        figures = marketer_figures(filters, user)
    elif role == SALES_REP:
        figures = rep_figures(filters, user)
    else:
        return None
    return {"filters": filters, **figures}
