"""`manage.py link_companies`: give every lead and deal without a company the one its email domain or typed
company names (what migration leads 0022 did once). Safe to run again at any time: linked records stay."""

import time

from django.core.management.base import BaseCommand

from handoff.company_links import link_all


class Command(BaseCommand):
    help = "Link every lead and deal without a company to the company its email domain or company name names."

    def handle(self, *args, **options):
        started = time.monotonic()
        for line in link_all():
            self.stdout.write(line)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
