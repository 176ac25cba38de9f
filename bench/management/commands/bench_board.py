from django.core.management.base import BaseCommand
from django.test.utils import setup_test_environment

from bench.board import board_timings


class Command(BaseCommand):
    help = (
        "Measure the pipeline board's server time with N open deals (median of R requests through Django's "
        "test client). Everything it creates is rolled back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deals", type=int, default=2000)
        parser.add_argument("--requests", type=int, default=20)

    def handle(self, *args, deals, requests, **options):
        setup_test_environment()
        r = board_timings(deals=deals, requests=requests)
        self.stdout.write(
            f"board with {r['deals']} open deals on {r['vendor']}: median {r['median_ms']:.1f} ms "
            f"(min {r['min_ms']:.1f}, max {r['max_ms']:.1f}) over {r['requests']} requests, "
            f"{r['queries']} queries, {r['kib']} KiB"
        )
