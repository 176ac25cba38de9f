"""What each figure of a period counts (DOMAIN.md, "Two ways to count a date range"), in words written once.

- cohort: the leads created in the period, followed through the funnel wherever they are now;
- activity: what happened in the period: MQLs reached, hand-overs answered, deals won or lost, revenue
  closed in it;
- now: as things stand, whatever the period (open deals, pipeline value, MQLs waiting).

Every figure on the dashboards and reports carries one of them (`{% count_kind %}` and `{% figure_label %}`
in reports.templatetags.report_counts), and a label names one count wherever it is shown: `FIGURES` gives
each shared figure its label and kind, and the counts below are the one place those figures are computed.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from leads.models import Lead
from reports.filters import ReportFilters, lead_channel, lead_filter
from reports.funnel import cohort_size
from reports.sales import WON

COHORT, ACTIVITY, NOW = "cohort", "activity", "now"


@dataclass(frozen=True)
class Kind:
    badge: str
    definition: str


KINDS = {
    COHORT: Kind(
        "cohort", "Cohort: the leads created in the period, followed through the funnel wherever they are now."
    ),
    ACTIVITY: Kind(
        "activity",
        "Activity: what happened in the period: MQLs reached, MQLs answered, deals won or lost, revenue closed.",
    ),
    NOW: Kind("now", "Now: as things stand today, whatever the period: open deals, pipeline value, MQLs waiting."),
}


@dataclass(frozen=True)
class Figure:
    label: str
    kind: str


# The figures more than one page shows: one label, one count, one kind wherever they appear.
FIGURES = {
    "leads_created": Figure("Leads created", COHORT),
    "reached": Figure("Reached (of leads created)", COHORT),
    "cost_per_lead": Figure("Cost per lead", COHORT),
    "mqls_reached": Figure("MQLs reached", ACTIVITY),
    "acceptance_rate": Figure("MQL acceptance rate", ACTIVITY),
    "win_rate": Figure("Win rate", ACTIVITY),
    "revenue_closed": Figure("Revenue closed", ACTIVITY),
    "average_deal_size": Figure("Average deal size", ACTIVITY),
    "sales_cycle_days": Figure("Sales cycle (median days)", ACTIVITY),
    "sales_velocity": Figure("Sales velocity (per day)", ACTIVITY),
    "sla_compliance": Figure("SLA compliance", ACTIVITY),
    "speed_to_lead_hours": Figure("Speed to lead (median hours)", ACTIVITY),
    "spend": Figure("Spend", ACTIVITY),
    "open_deals": Figure("Open deals", NOW),
    "pipeline_value": Figure("Open pipeline", NOW),
    "rotting_deals": Figure("Rotting deals", NOW),
    "pending_mqls": Figure("MQLs waiting for you", NOW),
}

# Activity: the lead column whose time puts a lead in each figure of the period (leads created in the
# period are both the cohort and the period's new leads).
REACHED_IN_PERIOD = {
    "leads": "created_at",
    "mqls": "mql_at",
    "sqls": "sql_at",
    "opportunities": "opportunity_at",
    "customers": "customer_at",
}


def leads_created(filters: ReportFilters, condition: Q | None = None) -> int:
    """Leads created in the period (the cohort's size), matching the filters and `condition`."""
    return cohort_size(filters, condition)


def mqls_reached(filters: ReportFilters, condition: Q | None = None) -> int:
    """Leads that became MQLs in the period, whenever they were created (activity)."""
    reached = filters.in_range(REACHED_IN_PERIOD["mqls"])
    return Lead.objects.filter(reached, lead_filter(filters), condition or Q()).count()


def mqls_reached_by_channel(filters: ReportFilters) -> dict:
    """`mqls_reached` per lead channel (reports.filters.lead_channel), in one query: {channel: count}."""
    reached = filters.in_range(REACHED_IN_PERIOD["mqls"])
    rows = Lead.objects.filter(reached, lead_filter(filters)).values(channel=lead_channel()).annotate(n=Count("pk"))
    return {row["channel"] or "": row["n"] for row in rows.order_by()}


def won_in_period(filters: ReportFilters) -> Q:
    """Deals closed won in the period: the sales report's revenue and the campaign report's activity."""
    return WON & filters.in_range("closed_at")
