from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure Relay's pages and jobs at scale (filled in by the benchmark issue)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=100_000, help="Number of leads to generate.")

    def handle(self, *args, scale, **options):
        self.stdout.write(f"Benchmark at --scale {scale}: nothing is measured yet.")
