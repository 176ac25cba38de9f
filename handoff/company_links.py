"""Link the leads and the deals that have no company yet, leads first (a deal takes its lead's company).
Here because only the hand-over knows both a lead and a deal; used by migration leads 0022 and
`manage.py link_companies`."""

from deals.services import link_all_deals
from leads.services.company_links import link_all_leads


def link_all() -> list[str]:
    """Link every lead, then every deal, without a company; returns the report, line by line."""
    report = link_all_leads()
    deals = link_all_deals()
    return [*report.lines(), *(f"{what.capitalize()}: {count:,}" for what, count in deals.items())]
