"""Measure the lead export: every lead of the database through the lead list's export (its columns, its
queryset, `crm.exports.write_export`) into a file that is thrown away: rows per second and peak memory.

    python manage.py bench_lead_export --json      # one JSON object: rows, seconds, peak_rss_mb
"""

import json
import tempfile
import time

from django.core.management.base import BaseCommand

from bench.measure import peak_rss_kb
from crm.exports import write_export
from leads.exports import COLUMNS, lead_rows
from leads.models import Lead


class CountedRows:
    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


class Command(BaseCommand):
    help = "Measure the lead export (rows/s and peak memory) over every lead of the current database."

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print one JSON object (for `bench`).")

    def handle(self, *args, fmt: str, as_json: bool, **options):
        rows = CountedRows(lead_rows(Lead.objects.all()))
        start = time.perf_counter()
        with tempfile.TemporaryFile() as file:
            write_export(fmt, COLUMNS, rows, file)
            size = file.tell()
        seconds = time.perf_counter() - start
        figures = {
            "rows": rows.count,
            "seconds": round(seconds, 2),
            "rows_per_s": round(rows.count / seconds) if seconds else None,
            "file_mb": round(size / 1e6, 1),
            "file_bytes": size,
            "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
        }
        self.stdout.write(json.dumps(figures) if as_json else ", ".join(f"{k}: {v}" for k, v in figures.items()))
