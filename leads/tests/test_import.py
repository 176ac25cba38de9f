import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.imports.run import parse_row
from leads.imports.upload import ImportFileError, guess_mapping, queue_import, start_import
from leads.models import CaptureSource, Lead, LeadEvent, LeadImport, ScoreRequest
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def upload(text: str | bytes, name="leads.csv"):
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """`run(text, user)`: upload, accept the guessed mapping and run the task (eager in unit tests)."""

    def upload_and_import(text, user, campaign=None, mapping=None):
        lead_import = start_import(uploaded=upload(text), by=user)
        with django_capture_on_commit_callbacks(execute=True):
            queue_import(lead_import=lead_import, mapping=mapping or lead_import.mapping, campaign=campaign)
        lead_import.refresh_from_db()
        return lead_import

    return upload_and_import


def error_rows(lead_import):
    with lead_import.errors_file.open("rb") as file:
        return list(csv.DictReader(io.StringIO(file.read().decode())))


def test_columns_are_guessed_from_header_names():
    mapping = guess_mapping(["E-mail", "First Name", "Surname", "Organisation", "Job title", "Employees", "Notes"])
    assert mapping == {
        "0": "email",
        "1": "first_name",
        "2": "last_name",
        "3": "company",
        "4": "job_title",
        "5": "company_size",
    }


def test_good_rows_are_imported_and_bad_rows_reported_with_their_line_numbers(run, marketer, campaign):
    text = (
        "email,first name,company,size,campaign\n"
        "ok1@example.com,Ann,Acme,11-50,\n"
        "not-an-email,Bob,Acme,,\n"
        "ok2@example.com,Cy,Acme,huge,\n"
        "ok3@example.com,Di,Acme\n"
        ",Ed,Acme,,\n"
        "ok4@example.com,Fi,Acme,,missing-campaign\n"
        "ok5@example.com,Gus,Acme,5000+,spring-webinar\n"
    )
    lead_import = run(text, marketer)
    assert lead_import.status == LeadImport.Status.DONE
    assert (lead_import.processed, lead_import.created, lead_import.merged, lead_import.failed) == (7, 2, 0, 5)
    assert set(Lead.objects.values_list("email", flat=True)) == {"ok1@example.com", "ok5@example.com"}
    errors = {int(row["line"]): row["reason"] for row in error_rows(lead_import)}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "Invalid email" in errors[3]
    assert "Company size 'huge'" in errors[4]
    assert "Expected 5 columns, found 3" in errors[5]
    assert "Email is empty" in errors[6]
    assert "Unknown campaign 'missing-campaign'" in errors[7]
    assert Lead.objects.get(email="ok5@example.com").first_touch_campaign == campaign


def test_duplicates_in_the_file_and_in_the_database_are_merged_never_doubled(run, marketer):
    LeadFactory(email="known@example.com", company="Kept Co", job_title="Old title")
    text = (
        "email,company,job title\n"
        "KNOWN@example.com,,New title\n"
        "twice@example.com,First Co,\n"
        "Twice@Example.com,,Engineer\n"
    )
    lead_import = run(text, marketer)
    assert (lead_import.created, lead_import.merged, lead_import.failed) == (1, 2, 0)
    known = Lead.objects.get(email="known@example.com")
    assert (known.company, known.job_title) == ("Kept Co", "New title")
    twice = Lead.objects.get(email="twice@example.com")
    assert (twice.company, twice.job_title, twice.source) == ("First Co", "Engineer", CaptureSource.IMPORT)
    assert Lead.objects.count() == 2


def test_imported_and_merged_leads_are_scored_and_a_reimport_changes_nothing(run, marketer):
    known = LeadFactory(email="known@example.com", job_title="Student")
    text = "email,job title\nKNOWN@example.com,VP Marketing\nnew@example.com,Chief Revenue Officer\n"
    run(text, marketer)
    leads = {lead.email: lead for lead in Lead.objects.all()}
    for lead in leads.values():
        # The import event is each lead's newest event, and the fit rules' job-title points count.
        assert lead.last_event_at == lead.events.get().occurred_at
        assert lead.score >= 15 and lead.scored_at is not None
    assert not ScoreRequest.objects.exists()  # every request was answered
    assert leads["known@example.com"].pk == known.pk

    scored = dict(Lead.objects.values_list("email", "scored_at"))
    run(text, marketer)
    assert dict(Lead.objects.values_list("email", "scored_at")) == scored


def test_a_file_with_a_byte_order_mark_is_read(run, marketer):
    lead_import = run("\ufeffEmail,First name\nbom@example.com,Bo\n".encode(), marketer)
    assert lead_import.mapping == {"0": "email", "1": "first_name"}
    assert Lead.objects.get().first_name == "Bo"


def test_a_file_that_is_not_utf8_is_refused_at_upload_with_a_clear_message(client_for, marketer):
    latin1 = "email,first name\nzoe@example.com,Zoë\n".encode("latin-1")
    response = client_for(marketer).post("/leads/import/", {"file": upload(latin1)})
    assert response.status_code == 200
    assert "not UTF-8 text" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_a_binary_file_is_refused_at_upload_with_a_clear_message(client_for, marketer):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00"  # an old .xls spreadsheet
    response = client_for(marketer).post("/leads/import/", {"file": upload(xls)})
    assert response.status_code == 200
    assert "neither a CSV text file nor an Excel workbook" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_a_file_named_at_length_without_csv_at_the_end_is_stored_and_keeps_its_name(client_for, marketer):
    # Everything after the dot looks like an extension, too long for the storage to cut the name before it.
    name = (
        "Leads from Dr. Smith's booth in São Paulo, collected over three days by the events team, all regions, "
        "deduplicated by hand, final version agreed with sales on Monday"
    )
    response = client_for(marketer).post("/leads/import/", {"file": upload("email\na@example.com\n", name=name)})
    assert response.status_code == 302
    lead_import = LeadImport.objects.get()
    assert lead_import.original_name == name
    assert lead_import.file.name.endswith(".csv")
    assert len(lead_import.file.name) <= LeadImport._meta.get_field("file").max_length


def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_read(run, marketer):
    lead_import = run(b"email,first name\rcr@example.com,Cy\r", marketer)
    assert lead_import.mapping == {"0": "email", "1": "first_name"}
    assert Lead.objects.get().first_name == "Cy"


def test_a_nul_character_anywhere_refuses_the_file_and_a_stored_row_holding_one_is_refused_alone(marketer):
    # The upload refuses the file (binary data, which PostgreSQL could not store) ...
    with pytest.raises(ImportFileError, match="neither a CSV text file"):
        text = b"email,first name\nok@example.com,Ok\n" + b"x" * 70_000 + b"\nn@x.io,N\x00\n"
        start_import(uploaded=upload(text), by=marketer)
    # ... and should such a row reach the importer anyway, it is refused alone, with a reason.
    with pytest.raises(ValidationError, match="NUL character"):
        parse_row(3, ["n@example.com", "N\x00"], 2, {0: "email", 1: "first_name"})


def test_a_bad_byte_far_into_the_file_fails_the_import_before_anything_is_written(run, marketer):
    text = b"email\n" + b"".join(f"p{i}@example.com\n".encode() for i in range(5000)) + b"caf\xe9@example.com\n"
    lead_import = run(text, marketer)
    assert lead_import.status == LeadImport.Status.FAILED
    assert "not UTF-8 text" in lead_import.error
    assert not Lead.objects.exists()


def test_a_file_without_an_email_column_cannot_be_started(client_for, marketer):
    client = client_for(marketer)
    response = client.post("/leads/import/", {"file": upload("name,company\nAnn,Acme\n")}, follow=True)
    assert "No column looks like an email address" in response.content.decode()
    lead_import = LeadImport.objects.get()
    response = client.post(f"/leads/import/{lead_import.pk}/mapping/", {"column_0": "first_name", "column_1": ""})
    assert response.status_code == 200
    assert "Choose the column that holds the email address" in response.content.decode()
    lead_import.refresh_from_db()
    assert lead_import.status == LeadImport.Status.MAPPING


def test_ten_thousand_rows_are_all_accounted_for_and_a_reimport_creates_nothing(run, marketer):
    rows = ["email,first name,last name,company"]
    for i in range(10_000):
        if i % 1000 == 7:
            rows.append(f"broken-{i},No,Email,Acme")
        else:
            rows.append(f"person{i % 9500}@example.com,P{i},L{i},Company {i % 37}")
    text = "\n".join(rows) + "\n"
    expected = {f"person{i % 9500}@example.com" for i in range(10_000) if i % 1000 != 7}
    first = run(text, marketer)
    assert first.processed == 10_000
    assert first.failed == 10
    assert first.created == len(expected)
    assert first.created + first.merged + first.failed == 10_000
    assert set(Lead.objects.values_list("email", flat=True)) == expected
    assert sorted(int(row["line"]) for row in error_rows(first)) == [i + 2 for i in range(10_000) if i % 1000 == 7]
    events = LeadEvent.objects.count()

    again = run(text, marketer)
    assert (again.created, again.merged, again.failed) == (0, 9_990, 10)
    assert Lead.objects.count() == len(expected)
    assert LeadEvent.objects.count() == events


def test_the_upload_mapping_and_progress_pages_take_a_marketer_to_the_summary(
    client_for, marketer, django_capture_on_commit_callbacks
):
    client = client_for(marketer)
    response = client.post("/leads/import/", {"file": upload("Email,Company\na@example.com,Acme\nbad,Acme\n")})
    lead_import = LeadImport.objects.get()
    assert response["Location"] == f"/leads/import/{lead_import.pk}/mapping/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response["Location"], {"column_0": "email", "column_1": "company"})
    assert response["Location"] == f"/leads/import/{lead_import.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "1</strong> created" in page
    assert "1</strong> failed" in page
    download = client.get(f"/leads/import/{lead_import.pk}/errors.csv")
    assert download["Content-Disposition"].startswith("attachment")
    assert b'"3","Invalid email: bad.","bad","Acme"' in b"".join(download.streaming_content)


def test_the_progress_partial_polls_until_the_import_is_done(client_for, marketer, django_capture_on_commit_callbacks):
    lead_import = start_import(uploaded=upload("email\na@example.com\n"), by=marketer)
    client = client_for(marketer)
    running = client.get(f"/leads/import/{lead_import.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "<html" not in running.content.decode()
    assert running["Vary"].find("HX-Request") >= 0
    with django_capture_on_commit_callbacks(execute=True):
        queue_import(lead_import=lead_import, mapping={"0": "email"}, campaign=None)
    done = client.get(f"/leads/import/{lead_import.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert 'data-percent="100"' in done
