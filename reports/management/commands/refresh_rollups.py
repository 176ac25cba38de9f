"""`manage.py refresh_rollups [--all]`: bring the cohort rollups up to date now (the beat does it every minute)."""

from django.core.management.base import BaseCommand

from reports import rollups


class Command(BaseCommand):
    help = "Recompute the daily cohort rollups of the days that changed (--all: of every day)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="everything", help="Rebuild every day.")

    def handle(self, *args, everything, **options):
        days = rollups.refresh(everything=everything)
        self.stdout.write(f"Refreshed the rollups of {days} day(s).")
