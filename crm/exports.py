"""Every list Relay exports, as CSV or as an Excel workbook, from one list of columns.

A list is exported as `export_response(fmt, stem, columns, rows)`:

- `fmt`: "csv" or "xlsx" (FORMATS); any other answers 404, as a page that does not exist (the URLs name the
  format, so only a hand-typed one gets there).
- `stem`: the file's name without date or extension ("leads" → "leads-2026-12-07.xlsx").
- `columns`: a list of (header, cell function); the function takes one row object and returns its cell, typed
  (a str, an int, a Decimal, a date, an aware datetime, a bool or None).
- `rows`: an iterable of the row objects, read once; pass a queryset as `.iterator(chunk_size=...)` with the
  `select_related` (or annotations) its cells need, so the export costs the same few queries for any number
  of rows.

CSV is streamed by `crm.csv.csv_response` (the formula-safe writer); dates and times are written in ISO 8601,
times in the site's time zone. XLSX is written by openpyxl in write-only mode (each row goes to disk as it
comes, so memory stays flat at a million rows) to a temporary file sent as a FileResponse: numbers stay
numbers, dates and times are Excel dates in the site's time zone (Excel has no time zones), and text goes
through `crm.csv.safe_cell` as in the CSV, so a name typed as "=1+2" is never written as a formula.

`write_export(fmt, columns, rows, file)` writes the same file to any binary file object (a benchmark's).
"""

import datetime
import io
import itertools
import tempfile

from django.http import FileResponse, Http404
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from crm.csv import SafeWriter, csv_response, safe_cell

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_TEXT = 32_767  # characters Excel keeps in one cell
# Rows Excel shows in one sheet (1,048,576) less the header: a longer export goes on in the next sheet.
XLSX_SHEET_ROWS = 1_048_575


def csv_value(value):
    """A typed cell as the CSV writes it: dates and times in ISO 8601, times in the site's time zone."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def xlsx_value(value):
    """A typed cell as the workbook stores it: numbers and dates as themselves (aware times in the site's time
    zone, without it), text made safe as in the CSV and cleared of the control characters a workbook refuses."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date | datetime.time) or value is None:
        return value
    cell = safe_cell(value)  # "yes"/"no" for a bool, an apostrophe before a formula, text for inf and NaN
    if isinstance(cell, str):
        return ILLEGAL_CHARACTERS_RE.sub("", cell)[:XLSX_MAX_TEXT]
    return cell


def _csv_rows(columns, rows):
    return ([csv_value(cell(row)) for _, cell in columns] for row in rows)


def _sheets(rows, size=None):
    """`rows` in runs of at most XLSX_SHEET_ROWS (Excel's rows per sheet, less the header): one per sheet, and
    one empty run when there are no rows, so that the workbook still has its header."""
    size = size or XLSX_SHEET_ROWS
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        yield ()
        return
    rows = itertools.chain([first], rows)
    while True:
        chunk = list(itertools.islice(rows, 0, 1))
        if not chunk:
            return
        yield itertools.chain(chunk, itertools.islice(rows, size - 1))


def write_export(fmt: str, columns, rows, file) -> None:
    """Write `rows` under `columns` (see the module's docstring) as `fmt` to the binary file object `file`."""
    header = [name for name, _ in columns]
    if fmt == "csv":
        text = io.TextIOWrapper(file, encoding="utf-8", newline="")
        writer = SafeWriter(text)
        writer.writerow(header)
        writer.writerows(_csv_rows(columns, rows))
        text.flush()
        text.detach()  # leave `file` open for the caller
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        for number, chunk in enumerate(_sheets(rows), start=1):
            sheet = workbook.create_sheet(f"Sheet {number}" if number > 1 else "Sheet")
            sheet.append(header)
            for row in chunk:
                sheet.append([xlsx_value(cell(row)) for _, cell in columns])
        workbook.save(file)
    else:
        raise ValueError(f"Unknown export format {fmt!r}: one of {', '.join(FORMATS)}.")


def export_response(fmt: str, stem: str, columns, rows):
    """`rows` under `columns` as a download named `<stem>-<today>.<fmt>`: a streamed CSV, or an XLSX workbook
    written to a temporary file first; 404 for a format other than FORMATS."""
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, [name for name, _ in columns], _csv_rows(columns, rows))
    if fmt != "xlsx":
        raise Http404(f"Exports are {' or '.join(FORMATS)}.")
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the FileResponse once sent
    try:
        write_export(fmt, columns, rows, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
