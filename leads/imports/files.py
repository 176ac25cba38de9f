"""Reading a file of leads, a CSV or an Excel workbook, as records of text cells: at the upload its header
row, on the mapping page a few sample rows, in the import every record, streamed.

A workbook (.xlsx) is read from its first sheet by openpyxl in read-only mode, a row at a time, with the
values Excel last calculated (never the formulas). Its cells become the text a CSV saved by Excel would
hold, so that the import checks both alike: a date is written in ISO 8601 ("2026-12-07", with " 10:30:00"
when it has a time), a whole number without ".0" (a phone number stored as a number keeps its digits), a
boolean as TRUE or FALSE.
"""

import csv
import datetime
import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

from openpyxl import load_workbook

WORKBOOK_SIGNATURE = b"PK\x03\x04"  # a zip archive, which an .xlsx file is
SAMPLE_ROWS = 3  # values shown under each column on the mapping page
SAMPLE_SEARCH = 20  # records read to find them (a column may be empty in the first few)

Record = tuple[int, list[str] | None, str]  # (line number, cells or None, why the record cannot be read)


class ImportFileError(Exception):
    """The uploaded file cannot be imported at all (encoding, no header, no email column); says why."""


UNREADABLE_WORKBOOK = (
    "This Excel workbook cannot be read (it may be damaged, protected by a password, or an old .xls file). "
    "Open it in Excel, save it as an Excel workbook (.xlsx) or as “CSV UTF-8”, and upload it again."
)


def is_workbook(name: str, head: bytes = b"") -> bool:
    """Whether a file is to be read as an Excel workbook: named .xlsx, or a zip archive whatever its name."""
    return name.lower().endswith(".xlsx") or head.startswith(WORKBOOK_SIGNATURE)


def cell_text(value) -> str:
    """A workbook cell as the text a CSV saved by Excel would hold (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


@contextmanager
def _workbook_rows(binary) -> Iterator[Iterator[list[str]]]:
    """The rows of a workbook's first sheet as lists of text cells (trailing empty cells may be left out);
    ImportFileError when the workbook cannot be opened, or a row read."""
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # a damaged zip or XML raises whatever its reader raises
        raise ImportFileError(UNREADABLE_WORKBOOK) from exc
    # The size a sheet declares may be wrong (some writers never update it): read the rows actually there.
    sheet.reset_dimensions()
    try:
        yield _text_rows(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _text_rows(rows) -> Iterator[list[str]]:
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise ImportFileError(UNREADABLE_WORKBOOK) from exc
        yield [cell_text(value) for value in values]


def workbook_headers(uploaded) -> list[str]:
    """The first row of an uploaded workbook's first sheet (the column names), read alone."""
    uploaded.seek(0)
    try:
        with _workbook_rows(uploaded) as rows:
            headers = [header.strip() for header in next(rows, [])]
    finally:
        uploaded.seek(0)
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _fitted(cells: list[str], width: int) -> list[str]:
    """A workbook row as wide as the header: empty cells added or dropped at its end (a workbook row is as
    long as its last filled cell, where a CSV row of another width than the header is refused)."""
    while len(cells) > width and not cells[-1]:
        cells.pop()
    return cells + [""] * (width - len(cells))


def _csv_records(reader) -> Iterator[Record]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, None, f"Unreadable CSV: {exc}."
            continue
        yield reader.line_num, cells, ""


@contextmanager
def records(lead_import) -> Iterator[Iterator[Record]]:
    """The records after the header of an import's file, blank ones left out, as (line number, cells, "") or,
    for a CSV line that cannot be read, (line number, None, why). A CSV that does not decode raises
    UnicodeDecodeError and a workbook that cannot be read ImportFileError while they are read."""
    binary = lead_import.file.open("rb")
    try:
        if lead_import.is_workbook:
            width = len(lead_import.headers)
            with _workbook_rows(binary) as rows:
                next(rows, None)
                numbered = ((line, _fitted(cells, width), "") for line, cells in enumerate(rows, start=2))
                yield (record for record in numbered if any(record[1]))
        else:
            # newline="": a line may end in \r alone (old spreadsheets), which the csv module reads only this way.
            reader = csv.reader(io.TextIOWrapper(binary, encoding=lead_import.encoding, newline=""))
            next(reader, None)
            yield (record for record in _csv_records(reader) if record[1] is None or any(record[1]))
    finally:
        binary.close()


def sample_values(lead_import, count: int = SAMPLE_ROWS) -> list[list[str]]:
    """Up to `count` values of each column, from the file's first records (for the mapping page); none when
    the file cannot be read (the import says why)."""
    try:
        with records(lead_import) as found:
            rows = [cells for _line, cells, _problem in itertools.islice(found, SAMPLE_SEARCH) if cells]
    except (ImportFileError, UnicodeDecodeError, csv.Error):
        return [[] for _ in lead_import.headers]
    return [
        [row[index].strip() for row in rows if index < len(row) and row[index].strip()][:count]
        for index in range(len(lead_import.headers))
    ]
