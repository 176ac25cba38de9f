"""The company list's export: the companies the list shows (same filters, same order), as CSV or Excel."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company, CompanyDomain
from crm.tests.spreadsheet import looks_like_a_formula
from leads.tests.test_export import csv_rows, workbook_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(rep):
    acme = Company.objects.create(
        name="Acme",
        industry="Software",
        size_band="51-200",
        owner=rep,
        account_score=80.4,
        people_count=4,
        open_pipeline=Decimal("1200.50"),
        top_stage_rank=3,
        aliases=["Acme Inc"],
    )
    CompanyDomain.objects.create(company=acme, domain="acme.com")
    CompanyDomain.objects.create(company=acme, domain="acme.io")
    Company.objects.create(name="=HYPERLINK(1)", industry="Software", account_score=20)
    Company.objects.create(name="Bolt", industry="Logistics", account_score=90)
    return acme


def test_the_csv_lists_the_filtered_companies_in_the_lists_order_with_safe_cells(companies, client_for, marketer):
    rows = csv_rows(client_for(marketer).get("/companies/export.csv?industry=Software&sort=score"))
    assert [row["name"] for row in rows] == ["Acme", "'=HYPERLINK(1)"]
    acme = rows[0]
    assert acme["domains"] == "acme.com acme.io"
    assert acme["other names"] == "Acme Inc"
    assert acme["account score"] == "80"
    assert acme["open pipeline"] == "1200.50"
    assert acme["most advanced stage"] == "MQL"
    assert not any(looks_like_a_formula(cell) for row in rows for cell in row.values())


def test_the_workbook_keeps_numbers_as_numbers(companies, client_for, rep):
    rows = workbook_rows(client_for(rep).get("/companies/export.xlsx?sort=people"))
    assert [row["name"] for row in rows][0] == "Acme"
    assert rows[0]["people"] == 4
    assert rows[0]["open pipeline"] == Decimal("1200.50") or rows[0]["open pipeline"] == 1200.5


def test_the_export_costs_the_same_queries_for_3_or_30_companies(companies, client_for, manager):
    client = client_for(manager)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get("/companies/export.csv").streaming_content)
        return len(captured)

    few = queries()
    for n in range(27):
        CompanyDomain.objects.create(company=Company.objects.create(name=f"C{n}"), domain=f"c{n}.com")
    assert queries() == few
