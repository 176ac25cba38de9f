"""Time the main pages on the current database, in this process: for comparing two commits head to head.

Run it from a worktree of each commit against the same database, alternating (A B A B …), e.g. after
`seed_demo --scale 20000`; each line is one page's median. The full benchmark (`bench`) builds its own
database and measures more, but a run of it lasts minutes, long enough for a shared machine to change
pace in between.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

# (who asks, what): the demo users of seed_demo.
PAGES = [
    ("manager", "/leads/count/"),
    ("manager", "/leads/"),
    ("rep1", "/inbox/"),
    ("manager", "/pipeline/"),
    ("manager", "/reports/funnel/"),
    ("manager", "/"),
]
WARM_UPS = 3


class Command(BaseCommand):
    help = "Median server time of the main pages on the current database (seed_demo's users), one line."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=25)

    def handle(self, *args, repeat, **options):
        clients = {}
        for username in {who for who, _ in PAGES}:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username}: run seed_demo on this database first.")
            clients[username] = Client()
            clients[username].force_login(user)
        figures = [f"{url}={self.median_ms(clients[who], url, repeat):.1f}" for who, url in PAGES]
        self.stdout.write(" ".join(figures))

    def median_ms(self, client, url, repeat) -> float:
        def get():
            response = client.get(url, HTTP_HOST="localhost", secure=True)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")

        for _ in range(WARM_UPS):
            get()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            get()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000
