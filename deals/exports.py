"""The deal list as CSV or Excel: one list of columns gives the header and every row (`crm.exports`)."""

from operator import attrgetter

from django.db.models import F

from crm.exports import export_response
from crm.people import display_name

COLUMNS = [
    ("id", attrgetter("pk")),
    ("title", attrgetter("title")),
    ("company", attrgetter("company")),
    ("account", attrgetter("account_name")),
    ("contact name", attrgetter("contact_name")),
    ("contact email", attrgetter("contact_email")),
    ("amount", attrgetter("amount")),
    ("stage", attrgetter("stage.name")),
    ("owner", lambda deal: display_name(deal.owner)),
    ("expected close", attrgetter("expected_close_date")),
    ("source campaign", lambda deal: deal.source_campaign.name if deal.source_campaign else ""),
    ("created", attrgetter("created_at")),
    ("closed", attrgetter("closed_at")),
    ("lost reason", lambda deal: deal.get_lost_reason_display()),
]


def deals_export(fmt: str, deals):
    """`deals` (the list's queryset, with its stage, owner and campaign) as a CSV or XLSX download, read in
    chunks, every cell safe to open in a spreadsheet."""
    rows = deals.annotate(account_name=F("account__name")).iterator(chunk_size=2000)
    return export_response(fmt, "deals", COLUMNS, rows)
