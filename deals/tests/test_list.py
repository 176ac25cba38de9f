import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from campaigns.tests.factories import CampaignFactory
from companies.models import Company
from crm.csv import safe_cell
from deals.models import Deal
from deals.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db


def test_the_deal_list_sorts_by_a_whitelisted_column_and_ignores_others(client_for, manager):
    # Titles no random factory value (a company, a name) can contain.
    DealFactory(title="Deal-of-ten", amount=Decimal("10"))
    DealFactory(title="Deal-of-nine-thousand", amount=Decimal("9000"))
    client = client_for(manager)
    html = client.get("/deals/?sort=-amount").content.decode()
    assert html.index("Deal-of-nine-thousand") < html.index("Deal-of-ten")
    html = client.get("/deals/?sort=amount").content.decode()
    assert html.index("Deal-of-ten") < html.index("Deal-of-nine-thousand")
    assert client.get("/deals/?sort=owner__password").status_code == 200


def test_the_deal_list_filters_by_stage_and_paginates(client_for, manager, rep):
    Deal.objects.bulk_create(
        Deal(title=f"Listed {n:03}", owner=rep, stage=stage_named("Demo"), position=n) for n in range(60)
    )
    DealFactory(title="Elsewhere", stage=stage_named("Proposal"))
    client = client_for(manager)
    first = client.get(f"/deals/?stage={stage_named('Demo').pk}").content.decode()
    assert "Elsewhere" not in first
    assert "60 deals" in first
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get(f"/deals/?stage={stage_named('Demo').pk}&page=2").content.decode()


def test_the_deal_list_runs_the_same_number_of_queries_for_2_and_20_deals(client_for, manager, rep):
    counts = []
    client = client_for(manager)
    for size in (2, 18):
        DealFactory.create_batch(size, owner=rep)
        client.get("/deals/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/deals/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_csv_export_has_the_filtered_deals_and_neutralises_formulas(client_for, manager, rep, other_rep):
    DealFactory(owner=rep, title='=HYPERLINK("http://evil")', company="+Acme", amount=Decimal("1500.00"))
    DealFactory(owner=other_rep, title="Not mine")
    response = client_for(manager).get(f"/deals/export.csv?owner={rep.pk}")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["id", "title", "company"]
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert rows[1][2] == "'+Acme"
    assert rows[1][6] == "1500.00"


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Acme", "Acme"), (None, "")],
)
def test_safe_cell_neutralises_spreadsheet_formulas(value, cell):
    assert safe_cell(value) == cell


def test_safe_cell_keeps_numbers_as_numbers():
    assert safe_cell(Decimal("-5.00")) == Decimal("-5.00")


def test_the_excel_export_has_the_filtered_deals_typed_and_formulas_as_text(client_for, manager, rep, other_rep):
    account = Company.objects.create(name="Acme Corporation")
    DealFactory(owner=rep, title='=HYPERLINK("http://evil")', account=account, amount=Decimal("1500.00"))
    DealFactory(owner=other_rep, title="Not mine")
    response = client_for(manager).get(f"/deals/export.xlsx?owner={rep.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header, *rows = sheet.iter_rows(values_only=True)
    [deal] = [dict(zip(header, row, strict=True)) for row in rows]
    assert deal["title"] == '\'=HYPERLINK("http://evil")'
    assert deal["account"] == "Acme Corporation"
    assert deal["amount"] == 1500
    assert deal["created"].year >= 2026


def test_the_deal_list_links_both_exports_with_its_filters(client_for, manager, rep):
    page = client_for(manager).get(f"/deals/?owner={rep.pk}&page=2").content.decode()
    assert f'href="/deals/export.csv?owner={rep.pk}"' in page
    assert f'href="/deals/export.xlsx?owner={rep.pk}"' in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_runs_the_same_number_of_queries_for_2_and_20_deals(client_for, manager, rep, fmt):
    counts = []
    client = client_for(manager)
    for size in (2, 18):
        for _ in range(size):
            DealFactory(owner=rep, account=Company.objects.create(name="X"), source_campaign=CampaignFactory())
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(f"/deals/export.{fmt}").streaming_content)
        counts.append(len(queries))
    assert counts[0] == counts[1]
