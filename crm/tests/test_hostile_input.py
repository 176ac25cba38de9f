"""Out-of-range input answers a field's error, never a 500 (crm.bounds): dates at year 1 or 9999 in filters and
periods, crafted cursors, a huge close month, ids and card positions past 2^63, JSON nested 10,000 deep, days and
hours that overflow date arithmetic. Each case here answered 500 on SQLite, PostgreSQL or both."""

import base64
import json

import pytest
from django.test import Client

from crm.bounds import DATE_RANGE_MESSAGE, MAX_JSON_DEPTH
from deals.models import Pipeline
from deals.tests.factories import DealFactory, stage_named
from handoff.models import Sla
from handoff.selectors import sla_hours_at
from leads.models import ScoringSettings
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = str(2**63)
# A year-1 midnight east of UTC is in year 0 in UTC, a year-9999 one west of UTC in year 10000.
YEAR_ONE_EAST = "0001-01-01T00:00:00+14:00"
YEAR_9999_WEST = "9999-12-31T23:59:59-14:00"
REPORTS = ["funnel", "sales", "feedback", "campaigns"]


def cursor(position: str) -> str:
    """A DRF cursor, as the lead API writes them, pointing at `position`."""
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.fixture
def client(manager):
    """A manager's client that answers a 500 as a response instead of raising, as production does."""
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client


# --- The API: 400 naming the field ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/leads/", {"created_after": YEAR_ONE_EAST}, "created_after"),
        ("/api/v1/leads/", {"created_before": YEAR_9999_WEST}, "created_before"),
        ("/api/v1/leads/", {"cursor": cursor("x")}, "cursor"),
        ("/api/v1/leads/", {"cursor": cursor("0001-01-01T00:00:00 14:00")}, "cursor"),
        ("/api/v1/leads/", {"cursor": cursor(YEAR_9999_WEST)}, "cursor"),
        ("/api/v1/leads/", {"cursor": "%%% not base64"}, "cursor"),
        *[
            (f"/api/v1/reports/{report}/", {"period": "custom", "date_from": day, "date_to": day}, "date_from")
            for report in REPORTS
            for day in ("0001-01-01", "9999-12-31")
        ],
        ("/api/v1/campaigns/", {"date_from": "0001-01-01"}, "date_from"),
        ("/api/v1/campaigns/", {"date_to": "9999-12-31"}, "date_to"),
    ],
)
def test_the_api_answers_400_with_the_field_to_a_filter_out_of_range(client, path, params, field):
    response = client.get(path, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/leads/", "/api/v1/events/", "/api/v1/campaigns/", "/api/v1/deals/"],
)
@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
        json.dumps({"email": "deep@example.com", "properties": {"nested": "[" * 200}}) + "[" * 100,
    ],
    ids=["lists 10,000 deep", "objects 10,000 deep", "one level too deep", "brackets in a string, then not JSON"],
)
def test_the_api_answers_400_to_json_nested_too_deep(client, path, body):
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_json_as_deep_as_allowed_is_read_with_brackets_in_its_strings(client):
    """The depth is the document's, not its text's: brackets inside strings do not count."""
    nested = 1
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = [nested]
    body = {"email": "deep@example.com", "properties": {"deep": nested, "text": "[[[{{{" * 50 + '\\"]'}}
    response = client.post("/api/v1/leads/", body, content_type="application/json")
    assert response.status_code != 500
    assert "nested more than" not in response.content.decode()


def test_the_api_answers_400_to_a_card_position_past_what_a_column_holds(client):
    deal = DealFactory()
    response = client.post(
        f"/api/v1/deals/{deal.pk}/move/",
        {"stage": stage_named("Discovery").pk, "position": BEYOND_BIGINT},
        content_type="application/json",
    )
    assert response.status_code == 400 and "position" in response.json()


# --- Pages: the form's error ------------------------------------------------------------------------------


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_report_shows_the_error_for_a_period_out_of_range(client, report, day):
    response = client.get(f"/reports/{report}/", {"period": "custom", "date_from": day, "date_to": day})
    assert response.status_code == 200
    assert DATE_RANGE_MESSAGE in response.context["form"].errors["date_from"]


def test_the_lead_list_shows_the_error_for_a_date_out_of_range(client):
    response = client.get("/leads/", {"created_to": "9999-12-31"})
    assert response.status_code == 200 and response.context["form"].errors["created_to"] == [DATE_RANGE_MESSAGE]


@pytest.mark.parametrize("position", [YEAR_ONE_EAST, YEAR_9999_WEST, "9999-12-31T00:00:00"])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_the_lead_list_starts_at_the_top_for_a_cursor_out_of_range(client, direction, position):
    lead = LeadFactory()
    response = client.get("/leads/", {direction: f"{position}_{lead.pk}"})
    assert response.status_code == 200 and lead in response.context["page"].rows


@pytest.mark.parametrize("page", ["/pipeline/", "/deals/", "/deals/export.csv"])
@pytest.mark.parametrize("month", ["99999999999999999999-01", "9999-12", "0001-01"])
def test_the_board_and_deal_list_refuse_a_close_month_out_of_range(client, page, month):
    response = client.get(page, {"close_month": month})
    assert response.status_code == 200
    if page != "/deals/export.csv":
        assert response.context["filter_form"].errors["close_month"]


@pytest.mark.parametrize("rep", ["²", BEYOND_BIGINT, "1" + "0" * 40])
def test_the_inbox_ignores_a_rep_that_is_not_an_id(client, rep):
    assert client.get("/inbox/", {"rep": rep}).status_code == 200


@pytest.mark.parametrize("field", ["position", "before"])
@pytest.mark.parametrize("value", [BEYOND_BIGINT, str(2**64), "1" + "0" * 40])
def test_a_board_move_refuses_a_position_past_what_a_column_holds(client, field, value):
    deal = DealFactory()
    data = {"stage": stage_named("Discovery").pk, field: value}
    response = client.post(f"/deals/{deal.pk}/move/", data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    deal.refresh_from_db()
    assert deal.stage == stage_named("Qualification")


def test_an_sla_or_rotting_days_past_a_small_integer_are_refused(client):
    data = {"sla-sla_hours": str(2**40), "pipeline-name": "Sales pipeline", "pipeline-rotting_days": str(2**31)}
    response = client.post("/settings/", data)
    assert response.status_code == 400
    assert set(response.context["sla_form"].errors) == {"sla_hours"}
    assert set(response.context["pipeline_form"].errors) == {"rotting_days"}
    assert (sla_hours_at(), Sla.objects.count(), Pipeline.default().rotting_days) == (24, 1, 14)
    assert client.get("/reports/sales/").status_code == 200


def test_a_half_life_past_a_small_integer_is_refused(client):
    data = {
        "settings-mql_threshold": "50",
        "settings-half_life_days": str(2**40),
        **{f"{prefix}-{name}": "0" for prefix in ("fit", "engagement") for name in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    response = client.post("/leads/scoring/", data)
    assert response.status_code == 400
    assert set(response.context["settings_form"].errors) == {"half_life_days"}
    assert ScoringSettings.load().half_life_days == 30
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "start_date__year=99999999999999999999",
        "start_date__year=9999&start_date__month=12&start_date__day=31",
        "start_date__year=9999&start_date__month=12",
    ],
)
def test_the_admin_date_hierarchy_sends_a_year_out_of_range_to_its_error_page(client, manager, query):
    manager.is_staff = manager.is_superuser = True
    manager.save()
    response = client.get(f"/admin/campaigns/campaign/?{query}")
    assert response.status_code == 302 and response.url.endswith("?e=1")
