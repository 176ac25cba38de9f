"""Time the lead list (and a lead's page) on the current database, e.g. after `seed_demo --scale 1000000`."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.test import Client
from django.test.utils import setup_test_environment

from crm.roles import MANAGER, set_role
from leads.models import Lead

QUERIES = ["", "?sort=score", "?sort=oldest", "?stage=subscriber", "?q=acme", "?score_min=10&sort=score"]


class Command(BaseCommand):
    help = "Median response time of /leads/ with common filters, a deep keyset page and a lead's page."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, repeat, **options):
        setup_test_environment()  # lets the test client read the page's context (the next cursor)
        user, _ = get_user_model().objects.get_or_create(username="bench-manager")
        set_role(user, MANAGER)
        client = Client()
        client.force_login(user)
        self.stdout.write(f"{Lead.objects.order_by().count():,} leads")
        for query in QUERIES:
            self.report(f"/leads/{query}", lambda q=query: client.get("/leads/" + q, HTTP_HOST="localhost"), repeat)
        cursor, pages = "", 1
        while pages < 51:  # the deepest page up to 51 (a small database has fewer)
            next_cursor = client.get("/leads/", {"after": cursor}, HTTP_HOST="localhost").context["page"].next_cursor
            if next_cursor is None:
                break
            cursor, pages = next_cursor, pages + 1
        self.report(
            f"/leads/ page {pages} (keyset)",
            lambda: client.get("/leads/", {"after": cursor}, HTTP_HOST="localhost"),
            repeat,
        )
        lead = Lead.objects.order_by("-created_at", "-id").first()
        self.report(f"/leads/{lead.pk}/", lambda: client.get(f"/leads/{lead.pk}/", HTTP_HOST="localhost"), repeat)

    def report(self, label, request, repeat):
        request()  # warm up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = request()
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code  # noqa: S101 - a benchmark of a broken page is void
        self.stdout.write(f"  {label:<34} {statistics.median(times) * 1000:7.0f} ms")
