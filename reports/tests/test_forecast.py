"""The sales forecast keeps open deals whose expected close date has passed in an "Overdue" row of their own,
ahead of the months to come, on the page, in its CSV and in the API."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from deals.tests.factories import DealFactory, stage_named
from reports import sales
from reports.filters import default_filters

from .test_pages import cells, read_csv

pytestmark = pytest.mark.django_db


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@pytest.fixture
def pipeline(rep):
    """Open deals: two overdue (last week, and 40 days ago in another month), one due today, one next month,
    one without a date; and a won deal whose date has passed (not in the forecast)."""
    today = timezone.localdate()

    def open_deal(stage, amount, close):
        return DealFactory(owner=rep, stage=stage_named(stage), amount=Decimal(amount), expected_close_date=close)

    open_deal("Demo", "5000", today - datetime.timedelta(days=7))  # weighted 40 %: 2,000
    open_deal("Qualification", "1000.50", today - datetime.timedelta(days=40))  # 10 %: 100.05
    open_deal("Proposal", "3000", today)  # 60 %: 1,800
    open_deal("Negotiation", "7000", first_of_next_month(today))  # 80 %: 5,600
    open_deal("Discovery", "400", None)  # 20 %: 80
    DealFactory(
        owner=rep,
        stage=stage_named("Closed won"),
        amount=Decimal(9000),
        expected_close_date=today - datetime.timedelta(days=3),
        closed_at=timezone.now(),
    )
    return today


def test_overdue_deals_are_one_row_before_the_months_ahead(pipeline):
    today = pipeline
    rows = sales.forecast_by_month(default_filters(), today=today)
    assert [(row["label"], row["deals"], row["amount"], row["weighted_amount"]) for row in rows] == [
        ("Overdue", 2, Decimal("6000.50"), Decimal("2100.05")),
        (today.strftime("%b %Y"), 1, Decimal("3000"), Decimal("1800")),  # due today is not overdue yet
        (first_of_next_month(today).strftime("%b %Y"), 1, Decimal("7000"), Decimal("5600")),
        ("No date", 1, Decimal("400"), Decimal("80")),
    ]
    assert [row["overdue"] for row in rows] == [True, False, False, False]


def test_a_deal_becomes_overdue_the_day_after_its_close_date(pipeline):
    tomorrow = pipeline + datetime.timedelta(days=1)
    overdue = sales.forecast_by_month(default_filters(), today=tomorrow)[0]
    assert (overdue["label"], overdue["deals"], overdue["amount"]) == ("Overdue", 3, Decimal("9000.50"))


def test_without_overdue_deals_the_forecast_has_no_overdue_row(rep):
    today = timezone.localdate()
    DealFactory(owner=rep, amount=Decimal(100), expected_close_date=today)
    rows = sales.forecast_by_month(default_filters(), today=today)
    assert [row["label"] for row in rows] == [today.strftime("%b %Y")]


def test_the_sales_page_flags_overdue_deals_and_its_csv_follows(client_for, manager, pipeline):
    client = client_for(manager)
    html = client.get("/reports/sales/").content.decode()
    rows = cells(html, "forecast-table")
    assert rows[0] == ["Month", "Open deals", "Amount", "Weighted"]
    assert rows[1][0].startswith("Overdue") and "expected close date passed" in rows[1][0]
    assert rows[1][1:] == ["2", "$6,000.50", "$2,100.05"]
    assert rows[2][1:] == ["1", "$3,000", "$1,800"]
    assert 'data-testid="forecast-overdue"' in html
    exported = read_csv(client.get("/reports/sales/", {"format": "csv", "table": "forecast"}))
    assert exported[1] == ["Overdue", "2", "6000.50", "2100.05"]  # plain numbers, no currency
    assert exported[2] == [pipeline.strftime("%b %Y"), "1", "3000.00", "1800.00"]


def test_the_sales_api_returns_the_overdue_row_first(client_for, manager, pipeline):
    forecast = client_for(manager).get("/api/v1/reports/sales/").json()["forecast"]
    assert (forecast[0]["label"], forecast[0]["deals"], forecast[0]["amount"]) == ("Overdue", 2, "6000.50")
    assert forecast[0]["month"] is None
