"""Every report table as CSV rows: the same figures the page shows, as numbers a spreadsheet can sum.

Ratios are percentages rounded like the page (one decimal), money has two decimals, medians one decimal;
a figure the page shows as "—" (a zero denominator) is an empty cell. Cells go through crm.csv, which
neutralises formula injection.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from crm.csv import csv_response
from leads.models import FUNNEL
from reports.selectors import REPORT_FIGURES


def pct(value):
    return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def money(value):
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def one_place(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def funnel_stages(report):
    header = [
        "Stage",
        "Reached",
        "Previous period",
        "Change",
        "Conversion to next (%)",
        "Previous conversion (%)",
        "Median days to next",
        "Dropped",
        "Left to nurture",
        "Disqualified",
    ]
    rows = (
        [
            row["label"],
            row["reached"],
            row["previous_reached"],
            row["reached_delta"],
            pct(row["conversion"]),
            pct(row["previous_conversion"]),
            one_place(row["median_days"]),
            row["dropped"],
            row["left_nurture"],
            row["left_disqualified"],
        ]
        for row in report["stages"]
    )
    return header, rows


def funnel_groups(groups, split_label):
    header = [split_label, *(stage.label for stage in FUNNEL), "Conversion to customer (%)"]
    rows = (
        [group["label"], *(group["reached"][stage.value] for stage in FUNNEL), pct(group["conversion"])]
        for group in groups
    )
    return header, rows


def sales_forecast(forecast):
    header = ["Expected close month", "Open deals", "Amount", "Weighted amount"]
    rows = ([row["label"], row["deals"], money(row["amount"]), money(row["weighted_amount"])] for row in forecast)
    return header, rows


def sales_reps(table):
    header = [
        "Rep",
        "Deals won",
        "Deals lost",
        "Revenue",
        "Win rate (%)",
        "MQLs handed over",
        "Answered within SLA",
        "SLA compliance (%)",
        "Speed to lead (hours)",
    ]
    rows = (
        [
            row["rep"],
            row["won"],
            row["lost"],
            money(row["revenue"]),
            pct(row["win_rate"]),
            row["handed_over"],
            row["within_sla"],
            pct(row["sla_compliance"]),
            one_place(row["speed_to_lead_hours"]),
        ]
        for row in table
    )
    return header, rows


def reasons(pivot, group_label):
    header = [group_label, *(reason["label"] for reason in pivot["reasons"]), "Total"]
    rows = (
        [group["label"], *(group["counts"][reason["value"]] for reason in pivot["reasons"]), group["total"]]
        for group in pivot["groups"]
    )
    return header, rows


def acceptance(table):
    header = ["Campaign", "Accepted", "Rejected", "Acceptance rate (%)"]
    rows = ([row["label"], row["accepted"], row["rejected"], pct(row["acceptance_rate"])] for row in table)
    return header, rows


def notes(campaigns):
    header = ["Campaign", "Lead", "Rep", "Written at", "Note"]
    rows = (
        [
            campaign["label"],
            note["lead"],
            note["author"],
            timezone.localtime(note["created_at"]).isoformat(timespec="minutes"),
            note["body"],
        ]
        for campaign in campaigns
        for note in campaign["notes"]
    )
    return header, rows


def download(name: str, filters, header_and_rows):
    header, rows = header_and_rows
    return csv_response(f"{name}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.csv", header, rows)


CSV_FORMATS = {"count": None, "money": money, "unit": money, "rate": pct}
CAMPAIGN_COLUMNS = [
    (f"{figure.label} (%)" if figure.kind == "rate" else figure.label, figure.of, CSV_FORMATS[figure.kind])
    for figure in REPORT_FIGURES
]


def campaign_figures(rows, first_header: str, label, unattributed=None):
    """The campaign report's table (per campaign or per channel) as CSV rows, the Unattributed row last."""
    header = [first_header, *(title for title, _, _ in CAMPAIGN_COLUMNS)]
    labelled = [(label(row), row) for row in rows]
    if unattributed is not None:
        labelled.append((unattributed.label, unattributed))
    lines = (
        [name, *((fmt or (lambda value: value))(value_of(row)) for _, value_of, fmt in CAMPAIGN_COLUMNS)]
        for name, row in labelled
    )
    return header, lines
