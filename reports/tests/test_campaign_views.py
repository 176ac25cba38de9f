"""The campaign report's cohort and activity views and its Unattributed row, on the hand-built October of
conftest.py (counted live and from the rollups):

- cohort: A has L1, L2, L5; B has L3, L4; S1 (no campaign, channel content) is Unattributed: 3 + 2 + 1 = the
  funnel's cohort of 6. Revenue: L1's won deal (10,000).
- activity: MQLs reached in October: L1, L2 (A), L3, L4 (B) = 4; revenue closed in October: D1 (L1, A)
  10,000, and D2 4,000 + D3 6,000 entered by hand without a lead (Unattributed) = the sales report's 20,000.
"""

from decimal import Decimal

import pytest

from .conftest import OCTOBER
from .test_pages import cells, read_csv

pytestmark = pytest.mark.django_db

FIGURES = ("leads", "mqls", "sqls", "opportunities", "customers", "revenue", "mqls_accepted", "mqls_rejected")


def report(client, **query):
    return client.get("/reports/campaigns/", {**OCTOBER, **query}).context


def figures(row):
    return tuple(getattr(row, name) for name in FIGURES)


def by_slug(context):
    return {row.slug: figures(row) for row in context["rows"]}


@pytest.mark.parametrize("attribution", ["first", "last"])
def test_cohort_view_campaigns_and_unattributed_add_up_to_the_funnels_cohort(
    client_for, manager, funnel_data, attribution
):
    client = client_for(manager)
    context = report(client, attribution=attribution)
    assert context["view"] == "cohort"
    assert by_slug(context) == {
        "spring": (3, 2, 2, 2, 1, Decimal("10000.00"), 2, 0),
        "formula": (2, 2, 0, 0, 0, Decimal("0.00"), 0, 2),
    }
    assert figures(context["unattributed"]) == (1, 0, 0, 0, 0, 0, 0, 0)
    funnel = client.get("/reports/funnel/", OCTOBER).context["report"]
    assert sum(row.leads for row in context["rows"]) + context["unattributed"].leads == funnel["cohort"] == 6
    mql_row = next(row for row in funnel["stages"] if row["stage"] == "mql")
    assert sum(row.mqls for row in context["rows"]) + context["unattributed"].mqls == mql_row["reached"] == 4


@pytest.mark.parametrize("attribution", ["first", "last"])
def test_activity_view_revenue_and_unattributed_add_up_to_the_sales_reports_revenue(
    client_for, manager, funnel_data, attribution
):
    client = client_for(manager)
    context = report(client, attribution=attribution, view="activity")
    assert by_slug(context) == {
        "spring": (3, 2, 2, 2, 1, Decimal("10000.00"), 2, 0),
        "formula": (2, 2, 0, 0, 0, 0, 0, 2),
    }
    # D2 and D3 were entered by hand, without a lead: revenue no campaign gets the credit for.
    assert figures(context["unattributed"]) == (1, 0, 0, 0, 0, Decimal("10000.00"), 0, 0)
    sales = client.get("/reports/sales/", OCTOBER).context["summary"]
    total = sum(row.revenue for row in context["rows"]) + context["unattributed"].revenue
    assert total == sales["revenue"] == Decimal("20000.00")


def test_a_period_without_activity_has_only_its_new_leads(client_for, manager, funnel_data):
    """November: L8 was created then (both views); nothing reached a stage or closed won in it."""
    client = client_for(manager)
    november = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    cohort = client.get("/reports/campaigns/", november).context
    activity = client.get("/reports/campaigns/", {**november, "view": "activity"}).context
    assert by_slug(cohort)["spring"][:2] == (1, 0)  # L8 created in November
    assert by_slug(activity)["spring"][:2] == (1, 0)
    assert sum(row.revenue for row in activity["rows"]) + activity["unattributed"].revenue == Decimal(0)


def test_the_channel_table_has_the_unattributed_row_and_adds_up_to_the_campaigns(client_for, manager, funnel_data):
    html = client_for(manager).get("/reports/campaigns/", {**OCTOBER, "view": "activity"}).content.decode()
    for testid in ("channels", "campaigns"):
        rows = cells(html, testid)
        unattributed = rows[-1]
        assert unattributed[0] == "Unattributed"
        assert unattributed[1:5] == ["—", "—", "—", "—"]  # no spend, impressions, clicks, CTR
        assert unattributed[5] == "1" and unattributed[10] == "$10,000"
        leads = sum(int(row[5]) for row in rows[1:])
        assert leads == 6, testid
    assert 'data-count="activity"' in html


def test_a_channel_filter_keeps_the_unattributed_leads_of_that_channel(client_for, manager, funnel_data):
    client = client_for(manager)
    content = report(client, channel="content")
    assert content["rows"] == []
    assert content["unattributed"].leads == 1  # S1, captured from content without a campaign
    html = client.get("/reports/campaigns/", {**OCTOBER, "channel": "content"}).content.decode()
    assert html.count('data-row="unattributed"') == 2  # the channel and the campaign tables
    events = report(client, channel="events", view="activity")
    assert events["unattributed"].leads == 0
    assert events["unattributed"].revenue == 0  # deals without a lead have no channel
    sales = client.get("/reports/sales/", {**OCTOBER, "channel": "events"}).context["summary"]
    assert sum(row.revenue for row in events["rows"]) + events["unattributed"].revenue == sales["revenue"]
    funnel = client.get("/reports/funnel/", {**OCTOBER, "channel": "events"}).context["report"]
    cohort = report(client, channel="events")
    assert sum(row.leads for row in cohort["rows"]) + cohort["unattributed"].leads == funnel["cohort"] == 3


def test_no_unattributed_row_when_a_campaign_or_an_owner_is_chosen(client_for, manager, marketer, funnel_data):
    client = client_for(manager)
    assert report(client, campaign=funnel_data.a.pk)["unattributed"] is None
    assert report(client, owner=marketer.pk, view="activity")["unattributed"] is None
    html = client.get("/reports/campaigns/", {**OCTOBER, "owner": marketer.pk}).content.decode()
    assert 'data-row="unattributed"' not in html


def test_csv_downloads_end_with_the_unattributed_row(client_for, manager, funnel_data):
    client = client_for(manager)
    for table in ("campaigns", "channels"):
        response = client.get("/reports/campaigns/", {**OCTOBER, "view": "activity", "format": "csv", "table": table})
        assert f'filename="{table}-first-touch-activity-20261001-20261031.csv"' in response["Content-Disposition"]
        rows = read_csv(response)
        assert rows[-1][:2] == ["Unattributed", ""]  # no spend
        revenue = rows[0].index("Revenue")
        assert sum(Decimal(row[revenue]) for row in rows[1:]) == Decimal("20000.00")


def test_the_api_takes_the_view_and_returns_the_unattributed_row(client_for, manager, funnel_data):
    client = client_for(manager)
    data = client.get("/api/v1/reports/campaigns/", {**OCTOBER, "view": "activity"}).json()
    assert data["view"] == "activity"
    assert data["unattributed"]["revenue"] == "10000.00"
    assert data["unattributed"]["leads"] == 1
    assert sum(Decimal(row["revenue"]) for row in data["campaigns"]) + Decimal("10000.00") == Decimal("20000.00")
    cohort = client.get("/api/v1/reports/campaigns/", OCTOBER).json()
    assert (cohort["view"], cohort["unattributed"]["leads"], cohort["unattributed"]["revenue"]) == ("cohort", 1, "0.00")
    assert (
        client.get("/api/v1/reports/campaigns/", {**OCTOBER, "campaign": funnel_data.a.pk}).json()["unattributed"]
        is None
    )


def test_the_api_refuses_an_unknown_view(client_for, manager):
    response = client_for(manager).get("/api/v1/reports/campaigns/", {"view": "everything"})
    assert response.status_code == 400
    assert list(response.json()) == ["view"]


def test_the_schema_documents_the_view_and_the_unattributed_row(client_for, manager):
    schema = client_for(manager).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/reports/campaigns/"]["get"]
    view = next(parameter for parameter in operation["parameters"] if parameter["name"] == "view")
    assert set(view["schema"]["enum"]) == {"cohort", "activity"}
    assert "unattributed" in schema["components"]["schemas"]["CampaignReport"]["properties"]
