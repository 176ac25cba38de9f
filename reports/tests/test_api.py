from decimal import Decimal

import pytest

from .conftest import FORMULA_NAME, OCTOBER

pytestmark = pytest.mark.django_db


def test_funnel_api_returns_the_numbers_of_the_page(client_for, manager, funnel_data):
    client = client_for(manager)
    data = client.get("/api/v1/reports/funnel/", {**OCTOBER, "split": "channel"}).json()
    page = client.get("/reports/funnel/", {**OCTOBER, "split": "channel"}).context
    assert data["cohort"] == page["report"]["cohort"] == 6
    assert [row["reached"] for row in data["stages"]] == [6, 5, 4, 2, 2, 1]
    assert data["stages"][1]["conversion"] == 0.8
    assert data["stages"][2]["median_days"] == 1.5
    assert data["stages"][5]["conversion"] is None
    assert data["previous_period"] == {"date_from": "2026-08-31", "date_to": "2026-09-30"}
    assert [group["label"] for group in data["groups"]] == [group["label"] for group in page["groups"]]
    assert data["filters"]["date_from"] == "2026-10-01"


def test_sales_api_returns_summary_forecast_and_reps(client_for, manager, funnel_data):
    data = client_for(manager).get("/api/v1/reports/sales/", OCTOBER).json()
    assert data["summary"]["win_rate"] == 0.6  # 3 won, 2 lost
    assert data["summary"]["weighted_pipeline_value"] == "14100.00"
    assert data["summary"]["sla_compliance"] == 0.4
    assert data["summary"]["speed_to_lead_hours"] == 15.5
    # D8's close date (1 Dec 2026) has passed or D7's (15 Dec) will: which rows show depends on today.
    assert {row["label"] for row in data["forecast"]} <= {"Overdue", "Dec 2026", "No date"}
    assert data["forecast"][-1]["label"] == "No date"
    assert sum(Decimal(row["amount"]) for row in data["forecast"]) == 26000
    assert len(data["reps"]) == 2


def test_feedback_api_returns_reasons_by_campaign_and_channel(client_for, marketer, funnel_data):
    data = client_for(marketer).get("/api/v1/reports/feedback/", OCTOBER).json()
    group = data["rejections_by_campaign"]["groups"][0]
    assert (group["label"], group["counts"]["no_budget"], group["total"]) == (FORMULA_NAME, 1, 2)
    assert data["losses_by_channel"]["groups"][0]["total"] == 1


def test_api_refuses_invalid_filters_with_field_errors(client_for, manager):
    response = client_for(manager).get(
        "/api/v1/reports/funnel/", {"period": "custom", "date_from": "2026-10-31", "date_to": "2026-10-01"}
    )
    assert response.status_code == 400
    assert response.json() == {"date_to": ["The To date must be on or after the From date."]}
    assert client_for(manager).get("/api/v1/reports/sales/", {"channel": "fax"}).status_code == 400


def test_api_is_read_only(client_for, manager):
    assert client_for(manager).post("/api/v1/reports/funnel/", {}).status_code in (403, 405)
