"""Custom dates the report cannot use (From after To, one of them missing) are explained beside the form's
fields and stay as the person typed them, on every report page; the API refuses them naming the field."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/reports/funnel/", "/reports/sales/", "/reports/feedback/", "/reports/campaigns/"]
APIS = ["/api/v1/reports/funnel/", "/api/v1/reports/sales/", "/api/v1/reports/feedback/", "/api/v1/reports/campaigns/"]
BACKWARDS = {"period": "custom", "date_from": "2026-10-31", "date_to": "2026-10-01"}


def field(html, name):
    """The HTML of the form control named `name`."""
    return re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html).group(0)


def selected_period(html):
    select = re.search(r'<select[^>]*name="period".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\w+)"[^>]*selected', select).group(1)


@pytest.mark.parametrize("url", PAGES)
def test_from_after_to_shows_the_error_and_keeps_the_typed_dates(client_for, manager, url):
    response = client_for(manager).get(url, BACKWARDS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The To date must be on or after the From date." in html
    assert 'value="2026-10-31"' in field(html, "date_from")
    assert 'value="2026-10-01"' in field(html, "date_to")
    assert "is-invalid" in field(html, "date_to") and 'aria-invalid="true"' in field(html, "date_to")
    assert selected_period(html) == "custom"
    # Meanwhile the report covers the default period, and says so.
    assert response.context["filters"].days == 30
    assert "Until the dates are corrected, this shows" in html


@pytest.mark.parametrize("url", PAGES)
def test_the_htmx_swap_keeps_the_typed_dates_too(client_for, manager, url):
    html = client_for(manager).get(url, BACKWARDS, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="report">')
    assert "The To date must be on or after the From date." in html
    assert 'value="2026-10-31"' in field(html, "date_from")
    assert 'value="2026-10-01"' in field(html, "date_to")


def test_a_missing_date_is_asked_for_and_the_other_is_kept(client_for, manager):
    html = client_for(manager).get("/reports/funnel/", {"date_from": "2026-10-05"}).content.decode()
    assert "Custom dates need both a From and a To date." in html
    assert 'value="2026-10-05"' in field(html, "date_from")
    assert selected_period(html) == "custom"


def test_a_preset_still_shows_the_dates_it_covers(client_for, manager):
    response = client_for(manager).get("/reports/funnel/", {"period": "last_90"})
    html = response.content.decode()
    filters = response.context["filters"]
    assert f'value="{filters.date_from.isoformat()}"' in field(html, "date_from")
    assert filters.days == 90 and "Until the dates are corrected" not in html
    assert "is-invalid" not in html


@pytest.mark.parametrize("url", APIS)
def test_every_report_api_refuses_from_after_to_naming_the_field(client_for, manager, url):
    response = client_for(manager).get(url, BACKWARDS)
    assert response.status_code == 400
    assert response.json() == {"date_to": ["The To date must be on or after the From date."]}
