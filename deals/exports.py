"""The deal list as CSV: one list of columns gives the header and every row."""

from operator import attrgetter

from django.utils import timezone

from crm.csv import csv_response
from crm.people import display_name

COLUMNS = [
    ("id", attrgetter("pk")),
    ("title", attrgetter("title")),
    ("company", attrgetter("company")),
    ("contact name", attrgetter("contact_name")),
    ("contact email", attrgetter("contact_email")),
    ("amount", attrgetter("amount")),
    ("stage", attrgetter("stage.name")),
    ("owner", lambda deal: display_name(deal.owner)),
    ("expected close", attrgetter("expected_close_date")),
    ("source campaign", lambda deal: deal.source_campaign.name if deal.source_campaign else ""),
    ("created", lambda deal: deal.created_at.isoformat()),
    ("closed", lambda deal: deal.closed_at.isoformat() if deal.closed_at else ""),
    ("lost reason", lambda deal: deal.get_lost_reason_display()),
]


def deals_csv(deals):
    """`deals` as a CSV download, streamed row by row, every cell safe to open in a spreadsheet."""
    rows = ([cell(deal) for _, cell in COLUMNS] for deal in deals.iterator(chunk_size=500))
    return csv_response(f"deals-{timezone.localdate():%Y-%m-%d}.csv", [name for name, _ in COLUMNS], rows)
