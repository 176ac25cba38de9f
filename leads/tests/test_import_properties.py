"""Properties of the lead CSV import for any file a user could upload: it never fails with anything but its
own reasons (ImportFileError for the file, a line in the errors CSV for a row), and what a well-formed
file says is what the leads hold afterwards."""

import codecs
import csv
import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st

from crm.tests.properties import QUICK, WITH_DATABASE, rolled_back
from leads.imports.run import parse_row, run_import
from leads.imports.upload import ImportFileError, queue_import, read_headers, start_import
from leads.models import Lead, LeadImport

# Any text a spreadsheet could hold, NUL and control characters included (surrogates cannot be encoded).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
# Text that survives a database: no NUL (PostgreSQL refuses it in text columns).
clean_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
emails = st.builds("{}@example.com".format, st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True))
COLUMNS = ["email", "first_name", "company"]


def csv_bytes(rows, *, bom=False, line_end="\r\n") -> bytes:
    """Rows as a spreadsheet would save them; with other line ends than \\r\\n every cell is quoted (as
    spreadsheets do), else a line break inside a cell would be read as the end of the record."""
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_MINIMAL if line_end == "\r\n" else csv.QUOTE_ALL
    csv.writer(buffer, lineterminator=line_end, quoting=quoting).writerows(rows)
    return (codecs.BOM_UTF8 if bom else b"") + buffer.getvalue().encode()


# Files: random bytes, or CSV made of random records (valid emails often, any text in the other cells).
records = st.lists(st.lists(st.one_of(emails, any_text), min_size=0, max_size=4), max_size=8)
files = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda rows, bom: csv_bytes([COLUMNS, *rows], bom=bom), records, st.booleans()),
    st.builds(lambda text: text.encode(), any_text),
)


def upload(content: bytes):
    return SimpleUploadedFile("leads.csv", content, content_type="text/csv")


@QUICK
@given(files)
@example(b"")
@example(b"\xff\xfeb\x00a\x00d\x00")
@example(b",,,\n")
@example(b"email\rada@example.com\r")
def test_reading_the_header_of_any_file_fails_only_with_a_reason_for_the_user(content):
    try:
        encoding, headers = read_headers(upload(content))
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert encoding in ("utf-8", "utf-8-sig")
        assert any(headers)


@QUICK
@given(st.lists(st.one_of(emails, any_text), max_size=5), st.integers(min_value=1, max_value=5))
@example(["ada@example.com", "A\x00da"], 2)
def test_parsing_any_record_gives_a_row_or_the_reason_it_is_refused(cells, width):
    mapping = dict(enumerate(COLUMNS[:width]))
    try:
        row = parse_row(2, cells, width, mapping)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert row.email == cells[0].strip()
        assert row.key == row.email.lower()
        assert "\x00" not in "".join(row.contact.values())


@WITH_DATABASE
@given(files)
@example(csv_bytes([COLUMNS, ["nul@example.com", "Ad\x00a", "Acme"]]))
@example(csv_bytes([COLUMNS, ["x@example.com", "Ada"]]))
@example(b'email\n"unterminated@example.com\n')
def test_importing_any_file_ends_done_or_failed_with_a_reason(db, settings, tmp_path, content):
    settings.MEDIA_ROOT = tmp_path
    with rolled_back():
        try:
            lead_import = start_import(uploaded=upload(content), by=None)
        except ImportFileError:
            return
        mapping = {str(index): field for index, field in enumerate(COLUMNS[: len(lead_import.headers)])}
        queue_import(lead_import=lead_import, mapping=mapping, campaign=None)
        finished = run_import(lead_import.pk)
        assert finished.status in (LeadImport.Status.DONE, LeadImport.Status.FAILED)
        if finished.status == LeadImport.Status.FAILED:
            assert finished.error
        else:
            assert finished.processed == finished.created + finished.merged + finished.failed
            assert Lead.objects.count() == finished.created


@WITH_DATABASE
@given(
    st.lists(st.tuples(clean_text, clean_text), min_size=1, max_size=15),
    st.booleans(),
    st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_well_formed_rows_round_trip_into_leads(db, settings, tmp_path, rows, bom, line_end):
    """Commas, quotes, line breaks and any script in a cell arrive in the lead as they were (trimmed), whatever
    the line endings (a carriage return alone: old spreadsheets), with or without a byte-order mark."""
    settings.MEDIA_ROOT = tmp_path
    records = [[f"lead{i}@example.com", first, company] for i, (first, company) in enumerate(rows)]
    content = csv_bytes([COLUMNS, *records], bom=bom, line_end=line_end)
    with rolled_back():
        lead_import = start_import(uploaded=upload(content), by=None)
        queue_import(lead_import=lead_import, mapping={"0": "email", "1": "first_name", "2": "company"}, campaign=None)
        finished = run_import(lead_import.pk)
        assert (finished.status, finished.created, finished.failed) == (LeadImport.Status.DONE, len(rows), 0)
        stored = {lead.email: (lead.first_name, lead.company) for lead in Lead.objects.all()}
        assert stored == {
            f"lead{i}@example.com": (first.strip(), company.strip()) for i, (first, company) in enumerate(rows)
        }
