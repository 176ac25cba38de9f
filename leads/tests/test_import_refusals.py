"""A lead import refuses, at upload and with a message on the form, files that are neither CSV text nor a
readable Excel workbook, or too big."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import LeadImport

pytestmark = pytest.mark.django_db


def post_file(client, content: bytes, name="leads.csv"):
    return client.post("/leads/import/", {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def form_errors(response) -> str:
    return " ".join(str(error) for error in response.context["form"].errors["file"])


def test_a_damaged_spreadsheet_renamed_to_csv_is_refused(client_for, marketer):
    xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00email\x00\x00"  # a zip, as .xlsx files are
    response = post_file(client_for(marketer), xlsx, name="leads.xlsx.csv")
    assert response.status_code == 200
    assert "This Excel workbook cannot be read" in form_errors(response)
    assert not LeadImport.objects.exists()


def test_utf16_text_is_refused_as_binary(client_for, marketer):
    response = post_file(client_for(marketer), "email\nzoe@example.com\n".encode("utf-16-le"))
    assert "neither a CSV text file nor an Excel workbook" in form_errors(response)
    assert not LeadImport.objects.exists()


def test_binary_data_after_a_good_start_is_refused_at_upload(client_for, marketer):
    text = b"email\n" + b"".join(f"p{i}@example.com\n".encode() for i in range(10_000)) + b"\x00\x00\x00\x00"
    assert b"\x00" not in text[:65536]
    response = post_file(client_for(marketer), text)
    assert "neither a CSV text file nor an Excel workbook" in form_errors(response)
    assert not LeadImport.objects.exists()


def test_a_file_over_the_configured_size_is_refused(client_for, marketer, settings):
    settings.LEAD_IMPORT_MAX_BYTES = 1024
    content = b"email\n" + b"x" * 1100
    response = post_file(client_for(marketer), content)
    assert response.status_code == 200
    assert "The file is larger than 1.0" in form_errors(response)
    assert not LeadImport.objects.exists()


def test_a_file_at_the_configured_size_is_accepted(client_for, marketer, settings):
    content = b"email\n" + b"a@example.com\n" * 73
    settings.LEAD_IMPORT_MAX_BYTES = len(content)
    response = post_file(client_for(marketer), content)
    assert response.status_code == 302
    assert LeadImport.objects.get().headers == ["email"]
