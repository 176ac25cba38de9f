"""CSV exports that spreadsheets cannot be tricked by: a cell starting with =, +, -, @ (or a tab or carriage
return) is prefixed with a single quote so that it is shown as text, never run as a formula."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` ready for a CSV cell: None becomes "", text that could start a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Stream `rows` under `header` as a downloadable CSV file, every cell passed through `safe_cell`."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM so that spreadsheet programs read UTF-8
        yield writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
