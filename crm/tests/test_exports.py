"""crm/exports.py: one list of columns written as CSV or as an Excel workbook, typed and formula-safe."""

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.http import Http404
from openpyxl import load_workbook

from crm import exports
from crm.exports import export_response, write_export
from crm.tests.spreadsheet import looks_like_a_formula

COLUMNS = [
    ("name", lambda row: row.name),
    ("amount", lambda row: row.amount),
    ("seats", lambda row: row.seats),
    ("closes", lambda row: row.closes),
    ("created", lambda row: row.created),
    ("opted in", lambda row: row.opted_in),
    ("note", lambda row: row.note),
]
CREATED = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)


def a_row(name="Acme", **fields):
    values = {
        "amount": Decimal("1500.50"),
        "seats": 12,
        "closes": datetime.date(2026, 4, 30),
        "created": CREATED,
        "opted_in": True,
        "note": None,
    }
    return SimpleNamespace(name=name, **(values | fields))


def read_workbook(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_a_workbook_keeps_numbers_and_dates_typed(settings):
    settings.TIME_ZONE = "Europe/Paris"
    file = io.BytesIO()
    write_export("xlsx", COLUMNS, [a_row()], file)
    header, row = read_workbook(file.getvalue())
    assert header == ("name", "amount", "seats", "closes", "created", "opted in", "note")
    assert row[1] == pytest.approx(1500.5)
    assert row[2] == 12
    # Excel stores a date as a date-time at midnight, and times without a time zone (the site's).
    assert row[3] == datetime.datetime(2026, 4, 30)  # noqa: DTZ001
    assert row[4] == datetime.datetime(2026, 3, 1, 10, 30)  # noqa: DTZ001
    assert row[5:] == ("yes", None)


def test_a_workbook_writes_formula_text_as_text_and_drops_characters_excel_refuses():
    payloads = ["=1+2", "@SUM(A1)", '=HYPERLINK("http://x","y")', "+Acme", "\u3000＝1+2", "Bell\x07 & Co"]
    file = io.BytesIO()
    write_export("xlsx", COLUMNS, [a_row(name) for name in payloads], file)
    workbook = load_workbook(io.BytesIO(file.getvalue()))
    cells = [row[0] for row in workbook.worksheets[0].iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(payloads)
    names = [cell.value for cell in cells]
    assert not [name for name in names if looks_like_a_formula(name)]
    assert names == ["'=1+2", "'@SUM(A1)", '\'=HYPERLINK("http://x","y")', "'+Acme", "'\u3000＝1+2", "Bell & Co"]


def test_a_csv_writes_dates_in_iso_8601_and_neutralises_formulas(settings):
    settings.TIME_ZONE = "Europe/Paris"
    file = io.BytesIO()
    write_export("csv", COLUMNS, [a_row("=1+2")], file)
    rows = list(csv.reader(io.StringIO(file.getvalue().decode(), newline="")))
    assert rows[1] == ["'=1+2", "1500.50", "12", "2026-04-30", "2026-03-01T10:30:00+01:00", "yes", ""]


def test_the_download_is_named_after_the_list_and_the_day():
    response = export_response("xlsx", "leads", COLUMNS, iter([a_row()]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    assert read_workbook(b"".join(response.streaming_content))[1][0] == "Acme"
    response = export_response("csv", "leads", COLUMNS, iter([a_row()]))
    assert response["Content-Disposition"].endswith('.csv"')


def test_an_unknown_format_is_a_page_that_does_not_exist():
    with pytest.raises(Http404):
        export_response("pdf", "leads", COLUMNS, iter([]))
    with pytest.raises(ValueError, match="pdf"):
        write_export("pdf", COLUMNS, [], io.BytesIO())


def test_an_export_longer_than_an_excel_sheet_goes_on_in_the_next_sheet(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 3)
    file = io.BytesIO()
    exports.write_export("xlsx", [("n", lambda n: n)], iter(range(7)), file)
    workbook = load_workbook(file, read_only=True)
    sheets = [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets]
    assert sheets == [["n", 0, 1, 2], ["n", 3, 4, 5], ["n", 6]]
