"""Measure the CSV import: rows per second and peak memory, for a first import and a re-import.

Run it against a scratch database, e.g.:
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py bench_lead_import --rows 100000
"""

import json
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import connection

from bench.measure import peak_rss_kb
from crm.csv import SafeWriter
from leads.imports.run import run_import
from leads.imports.upload import guess_mapping, start_import
from leads.models import Lead, LeadImport


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A realistic file: 5 % of rows repeat an earlier email in another case, 1 % are broken."""
    rng = random.Random(seed)  # noqa: S311 - test data
    run = time.time_ns()  # new emails on every run, so a database used before still sees new leads
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = SafeWriter(file)
        writer.writerow(["Email", "First name", "Last name", "Company", "Job title", "Country", "Company size"])
        for i in range(rows):
            roll = rng.random()
            if roll < 0.01:
                writer.writerow([f"broken-{i}", "No", "Email", "Acme", "", "", ""])
                continue
            n = rng.randrange(max(i, 1)) if roll < 0.06 else i
            email = f"Bench{run}.{n}@Example.com" if roll < 0.06 else f"bench{run}.{n}@example.com"
            writer.writerow([email, f"First{n}", f"Last{n}", f"Company {n % 5000}", "VP Sales", "Germany", "51-200"])


class Command(BaseCommand):
    help = "Measure lead CSV import throughput (rows/s) and peak memory. Use a scratch database."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--once", action="store_true", help="Skip the re-import of the same file.")
        parser.add_argument(
            "--tracemalloc", action="store_true", help="Also report Python's peak allocations (slower run)."
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print one JSON object per import (for `bench`)."
        )

    def handle(self, *args, rows, tracemalloc: bool, once: bool, as_json: bool, **options):
        self.as_json = as_json
        vendor = connection.vendor
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.csv"
            write_csv(path, rows)
            size_mb = path.stat().st_size / 1e6
            if not self.as_json:
                self.stdout.write(f"{vendor}: {rows:,} rows, {size_mb:.1f} MB, {Lead.objects.count():,} leads before")
            for label in ("first import",) if once else ("first import", "re-import"):
                with path.open("rb") as handle:
                    lead_import = start_import(uploaded=File(handle, name="bench.csv"), by=None)
                LeadImport.objects.filter(pk=lead_import.pk).update(
                    mapping=guess_mapping(lead_import.headers), status=LeadImport.Status.QUEUED
                )
                self.measure(label, lead_import.pk, rows, tracemalloc)

    def measure(self, label, import_id, rows, trace):
        rss_before = peak_rss_kb()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        result = run_import(import_id)
        elapsed = time.perf_counter() - started
        peak = ""
        if trace:
            peak = f", Python peak {tracemalloc.get_traced_memory()[1] / 1e6:.1f} MB (tracemalloc)"
            tracemalloc.stop()
        rss_after = peak_rss_kb()
        if self.as_json:
            figures = {
                "label": label,
                "rows": rows,
                "seconds": round(elapsed, 2),
                "peak_rss_mb": round(rss_after / 1024),
            }
            figures |= {"created": result.created, "merged": result.merged, "failed": result.failed}
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            f"  {label}: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s; created {result.created:,}, "
            f"merged {result.merged:,}, failed {result.failed:,}; process peak RSS {rss_after / 1024:.0f} MB "
            f"(+{(rss_after - rss_before) / 1024:.0f} MB during the run){peak}"
        )
