"""The benchmark itself, run by `bench` inside the bench database: load data, then measure.

Not for direct use on a database you care about: it fills the database it is pointed at.
"""

import json
import os
import platform
import time
import timeit
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench.generate import Scale, generate
from bench.measure import Measurement, once
from bench.suites import OPTIONAL_SUITES, SUITES
from reports import rollups
from reports.accounts import rollups as account_rollups

RESULTS = Path(settings.BASE_DIR) / "bench" / "results.json"


def cpu_pace_us() -> float:
    """Microseconds one core takes for `sum(range(100))`, the best of five timings."""
    return round(min(timeit.repeat("sum(range(100))", number=200_000, repeat=5)) / 200_000 * 1e6, 2)


class Command(BaseCommand):
    help = "Fill the current (bench) database and measure pages and jobs. Use `manage.py bench` instead."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--suite", action="append", default=[], help="Only these suites (default: all).")

    def handle(self, *args, scale, runs, suite, **options):
        name = connection.settings_dict["NAME"]
        if "bench" not in str(name):
            raise CommandError(f"Refusing to fill {name}: bench_run only runs in a bench database.")
        known = {function.__name__: function for function in SUITES + OPTIONAL_SUITES}
        unknown = sorted(set(suite) - set(known))
        if unknown:
            raise CommandError(f"Unknown suite(s): {', '.join(unknown)}. Suites: {', '.join(known)}.")
        suites = [known[name] for name in suite] if suite else SUITES
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        self.stdout.write(f"Generating {scale:,} leads…")
        load, counts = once("load data", lambda: generate(Scale(leads=scale), stdout=self.stdout))
        load.extra = counts
        refresh, days = once("rollup refresh (every day)", lambda: rollups.refresh(everything=True))
        refresh.extra = {"days": days}
        accounts, companies = once("account roll-ups (every company)", account_rollups.refresh_all)
        accounts.extra = {"companies": companies}
        if connection.vendor == "postgresql":
            # Autovacuum would have run on a database that grew over months: it sets the visibility map that
            # index-only scans rely on. A bulk load leaves it unset.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        results: list[Measurement] = [load, refresh, accounts]
        for run_suite in suites:
            for measurement in run_suite(runs=runs, stdout=self.stdout):
                results.append(measurement)
                self.stdout.write(f"  {self.row(measurement)}")
        self.report(results, scale, time.perf_counter() - started)

    def row(self, m: Measurement) -> str:
        median = "—" if m.median_ms is None else f"{m.median_ms:,.1f}"
        p95 = "—" if m.p95_ms is None else f"{m.p95_ms:,.1f}"
        queries = "—" if m.queries is None else str(m.queries)
        verdict = {True: "ok", False: "MISSED", None: ""}[m.ok]
        extra = ", ".join(f"{key}={value}" for key, value in m.extra.items())
        text = f"{m.name:<42} {median:>10} {p95:>10} {queries:>7}  {m.target:<22} {verdict:<6} {extra}"
        return text + (f"  error: {m.error}" if m.error else "")

    def report(self, results: list[Measurement], scale: int, seconds: float) -> None:
        header = f"{'measure':<42} {'median ms':>10} {'p95 ms':>10} {'queries':>7}  {'target':<22} {'':<6} details"
        self.stdout.write("\n" + header + "\n" + "-" * len(header))
        for measurement in results:
            self.stdout.write(self.row(measurement))
        machine = {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "database": connection.vendor,
            # Machines of one size differ in speed: one core's pace, to compare runs made on different ones.
            "cpu_pace_us": cpu_pace_us(),
        }
        payload = {
            "run_at": timezone.now().isoformat(),
            "scale": scale,
            "machine": machine,
            "total_seconds": round(seconds, 1),
            "results": [measurement.as_dict() for measurement in results],
        }
        RESULTS.write_text(json.dumps(payload, indent=2, default=str))
        self.stdout.write(f"\n{machine} · {seconds:,.0f} s in all · written to {RESULTS}")
