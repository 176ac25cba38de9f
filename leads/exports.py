"""The lead list as CSV or Excel: one list of columns gives the header and every row (`crm.exports`)."""

from operator import attrgetter

from django.db.models import F

from crm.exports import export_response
from crm.people import display_name
from leads.selectors import SORTS

COLUMNS = [
    ("id", attrgetter("pk")),
    ("email", attrgetter("email")),
    ("first name", attrgetter("first_name")),
    ("last name", attrgetter("last_name")),
    ("company", attrgetter("company")),
    ("account", attrgetter("account_name")),
    ("job title", attrgetter("job_title")),
    ("phone", attrgetter("phone")),
    ("country", attrgetter("country")),
    ("industry", attrgetter("industry")),
    ("company size", attrgetter("company_size")),
    ("stage", lambda lead: lead.get_stage_display()),
    ("score", attrgetter("score")),
    ("owner", lambda lead: display_name(lead.owner)),
    ("campaign", lambda lead: lead.first_touch_campaign.name if lead.first_touch_campaign else ""),
    ("source", lambda lead: lead.get_source_display()),
    ("channel", lambda lead: lead.get_source_channel_display()),
    ("marketing opt-in", attrgetter("marketing_consent")),
    ("created", attrgetter("created_at")),
]


def lead_rows(leads, *, sort: str = "newest"):
    """`leads` in the list's order, read in chunks with the owner, campaign and account name each row names."""
    column, descending = SORTS.get(sort, SORTS["newest"])
    ordering = [f"-{column}", "-id"] if descending else [column, "id"]
    return (
        leads.select_related("owner", "first_touch_campaign")
        .annotate(account_name=F("account__name"))
        .order_by(*ordering)
        .iterator(chunk_size=2000)
    )


def leads_export(fmt: str, leads, *, sort: str):
    """`leads` (the list's filtered queryset) in the list's order as a CSV or XLSX download."""
    return export_response(fmt, "leads", COLUMNS, lead_rows(leads, sort=sort))
