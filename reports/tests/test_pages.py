import csv
import io
import re

import pytest

from .conftest import EMPTY_PERIOD, FORMULA_NAME, OCTOBER

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def cells(html, testid):
    """The text of each row of a table (header cell first) found by its data-testid."""
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def test_funnel_page_shows_each_stage_with_conversion_median_and_drop_off(client_for, manager, funnel_data):
    html = client_for(manager).get("/reports/funnel/", OCTOBER).content.decode()
    rows = cells(html, "funnel-table")
    assert rows[1] == ["Subscriber", "6", "+5", "83.3 %", "-16.7 %", "0.0", "1", "0", "0"]
    assert rows[3] == ["MQL", "4", "+3", "50.0 %", "+50.0 %", "1.5", "2", "1", "1"]
    assert rows[6] == ["Customer", "1", "+1", "—", "—", "—", "—", "—", "—"]
    assert 'id="funnel-chart-data"' in html


def test_funnel_csv_matches_the_page(client_for, manager, funnel_data):
    client = client_for(manager)
    page_rows = cells(client.get("/reports/funnel/", OCTOBER).content.decode(), "funnel-table")[1:]
    csv_rows = read_csv(client.get("/reports/funnel/", {**OCTOBER, "format": "csv", "table": "stages"}))
    assert csv_rows[0][:2] == ["Stage", "Reached"]
    for page_row, csv_row in zip(page_rows, csv_rows[1:], strict=True):
        assert csv_row[0] == page_row[0]
        assert csv_row[1] == page_row[1]
        assert (csv_row[4] + " %" if csv_row[4] else "—") == page_row[3]
        assert (csv_row[6] or "—") == page_row[5]


def test_csv_neutralises_formulas_in_campaign_names_and_notes(client_for, manager, funnel_data):
    client = client_for(manager)
    groups = read_csv(
        client.get("/reports/funnel/", {**OCTOBER, "split": "campaign", "format": "csv", "table": "groups"})
    )
    assert ["'" + FORMULA_NAME, "2", "2", "2", "0", "0", "0", "0.0"] in groups
    notes = read_csv(client.get("/reports/feedback/", {**OCTOBER, "format": "csv", "table": "notes"}))
    assert any(row[4] == "'=SUM(1+1) no budget this year" for row in notes)
    assert not any(cell.startswith("=") for row in groups + notes for cell in row)


def test_split_by_channel_shows_one_row_per_channel(client_for, manager, funnel_data):
    html = client_for(manager).get("/reports/funnel/", {**OCTOBER, "split": "channel"}).content.decode()
    rows = cells(html, "funnel-groups")
    assert rows[1] == ["Events / webinar", "3", "3", "2", "2", "2", "1", "33.3 %"]
    assert [row[0] for row in rows[1:]] == ["Events / webinar", "Paid search", "Content / SEO"]


def test_an_empty_period_says_what_to_do_and_shows_dashes(client_for, manager, funnel_data):
    client = client_for(manager)
    assert "No leads were created in this period" in client.get("/reports/funnel/", EMPTY_PERIOD).content.decode()
    html = client.get("/reports/sales/", EMPTY_PERIOD).content.decode()
    for figure in ("win_rate", "average_deal_size", "sales_cycle_days", "sla_compliance", "speed_to_lead_hours"):
        assert re.search(rf'data-figure="{figure}">—<', html), figure


def test_sales_page_and_its_csv_show_the_same_rep_figures(client_for, manager, rep, funnel_data):
    client = client_for(manager)
    html = client.get("/reports/sales/", OCTOBER).content.decode()
    assert re.search(r'data-figure="win_rate">60.0 %<', html)  # 3 won, 2 lost (rejected MQLs never had deals)
    assert re.search(r'data-figure="weighted_pipeline_value">\$14,100<', html)
    page = {row[0]: row for row in cells(html, "rep-table")[1:]}
    exported = {
        row[0]: row
        for row in read_csv(client.get("/reports/sales/", {**OCTOBER, "format": "csv", "table": "reps"}))[1:]
    }
    name = rep.get_full_name()
    assert page[name][1:4] == ["2", "$14,000", "66.7 %"]
    assert exported[name][1:5] == ["2", "1", "14000.00", "66.7"]
    assert set(page) == set(exported)


def test_feedback_page_shows_reasons_acceptance_and_notes(client_for, marketer, funnel_data):
    html = client_for(marketer).get("/reports/feedback/", OCTOBER).content.decode()
    assert cells(html, "acceptance")[1:] == [
        [FORMULA_NAME.replace('"', "&quot;"), "0", "2", "0.0 %"],  # as many answers: by name
        ["Spring webinar", "2", "0", "100.0 %"],
    ]
    assert "Follow-up 14" in html and "Follow-up 11" not in html
    assert 'id="rejections-chart-data"' in html


def test_invalid_filters_are_reported_and_defaults_apply(client_for, manager, funnel_data):
    client = client_for(manager)
    response = client.get(
        "/reports/funnel/", {"period": "custom", "date_from": "2026-10-31", "date_to": "2026-10-01", "channel": "fax"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The To date must be on or after the From date." in html
    assert "Select a valid choice" in html
    assert response.context["filters"].days == 30 and response.context["filters"].channel == ""


def test_a_bookmarked_url_keeps_every_filter(client_for, manager, funnel_data):
    response = client_for(manager).get(
        "/reports/funnel/", {**OCTOBER, "channel": "paid_search", "campaign": funnel_data.b.pk, "split": "campaign"}
    )
    filters = response.context["filters"]
    assert (filters.channel, filters.campaign_id) == ("paid_search", funnel_data.b.pk)
    assert response.context["report"]["cohort"] == 2
    assert "channel=paid_search" in response.content.decode()  # the CSV links keep the filters


def test_htmx_gets_only_the_report_fragment(client_for, manager, funnel_data):
    response = client_for(manager).get("/reports/funnel/", OCTOBER, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report">')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_unknown_csv_table_is_not_found(client_for, manager):
    assert client_for(manager).get("/reports/funnel/", {"format": "csv", "table": "nope"}).status_code == 404


def test_going_back_after_an_htmx_swap_gets_the_whole_page(client_for, manager):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client_for(manager).get("/reports/funnel/", headers=headers).content.decode()
