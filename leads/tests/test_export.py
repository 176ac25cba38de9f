"""The lead list's export: the leads the page lists (same filters, same order), as CSV or Excel."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from campaigns.tests.factories import CampaignFactory
from companies.models import Company
from crm.people import display_name
from crm.tests.spreadsheet import looks_like_a_formula
from leads.models import LifecycleStage
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))


def workbook_rows(response) -> list[dict]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def listed(rep):
    """Two MQLs (one with a formula for a company) and a lead the filter leaves out."""
    spring = CampaignFactory(name="Spring webinar")
    account = Company.objects.create(name="Acme Corporation")
    LeadFactory(
        email="ann@acme.com",
        company='=HYPERLINK("http://evil")',
        account=account,
        stage=LifecycleStage.MQL,
        score=80,
        owner=rep,
        first_touch_campaign=spring,
    )
    LeadFactory(email="bo@beta.io", company="Beta", stage=LifecycleStage.MQL, score=55)
    LeadFactory(email="cy@gamma.io", company="Gamma", stage=LifecycleStage.LEAD, score=90)


def test_the_csv_export_has_the_filtered_leads_in_the_list_order_with_formulas_neutralised(client_for, rep, listed):
    rows = csv_rows(client_for(rep).get("/leads/export.csv", {"stage": "mql", "sort": "score_low"}))
    assert [row["email"] for row in rows] == ["bo@beta.io", "ann@acme.com"]
    ann = rows[1]
    assert ann["company"] == '\'=HYPERLINK("http://evil")'
    assert ann["account"] == "Acme Corporation"
    assert (ann["stage"], ann["score"], ann["owner"], ann["campaign"]) == (
        "MQL",
        "80",
        display_name(rep),
        "Spring webinar",
    )
    assert not [cell for row in rows for cell in row.values() if looks_like_a_formula(cell)]


def test_the_excel_export_has_the_filtered_leads_typed_and_readable(client_for, marketer, listed):
    response = client_for(marketer).get("/leads/export.xlsx", {"stage": "mql", "q": "acme"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    [ann] = workbook_rows(response)
    assert ann["email"] == "ann@acme.com"
    assert ann["score"] == 80
    assert ann["company"] == '\'=HYPERLINK("http://evil")'
    assert ann["account"] == "Acme Corporation"
    assert ann["created"].year >= 2026


def test_a_rep_exports_only_the_leads_a_rep_sees(client_for, rep, listed):
    assert len(csv_rows(client_for(rep).get("/leads/export.csv"))) == 3
    assert len(workbook_rows(client_for(rep).get("/leads/export.xlsx"))) == 3


def test_the_export_runs_the_same_number_of_queries_for_3_and_30_leads(client_for, manager):
    client = client_for(manager)
    counts = []
    for more in (3, 27):
        for _ in range(more):
            LeadFactory(owner=manager, first_touch_campaign=CampaignFactory(), account=Company.objects.create(name="X"))
        for url in ("/leads/export.csv", "/leads/export.xlsx"):
            with CaptureQueriesContext(connection) as queries:
                b"".join(client.get(url, {"sort": "oldest"}).streaming_content)
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


def test_the_lead_list_links_its_exports_with_the_current_filters(client_for, rep, listed):
    page = client_for(rep).get("/leads/", {"stage": "mql", "after": "x"}).content.decode()
    assert 'href="/leads/export.csv?stage=mql"' in page
    assert 'href="/leads/export.xlsx?stage=mql"' in page
