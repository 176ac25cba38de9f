"""Which company a person works for, set by hand: link a lead to a company, or unlink it."""

from companies.models import Company
from companies.services import mark_rollups_due
from leads.models import Lead


def link_lead(*, lead: Lead, company: Company) -> Lead:
    """Make `company` the lead's company (their account); both companies' roll-ups are due again."""
    previous = lead.account_id
    lead.account = company
    lead.save(update_fields=["account", "updated_at"])
    mark_rollups_due([previous, company.pk])
    return lead


def unlink_lead(*, lead: Lead) -> Lead:
    """Leave the lead without a company (the name they typed stays); the company's roll-ups are due again."""
    previous = lead.account_id
    lead.account = None
    lead.save(update_fields=["account", "updated_at"])
    mark_rollups_due([previous])
    return lead
