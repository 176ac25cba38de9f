"""CSV exports that are safe to open in a spreadsheet.

A cell that starts with =, +, -, @ (or a tab / carriage return) is read as a formula by Excel and
LibreOffice; a lead or deal name typed by anyone on the internet must never run as one. Such cells get a
leading apostrophe, which spreadsheets show as plain text.
"""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a CSV cell that a spreadsheet will not evaluate; numbers pass unchanged (a negative
    amount is a number, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class Echo:
    """A file-like object whose write returns the line, for streaming CSV responses."""

    def write(self, value):
        return value


def safe_rows(header, rows):
    """Yield CSV lines for a header and an iterable of rows, every cell through `safe_cell`."""
    writer = csv.writer(Echo())
    yield writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """Stream `rows` under `header` as a downloadable, formula-safe CSV file."""
    response = StreamingHttpResponse(safe_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
