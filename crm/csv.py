"""Every CSV Relay writes, safe to open in a spreadsheet: exports, downloads and the import's error report.

A cell that starts with =, +, -, @ (or a tab / carriage return) is read as a formula by Excel and
LibreOffice; a lead or deal name typed by anyone on the internet must never run as one. Such cells get a
leading apostrophe, which spreadsheets show as plain text. Spreadsheets also skip leading blanks and read
the full-width signs of East Asian keyboards (＝1+2) as formulas, so it is the first visible character,
folded by NFKC (＝ → =), that counts. Every cell is quoted too: where the list separator is ";", an
unquoted cell "x;=1+2;y" would be read as three cells, the middle one a formula.

Only this module writes CSV (crm/tests/test_csv_injection.py fails on a csv.writer anywhere else):
`SafeWriter` for a file, `csv_response` for a download.
"""

import csv
import math
import unicodedata
from decimal import Decimal

from django.http import StreamingHttpResponse

# What a formula starts with once folded by NFKC: OWASP's =, +, - and @, and the minus sign U+2212
# (what NFKC makes of a superscript minus). A cell that starts with a control character (OWASP's tab and
# carriage return, a line feed) is neutralised whatever follows.
FORMULA_SIGNS = frozenset("=+-@\u2212")


def starts_a_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula."""
    if text and unicodedata.category(text[0]) == "Cc":
        return True
    for char in text:
        # Skip blanks and invisible characters (a no-break or ideographic space, a zero-width space).
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        return unicodedata.normalize("NFKC", char)[:1] in FORMULA_SIGNS
    return False


def safe_cell(value):
    """`value` as a CSV cell that a spreadsheet will not evaluate; numbers pass unchanged (a negative
    amount is a number, not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or is_finite_number(value):
        return value
    text = str(value)
    return "'" + text if starts_a_formula(text) else text


def is_finite_number(value) -> bool:
    # Infinity and NaN are written as text ("-inf"), which can start like a formula.
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, float) and math.isfinite(value)


class SafeWriter:
    """A `csv.writer` on `file` that quotes every cell and passes it through `safe_cell` first."""

    def __init__(self, file):
        self.writer = csv.writer(file, quoting=csv.QUOTE_ALL)

    def writerow(self, row):
        return self.writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class Echo:
    """A file-like object whose write returns the line, for streaming CSV responses."""

    def write(self, value):
        return value


def safe_rows(header, rows):
    """Yield CSV lines for a header and an iterable of rows, written by `SafeWriter`."""
    writer = SafeWriter(Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """Stream `rows` under `header` as a downloadable, formula-safe CSV file."""
    response = StreamingHttpResponse(safe_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
