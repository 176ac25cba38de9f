from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

import agenda.demo
import campaigns.demo
import deals.demo
import goals.demo
import handoff.demo
import leads.demo
import outreach.demo
import reports.rollups
from crm.demo import seed_users


class Command(BaseCommand):
    help = "Fill the database with demo users and data for every page. Safe to run again: it adds nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=None, help="Make this many leads (for benchmarks).")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (demo passwords!).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database has users.")

    def handle(self, *args, scale=None, force=False, if_empty=False, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("The database already has users: demo data not added (run `make seed` to add it).")
            return
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with a published password; use --force with DEBUG off.")
        self.stdout.write("Seeding demo data…")
        users = seed_users(stdout=self.stdout)
        # Upstream first: campaigns bring leads, leads become deals.
        campaigns.demo.seed(users=users, stdout=self.stdout)
        leads.demo.seed(users=users, stdout=self.stdout, scale=scale)
        deals.demo.seed(users=users, stdout=self.stdout)
        # Scoring runs last, as it would in production: the qualified leads go to the reps' inboxes (the
        # demo reps' notification emails are not sent: they would only flood the console).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            handoff.demo.seed(users=users, stdout=self.stdout)
        outreach.demo.seed(users=users, stdout=self.stdout)  # after the deals: emails are sent about them
        agenda.demo.seed(users=users, stdout=self.stdout)  # tasks on the deals, both by hand and accepted
        goals.demo.seed(users=users, stdout=self.stdout)  # targets from the volumes the funnel above delivered
        reports.rollups.refresh()  # as the beat would: the figures are exact without it, but faster with it
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
