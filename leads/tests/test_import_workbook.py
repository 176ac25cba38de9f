"""Importing leads from an Excel workbook, the mapping page's samples, the error report's original cells and
the list of one import's leads."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from leads.imports.files import cell_text
from leads.models import Lead, LeadImport
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_file(rows, name="leads.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def csv_file(text: str, name="leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def import_through_the_pages(client, uploaded, mapping, django_capture_on_commit_callbacks) -> LeadImport:
    response = client.post("/leads/import/", {"file": uploaded})
    assert response.status_code == 302, response.context["form"].errors
    lead_import = LeadImport.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/leads/import/{lead_import.pk}/mapping/", mapping)
    lead_import.refresh_from_db()
    return lead_import


def error_report(client, lead_import) -> list[list[str]]:
    response = client.get(f"/leads/import/{lead_import.pk}/errors.csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))


def test_a_workbook_is_imported_with_its_cells_read_as_a_csv_would_hold_them(
    client_for, marketer, django_capture_on_commit_callbacks
):
    rows = [
        ["Email", "First name", "Phone", "Company", "Employees", None],
        ["ann@example.com", "Ann", 4915112345678, "Acme", "11-50"],
        [None, None, None, None, None],  # a blank row is not a record
        ["bo@example.com", "Bo", 33.5, datetime.date(2026, 5, 1), "201-1000", None],
        ["not-an-email", "Cy", None, "@Acme", None],
    ]
    client = client_for(marketer)
    mapping = {"column_0": "email", "column_1": "first_name", "column_2": "phone", "column_3": "company"}
    mapping["column_4"] = "company_size"
    lead_import = import_through_the_pages(client, workbook_file(rows), mapping, django_capture_on_commit_callbacks)

    assert lead_import.is_workbook
    assert lead_import.headers == ["Email", "First name", "Phone", "Company", "Employees"]
    assert (lead_import.status, lead_import.total_rows) == (LeadImport.Status.DONE, 3)
    assert (lead_import.created, lead_import.failed) == (2, 1)
    ann, bo = Lead.objects.order_by("email")
    assert (ann.first_name, ann.phone, ann.company, ann.company_size) == ("Ann", "4915112345678", "Acme", "11-50")
    assert (bo.phone, bo.company) == ("33.5", "2026-05-01")
    report = error_report(client, lead_import)
    assert report[0] == ["line", "reason", "Email", "First name", "Phone", "Company", "Employees"]
    assert report[1] == ["5", "Invalid email: not-an-email.", "not-an-email", "Cy", "", "'@Acme", ""]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (42.0, "42"),
        (0.25, "0.25"),
        (7, "7"),
        (True, "TRUE"),
        # A workbook's dates have no time zone.
        (datetime.datetime(2026, 5, 1), "2026-05-01"),  # noqa: DTZ001
        (datetime.datetime(2026, 5, 1, 10, 30), "2026-05-01 10:30:00"),  # noqa: DTZ001
        (datetime.time(9, 15), "09:15:00"),
        (" Acme ", " Acme "),
    ],
)
def test_a_workbook_cell_becomes_the_text_a_csv_would_hold(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"PK\x03\x04 this zip archive stops here", "leads.xlsx"),
        (b"not a workbook at all, only text", "leads.xlsx"),
        (b"", "leads.xlsx"),
    ],
)
def test_a_damaged_workbook_is_refused_on_the_form(client_for, marketer, content, name):
    response = client_for(marketer).post("/leads/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not LeadImport.objects.exists()


def test_a_workbook_without_a_header_row_is_refused_on_the_form(client_for, marketer):
    response = client_for(marketer).post("/leads/import/", {"file": workbook_file([])})
    assert "must name the columns" in str(response.context["form"].errors["file"])


def test_the_mapping_page_shows_three_values_of_each_column_escaped(client_for, marketer):
    text = "email,first name,notes\n" + "".join(f"p{i}@example.com,,<b>note {i}</b>\n" for i in range(5))
    text += "p9@example.com,Late,\n"
    client = client_for(marketer)
    client.post("/leads/import/", {"file": csv_file(text)})
    page = client.get(f"/leads/import/{LeadImport.objects.get().pk}/mapping/").content.decode()
    assert "<q>p0@example.com</q> · <q>p1@example.com</q> · <q>p2@example.com</q>" in page
    assert "p3@example.com" not in page
    assert "<q>Late</q>" in page  # the first value of a column empty in the first rows
    assert "<q>&lt;b&gt;note 0&lt;/b&gt;</q>" in page
    assert "<b>note" not in page


def test_the_mapping_page_shows_samples_of_a_workbook(client_for, marketer):
    client = client_for(marketer)
    client.post("/leads/import/", {"file": workbook_file([["email", "size"], ["a@example.com", 12.0]])})
    page = client.get(f"/leads/import/{LeadImport.objects.get().pk}/mapping/").content.decode()
    assert "<q>a@example.com</q>" in page
    assert "<q>12</q>" in page


def test_the_error_report_carries_each_refused_rows_own_cells(client_for, marketer, django_capture_on_commit_callbacks):
    text = "email,company,campaign\nok@example.com,Acme,\nbad,Beta,\nfine@example.com,Gamma,no-such-campaign\n"
    text += "short@example.com\n"
    client = client_for(marketer)
    mapping = {"column_0": "email", "column_1": "company", "column_2": "campaign"}
    lead_import = import_through_the_pages(client, csv_file(text), mapping, django_capture_on_commit_callbacks)
    assert error_report(client, lead_import) == [
        ["line", "reason", "email", "company", "campaign"],
        ["3", "Invalid email: bad.", "bad", "Beta", ""],
        ["4", "Unknown campaign 'no-such-campaign'.", "fine@example.com", "Gamma", "no-such-campaign"],
        ["5", "Expected 3 columns, found 1.", "short@example.com"],
    ]


def test_see_the_imported_leads_lists_the_leads_of_this_import_only(
    client_for, marketer, django_capture_on_commit_callbacks
):
    LeadFactory(email="known@example.com", first_name="Known")
    LeadFactory(email="untouched@example.com", first_name="Untouched")
    client = client_for(marketer)
    mapping = {"column_0": "email"}
    earlier = import_through_the_pages(
        client, csv_file("email\nearlier@example.com\n", "a.csv"), mapping, django_capture_on_commit_callbacks
    )
    text = "email\nnew@example.com\nKNOWN@example.com\n"
    lead_import = import_through_the_pages(client, csv_file(text, "b.csv"), mapping, django_capture_on_commit_callbacks)

    summary = client.get(f"/leads/import/{lead_import.pk}/").content.decode()
    link = f"/leads/?lead_import={lead_import.pk}"
    assert f'href="{link}"' in summary
    page = client.get(link).content.decode()
    assert "new@example.com" in page
    assert "known@example.com" in page  # merged into by the import
    assert "untouched@example.com" not in page
    assert "earlier@example.com" not in page
    assert "Only the leads of the import of b.csv" in page
    assert "earlier@example.com" in client.get(f"/leads/?lead_import={earlier.pk}").content.decode()


def test_a_rep_cannot_list_the_leads_of_an_import(client_for, rep, marketer, django_capture_on_commit_callbacks):
    client = client_for(marketer)
    lead_import = import_through_the_pages(
        client,
        csv_file("email\nnew@example.com\n", "secret-list.csv"),
        {"column_0": "email"},
        django_capture_on_commit_callbacks,
    )
    page = client_for(rep).get(f"/leads/?lead_import={lead_import.pk}").content.decode()
    assert "secret-list.csv" not in page
