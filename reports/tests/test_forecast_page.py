"""The forecast page: who may open it, what each role sees, and its labelled figures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def in_a_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def two_reps_deals(rep, other_rep):
    DealFactory(
        owner=rep,
        title="Mine",
        stage=stage_named("Demo"),
        amount=Decimal("1234"),
        expected_close_date=in_a_week(),
        forecast_category="commit",
    )
    DealFactory(
        owner=other_rep,
        title="Theirs",
        stage=stage_named("Demo"),
        amount=Decimal("98765"),
        expected_close_date=in_a_week(),
        forecast_category="commit",
    )
    DealFactory(
        owner=rep,
        stage=stage_named("Demo"),
        amount=Decimal("555"),
        expected_close_date=timezone.localdate() - datetime.timedelta(days=3),
    )


def test_the_manager_sees_the_team_each_rep_and_the_overdue_row(client_for, manager, two_reps_deals):
    response = client_for(manager).get("/reports/forecast/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "$99,999" in html  # the team's commit: 1,234 + 98,765
    assert "$98,765" in html and "$1,234" in html
    assert 'data-testid="overdue-row"' in html and "$555" in html
    for label in (
        "Open pipeline",
        "Weighted pipeline",
        "Commit",
        "Best case",
        "Omitted",
        "Closed won",
        "Forecast accuracy",
    ):
        assert label in html


def test_a_rep_sees_only_their_own_figures_whatever_the_owner_filter(client_for, rep, other_rep, two_reps_deals):
    html = client_for(rep).get(f"/reports/forecast/?owner={other_rep.pk}").content.decode()
    assert "Your forecast" in html
    assert "$1,234" in html
    assert "98,765" not in html


def test_a_marketer_cannot_open_the_forecast(client_for, marketer):
    assert client_for(marketer).get("/reports/forecast/").status_code == 403


def test_the_reports_index_links_to_the_forecast_for_sales(client_for, rep, marketer):
    assert "/reports/forecast/" in client_for(rep).get("/reports/").content.decode()
    assert "/reports/forecast/" not in client_for(marketer).get("/reports/").content.decode()


def test_htmx_gets_only_the_report_fragment(client_for, manager):
    response = client_for(manager).get("/reports/forecast/?period=last_quarter", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report">')
    assert "No snapshot of a past month" in html


def test_custom_months_and_a_bad_date_fall_back_to_the_default(client_for, manager):
    html = (
        client_for(manager)
        .get("/reports/forecast/?period=custom&date_from=2026-01-10&date_to=2026-02-03")
        .content.decode()
    )
    assert 'data-month="2026-01"' in html and 'data-month="2026-02"' in html
    bad = client_for(manager).get("/reports/forecast/?period=custom&date_from=nonsense&date_to=2026-02-03")
    assert bad.status_code == 200
