"""One search across Relay's records: leads (name, full name, email, company as typed), companies (name,
domain, other names), deals (title) and campaigns (name), each kind through its own list's search and its
own visibility function, so a role finds exactly what it may open."""

import functools
import operator
from dataclasses import dataclass

from django.db.models import Q

from campaigns.selectors import campaigns_visible_to
from companies.filters import search_companies
from companies.selectors import companies_visible_to
from crm.people import display_name
from deals.selectors import deals_visible_to
from leads.selectors import leads_visible_to, search_leads

PER_KIND = 5
MAX_WORDS = 10
MAX_LENGTH = 200
KINDS = (("lead", "Leads"), ("company", "Companies"), ("deal", "Deals"), ("campaign", "Campaigns"))


@dataclass(frozen=True)
class Result:
    kind: str
    id: int
    label: str
    detail: str
    url: str


def search_text(text) -> str:
    """The words searched for: at most MAX_WORDS of them, at most MAX_LENGTH characters in all."""
    return " ".join(str(text or "")[:MAX_LENGTH].split()[:MAX_WORDS])


def search_everything(user, text: str, per_kind: int = PER_KIND) -> dict[str, list[Result]]:
    """kind → up to `per_kind` results for `text`, in KINDS' order; every kind is empty for a blank search.
    One query per kind, each through an index of its list's search."""
    text = search_text(text)
    if not text:
        return {kind: [] for kind, _ in KINDS}
    return {
        "lead": _leads(user, text, per_kind),
        "company": _companies(user, text, per_kind),
        "deal": _deals(user, text, per_kind),
        "campaign": _campaigns(user, text, per_kind),
    }


def _every_word(field: str, text: str) -> Q:
    return functools.reduce(operator.and_, (Q(**{f"{field}__icontains": word}) for word in text.split()))


def _leads(user, text, limit):
    leads = search_leads(leads_visible_to(user), text).order_by("-score", "-id")[:limit]
    return [
        Result(
            "lead",
            lead.pk,
            lead.full_name or lead.email,
            " · ".join(part for part in (lead.email, lead.company, lead.get_stage_display()) if part),
            lead.get_absolute_url(),
        )
        for lead in leads
    ]


def _companies(user, text, limit):
    companies = search_companies(companies_visible_to(user), text).prefetch_related("domains")
    return [
        Result(
            "company",
            company.pk,
            company.name,
            " · ".join(part for part in (company.primary_domain, company.industry) if part),
            company.get_absolute_url(),
        )
        for company in companies.order_by("-account_score", "-id")[:limit]
    ]


def _deals(user, text, limit):
    deals = deals_visible_to(user).filter(_every_word("title", text)).select_related("stage", "owner")
    return [
        Result(
            "deal",
            deal.pk,
            deal.title,
            " · ".join(part for part in (deal.company, deal.stage.name, display_name(deal.owner)) if part),
            deal.get_absolute_url(),
        )
        for deal in deals.order_by("-created_at", "-id")[:limit]
    ]


def _campaigns(user, text, limit):
    campaigns = campaigns_visible_to(user).filter(_every_word("name", text))
    return [
        Result("campaign", campaign.pk, campaign.name, campaign.get_channel_display(), campaign.get_absolute_url())
        for campaign in campaigns.order_by("-start_date", "-id")[:limit]
    ]
